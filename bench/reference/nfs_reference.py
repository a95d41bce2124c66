#!/usr/bin/env python3
"""The NFS network in plain PyTorch beside the engine (SPEC §10).

Loads an NFS checkpoint by tensor name (nfs_model.py), runs the forward on the inputs that
`nfs_tools reference-inputs` wrote (the same meshes, renders and operators the engine used),
prints the largest difference from the engine's outputs, then times prepare-target, encode,
decode and retarget at batch 1 and batched, in nfs_bench's table format (nfs_timing.py).
numpy and torch only (Debian: python3-torch).
"""
import argparse
import os
import sys


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("inputs", help="INPUTS.safetensors from nfs_tools reference-inputs")
    p.add_argument("--model", help="checkpoint (default: the one the inputs were made with)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--threads", type=int, default=0, help="CPU threads (default: torch's choice)")
    p.add_argument("--batch", type=int, default=8, help="frames per batched pass (default 8)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs after one warm-up (default 3)")
    p.add_argument("--tolerance", type=float, default=1e-3,
                   help="largest allowed difference relative to the output's largest magnitude (default 1e-3)")
    p.add_argument("--float64", action="store_true",
                   help="also run the network in float64 and show how far each engine is from it")
    p.add_argument("--json", help="write the differences and timings here")
    p.add_argument("--no-timing", action="store_true", help="compare outputs only")
    return p.parse_args()


ARGS = parse_args()
if ARGS.threads > 0:  # before torch loads: OpenBLAS and OpenMP read these once
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import json  # noqa: E402

import torch  # noqa: E402

from nfs_model import Operators, load_network  # noqa: E402
from nfs_timing import bench_table, reset_peaks, time_it  # noqa: E402
from safetensors_io import InputError, read_safetensors  # noqa: E402


def mesh_inputs(t, prefix, device, dtype=torch.float32):
    """positions, normals, images and operators of the inputs file's source or target."""
    return [t[prefix + k].to(device, dtype) for k in ("positions", "normals", "images")] + \
        [Operators(t, prefix, device, dtype)]


def forward(net, t, device, dtype=torch.float32):
    """Every output the inputs file holds, for all its frames in one batch."""
    pos, nrm, img, src_ops = mesh_inputs(t, "source.", device, dtype)
    tpos, tnrm, timg, tgt_ops = mesh_inputs(t, "target.", device, dtype)
    prepared = net.prepare_target(tpos, tnrm, timg, tgt_ops)
    z_ge, c_src = net.encode(pos, nrm, img, src_ops)
    out = {"c_src": c_src, "c_tgt": prepared["c"], "z_ge": z_ge, "z_id": prepared["z_id"],
           "z_skin": prepared.get("z_skin"), "omega": prepared.get("omega"), "delta": net.decode(prepared, z_ge)}
    return {k: v.cpu().double() for k, v in out.items() if v is not None}


def differences(ours, t, exact):
    """Per output: max |ours - nfs|, max |nfs|, their ratio; with `exact`, each engine's distance."""
    rows = {}
    for name, value in ours.items():
        if name not in t:
            raise InputError(f"{ARGS.inputs}: no tensor '{name}' (made without this model?)")
        theirs = t[name].double()
        if theirs.shape != value.shape:
            raise InputError(f"{ARGS.inputs}: {name} is {tuple(theirs.shape)}, the network gives {tuple(value.shape)}")
        diff, scale = (value - theirs).abs().max().item(), theirs.abs().max().item()
        rows[name] = {"max_abs_diff": diff, "max_abs": scale, "relative": diff / scale if scale > 0 else diff}
        if exact:
            rows[name]["nfs_vs_float64"] = (theirs - exact[name]).abs().max().item()
            rows[name]["pytorch_vs_float64"] = (value - exact[name]).abs().max().item()
    return rows


def print_differences(rows, frames):
    print(f"\nlargest |PyTorch - nfs| over the {frames} frames:")
    extra = ARGS.float64 and "   nfs-f64 torch-f64" or ""
    print(f"  {'output':<8} {'max |diff|':>11} {'max |value|':>12} {'relative':>10}{extra}")
    for name, r in rows.items():
        line = f"  {name:<8} {r['max_abs_diff']:11.3e} {r['max_abs']:12.3e} {r['relative']:10.2e}"
        if ARGS.float64:
            line += f" {r['nfs_vs_float64']:9.2e} {r['pytorch_vs_float64']:9.2e}"
        print(line)


