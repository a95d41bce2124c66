"""A safetensors reader in numpy (Debian has no safetensors package): an 8-byte little-endian
header length, a JSON header, then raw little-endian data. F32 and I32, as the engine writes."""
import json
import struct

import numpy as np
import torch

DTYPES = {"F32": "<f4", "I32": "<i4"}


class InputError(Exception):
    """A file that cannot be used: the message names it and the problem."""


def read_safetensors(path):
    """(tensors {name: CPU tensor}, metadata {str: str})."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}")
    if len(data) < 8:
        raise InputError(f"{path}: shorter than a safetensors header")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise InputError(f"{path}: header length {n} runs past the end of the file")
    try:
        header = json.loads(data[8:8 + n])
    except ValueError:
        raise InputError(f"{path}: header is not JSON")
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, h in header.items():
        if h.get("dtype") not in DTYPES:
            raise InputError(f"{path}: tensor {name} has dtype {h.get('dtype')} (F32 and I32 only)")
        begin, end = h["data_offsets"]
        count = int(np.prod(h["shape"], dtype=np.int64))
        if end - begin != 4 * count or 8 + n + end > len(data):
            raise InputError(f"{path}: tensor {name} does not fit its shape or the file")
        array = np.frombuffer(data, dtype=DTYPES[h["dtype"]], count=count, offset=8 + n + begin)
        tensors[name] = torch.from_numpy(array.reshape(h["shape"]).copy())
    return tensors, metadata
