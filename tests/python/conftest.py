# Shared fixtures of the nfs module's tests: the built module on sys.path, the nfs_infer binary
# to compare with, the demo data, and one engine per session (loading a model takes a moment).
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest

SOURCE_DIR = os.environ.get("NFS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
MODULE_DIR = os.environ.get("NFS_PYTHON_DIR", os.path.join(SOURCE_DIR, "build", "python"))
NFS_INFER = os.environ.get("NFS_INFER", os.path.join(SOURCE_DIR, "build", "nfs_infer"))
DEMO = os.path.join(SOURCE_DIR, "data", "demo")
sys.path.insert(0, MODULE_DIR)
# Tests write only under a temporary folder: the engine's operator cache too (the module and the
# nfs_infer runs it starts read NFS_CACHE_DIR), removed when the tests end.
CACHE_DIR = tempfile.mkdtemp(prefix="nfs_pytest_cache_")
os.environ["NFS_CACHE_DIR"] = CACHE_DIR
atexit.register(shutil.rmtree, CACHE_DIR, ignore_errors=True)

import nfs  # noqa: E402  (after the module folder is on the path)


def read_obj(path):
    """Positions [n,3] float64 (as the engine reads a file) and polygons (lists of 0-based vertex indices) of an OBJ file."""
    V, polys = [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            if not p:
                continue
            if p[0] == "v":
                V.append([float(x) for x in p[1:4]])
            elif p[0] == "f":
                polys.append([int(c.split("/")[0]) - 1 for c in p[1:]])
    return np.asarray(V, dtype=np.float64), polys


def run_cli(*args):
    """Runs nfs_infer; returns the completed process (output captured)."""
    return subprocess.run([NFS_INFER, *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def engine():
    return nfs.Engine(device="cpu")


@pytest.fixture(scope="session")
def demo_target():
    return read_obj(os.path.join(DEMO, "target.obj"))


@pytest.fixture(scope="session")
def sequence_paths():
    seq = os.path.join(DEMO, "sequence")
    return [os.path.join(seq, f) for f in sorted(os.listdir(seq)) if f.endswith(".obj")]