def batch_of(x, n):
    """n frames cycled from x [B, ...] (speed does not depend on the values)."""
    return x[torch.arange(n) % x.shape[0]]


def timings(net, t, device, batch, repeat):
    """(min, median) seconds of prepare, and of encode / decode / retarget at batch 1 and `batch`."""
    pos, nrm, img, src_ops = mesh_inputs(t, "source.", device)
    tpos, tnrm, timg, tgt_ops = mesh_inputs(t, "target.", device)
    run = lambda f: time_it(f, repeat, device)  # noqa: E731
    reset_peaks(device)
    r = {"prepare": run(lambda: net.prepare_target(tpos, tnrm, timg, tgt_ops))}
    prepared = net.prepare_target(tpos, tnrm, timg, tgt_ops)
    for label, n in (("b1", 1), ("batched", batch)):
        p, q, im = batch_of(pos, n), batch_of(nrm, n), batch_of(img, n)
        z = net.encode(p, q, im, src_ops)[0]
        r["encode_" + label] = run(lambda: net.encode(p, q, im, src_ops))
        r["decode_" + label] = run(lambda: net.decode(prepared, z))
        r["retarget_" + label] = run(lambda: net.decode(prepared, net.encode(p, q, im, src_ops)[0]))
    return r


def blas_library():
    """The BLAS this process loaded (Linux): the reference BLAS makes every product ~50x slower."""
    try:
        with open("/proc/self/maps") as f:
            libs = {os.path.basename(line.split()[-1]) for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    return ", ".join(sorted(libs)) or "none found"


def main():
    if ARGS.device == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda: this torch has no CUDA device")
    if ARGS.threads > 0:
        torch.set_num_threads(ARGS.threads)
    device = torch.device(ARGS.device)
    t, meta = read_safetensors(ARGS.inputs)
    if meta.get("format") != "nfs-reference-inputs":
        raise InputError(f"{ARGS.inputs}: not an nfs_tools reference-inputs file")
    model = ARGS.model or meta["model"]
    net = load_network(model, device)
    cfg = net.cfg
    beyond = [k for k in ("exp_neutral_offsets", "exp_segment_pool") if cfg.get(k)]
    if beyond:
        raise InputError(f"{model}: its expression encoder uses {', '.join(beyond)} (docs/TRAINING.md, session 5); "
                         "this reference implements the paper's network: compare with bench/compare.sh --paper")
    torch.set_grad_enabled(False)
    Vs, Vt, N = int(meta["source_vertices"]), int(meta["target_vertices"]), int(meta["frames"])
    print(f"PyTorch {torch.__version__} on {ARGS.device} ({torch.get_num_threads()} threads), BLAS: {blas_library()}")
    print(f"model {model}: width {cfg['width']}, K {cfg['eigenpairs']}, decoder {cfg['decoder_hidden']} x "
          f"{cfg['decoder_hidden_layers']}, skinning {'on' if cfg['skinning'] else 'off'}")
    print(f"inputs {ARGS.inputs}: {N} source frames of {Vs} vertices onto {Vt} vertices "
          f"(nfs_tools ran on {meta.get('device', '?')})")
    exact = forward(load_network(model, device).double(), t, device, torch.float64) if ARGS.float64 else None
    rows = differences(forward(net, t, device), t, exact)
    print_differences(rows, N)
    result = {"engine": "pytorch", "torch_version": torch.__version__, "device": ARGS.device,
              "threads": torch.get_num_threads(), "blas": blas_library(), "model": model,
              "inputs": ARGS.inputs, "source_vertices": Vs, "target_vertices": Vt, "differences": rows}
    if not ARGS.no_timing:
        with torch.inference_mode():
            r = timings(net, t, device, ARGS.batch, ARGS.repeat)
        print()
        result["timings"] = bench_table(r, cfg, device, Vt, ARGS.batch)
    if ARGS.json:
        with open(ARGS.json + ".tmp", "w") as f:
            json.dump(result, f, indent=2)
        os.replace(ARGS.json + ".tmp", ARGS.json)
    worst = max(r["relative"] for r in rows.values())
    if worst > ARGS.tolerance:
        print(f"nfs_reference: largest relative difference {worst:.2e} is above the tolerance {ARGS.tolerance:.0e}",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except InputError as e:
        print(f"nfs_reference: {e}", file=sys.stderr)
        sys.exit(1)
