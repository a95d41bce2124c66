"""Timing and the result table of nfs_reference.py, measured and printed as nfs_bench does
(bench/nfs_bench_main.cpp): one warm-up, then `repeat` synchronized runs, min and median; peak
memory of the timed phase. Training is not timed here (train/s and trn columns show -)."""
import os
import subprocess
import time

import torch


def time_it(f, repeat, device):
    """(min, median) seconds of f() over `repeat` runs after one warm-up."""
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    f()
    sync()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        sync()
        runs.append(time.perf_counter() - t0)
    runs.sort()
    return runs[0], runs[len(runs) // 2]


def peak_fp32_flops(device):
    """The device's FP32 peak by nfs_bench's formula (None where the GPU clock is unknown)."""
    if device.type == "cuda":
        p = torch.cuda.get_device_properties(device)
        try:  # torch does not report the clock; nfs_bench reads the same maximum from CUDA
            mhz = float(subprocess.run(["nvidia-smi", "--query-gpu=clocks.max.sm", "--format=csv,noheader,nounits",
                                        "-i", str(device.index or 0)], capture_output=True, text=True,
                                       check=True).stdout.split()[0])
        except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
            return None
        lanes = 128 if p.major >= 8 else 64  # FP32 lanes per SM (Ampere/Hopper: 128)
        return 2.0 * lanes * p.multi_processor_count * mhz * 1e6
    return 2.0 * 8 * 2 * (os.cpu_count() or 1) * 2.5e9  # AVX2: two 8-wide FMA units per core


def reset_peaks(device):
    """Starts the peak-memory counters afresh, as nfs_bench does before its inference phase."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM
    except OSError:
        pass
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak_host_mb():
    """VmHWM (peak resident set since the last reset), as nfs_bench reads it; -1 where unknown."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return -1.0


def peak_device_mb(device):
    return torch.cuda.max_memory_allocated(device) / 1048576.0 if device.type == "cuda" else 0.0


def bench_table(r, cfg, device, vertices, batch):
    """Prints nfs_bench's columns for the timings `r` (name -> (min, median) s) and the encode /
    decode / retarget split; returns them as nfs_bench's JSON keys."""
    H, C = float(cfg["decoder_hidden"]), float(cfg["code_dim"])
    flops_per_vertex = 2.0 * (C * H + (cfg["decoder_hidden_layers"] - 1) * H * H + H * 3)
    dec = r["decode_batched"][1]
    gflops = flops_per_vertex * vertices * batch / dec / 1e9
    peak = peak_fp32_flops(device)
    host, dev = peak_host_mb(), peak_device_mb(device)
    fps1, fpsb = 1.0 / r["retarget_b1"][1], batch / r["retarget_batched"][1]
    print("%-6s %-8s %9s %9s %9s %9s %11s %11s %12s %9s %9s %9s %9s %9s %9s" % (
        "device", "vertices", "precomp", "render", "prepare", "b1 fps", "batch fps", "vert/s", "dec GFLOP/s",
        "%peak", "train/s", "host MB", "dev MB", "trn host", "trn dev"))
    peak_text = "%8.1f%%" % (100.0 * gflops * 1e9 / peak) if peak else "%9s" % "-"
    print("%-6s %-8d %9s %9s %8.1fms %9.2f %11.2f %11.3g %12.1f %s %9s %9.0f %9.0f %9s %9s" % (
        device.type, vertices, "-", "-", r["prepare"][1] * 1e3, fps1, fpsb, fpsb * vertices, gflops, peak_text, "-",
        host, dev, "-", "-"))
    print("\n%-10s %23s %23s" % ("ms", "batch 1 (min / median)", "batch %d (min / median)" % batch))
    for what in ("encode", "decode", "retarget"):
        a, b = r[what + "_b1"], r[what + "_batched"]
        print("%-10s %11.1f / %9.1f %11.1f / %9.1f" % (what, a[0] * 1e3, a[1] * 1e3, b[0] * 1e3, b[1] * 1e3))
    ms = lambda t: {"min": t[0] * 1e3, "median": t[1] * 1e3}  # noqa: E731
    out = {"device": device.type, "vertices": vertices, "prepare_target_ms": ms(r["prepare"]),
           "retarget_batch1_fps": fps1, "retarget_batched_fps": fpsb, "batch": batch,
           "vertices_per_s": fpsb * vertices, "decode_batched_ms": ms(r["decode_batched"]),
           "decoder_gflops": gflops, "peak_fp32_gflops": peak / 1e9 if peak else None, "peak_host_mb": host,
           "peak_device_mb": dev}
    for name, t in r.items():
        out[name + "_ms"] = ms(t)
    return out
