# The nfs module against nfs_infer on the same inputs: equal results (1e-5), the shapes of what
# comes back, errors as exceptions carrying the engine's message, progress and the released GIL.
import os
import threading

import numpy as np
import pytest

import nfs
from conftest import DEMO, read_obj, run_cli

TOL = 1e-5


def obj_folder(folder, names):
    return np.stack([read_obj(os.path.join(folder, n + ".obj"))[0] for n in names])


def test_names_and_devices():
    ict, arkit = nfs.expression_names(), nfs.expression_names("arkit")
    assert len(ict) == nfs.NUM_EXPRESSIONS == 53 and ict[:2] == ["browDown_L", "browDown_R"]
    assert len(arkit) == 51 and "eyeBlinkLeft" in arkit and "tongueOut" not in arkit
    assert nfs.arkit_groups()["browInnerUp"] == nfs.ict_indices("browInnerUp")
    assert len(nfs.ict_indices("browInnerUp")) == 2 and nfs.ict_indices("HeadYaw") == []
    assert nfs.ict_indices("blendShape1.EyeBlinkLeft") == [ict.index("eyeBlink_L")]
    assert "cpu" in nfs.devices()


def test_rig_equals_cli(engine, demo_target, tmp_path):
    V, F = demo_target
    target = engine.prepare_target(V, np.asarray(F, dtype=np.int32))
    assert target.vertex_count == len(V)
    np.testing.assert_array_equal(target.rest_positions, V.astype(np.float32))
    shapes = engine.rig(target)
    assert list(shapes) == nfs.expression_names()
    # The CLI writes each shape's positions; its neutral is animate's all-zero frame.
    target_obj = os.path.join(DEMO, "target.obj")
    r = run_cli("rig", "--target", target_obj, "-o", str(tmp_path / "rig"), "--format", "obj", "--device", "cpu")
    assert r.returncode == 0, r.stderr
    (tmp_path / "zero.csv").write_text("jawOpen\n0\n")
    r = run_cli("animate", "--weights", str(tmp_path / "zero.csv"), "--target", target_obj, "-o", str(tmp_path / "n"),
                "--device", "cpu")
    assert r.returncode == 0, r.stderr
    neutral = read_obj(str(tmp_path / "n" / "frame_00000.obj"))[0]
    cli = obj_folder(str(tmp_path / "rig"), nfs.expression_names()) - neutral
    ours = np.stack(list(shapes.values()))
    assert np.abs(ours - cli).max() < TOL
    # A real rig, not zeros: jawOpen moves the chin by a visible fraction of the head.
    head = np.linalg.norm(V.max(0) - V.min(0))
    assert np.linalg.norm(shapes["jawOpen"], axis=1).max() > 0.02 * head


def test_rig_arkit_and_polygons(engine, demo_target):
    V, F = demo_target
    tri = engine.rig(engine.prepare_target(V, np.asarray(F)), naming="arkit")
    assert list(tri) == nfs.expression_names("arkit")
    # The same faces as polygon lists, and the file itself, give the same rig.
    as_lists = engine.rig(engine.prepare_target(V, [list(f) for f in F]), naming="arkit")
    from_file = engine.rig(engine.prepare_target(os.path.join(DEMO, "target.obj")), naming="arkit")
    for name in tri:
        assert np.abs(tri[name] - as_lists[name]).max() < TOL
        assert np.abs(tri[name] - from_file[name]).max() < TOL
    # ARKit's browInnerUp moves both ICT halves: the sum of the two ICT shapes, to first order.
    ict = engine.rig(engine.prepare_target(V, np.asarray(F)))
    both = ict["browInnerUp_L"] + ict["browInnerUp_R"]
    assert np.abs(tri["browInnerUp"] - both).max() < 0.25 * np.abs(both).max()


def test_animate_equals_cli(engine, tmp_path):
    take_path = os.path.join(DEMO, "take.csv")
    take = nfs.read_weights_csv(take_path)
    assert take.weights.shape == (take.num_frames, 53) and take.num_frames == 24
    target = engine.prepare_target(os.path.join(DEMO, "target.obj"))
    frames = engine.animate(target, take.weights)
    assert frames.shape == (24, target.vertex_count, 3) and frames.dtype == np.float32
    r = run_cli("animate", "--weights", take_path, "--target", os.path.join(DEMO, "target.obj"),
                "-o", str(tmp_path / "a"), "--device", "cpu")
    assert r.returncode == 0, r.stderr
    cli = obj_folder(str(tmp_path / "a"), ["frame_%05d" % f for f in range(24)])
    assert np.abs(frames - cli).max() < TOL
    one = engine.animate(target, take.weights[5])  # one frame of weights
    assert one.shape == (1, target.vertex_count, 3) and np.abs(one[0] - frames[5]).max() < TOL


def test_encode_equals_cli(engine, sequence_paths, tmp_path):
    r = run_cli("encode", "--source", *sequence_paths, "-o", str(tmp_path / "w.csv"), "--device", "cpu")
    assert r.returncode == 0, r.stderr
    cli = nfs.read_weights_csv(str(tmp_path / "w.csv")).weights
    from_files = engine.encode(sequence_paths)
    assert from_files.shape == (len(sequence_paths), 53)
    assert np.abs(from_files - cli).max() < TOL
    meshes = [read_obj(p) for p in sequence_paths]
    frames = np.stack([m[0] for m in meshes])
    from_arrays = engine.encode(frames, meshes[0][1])
    assert np.abs(from_arrays - cli).max() < TOL
    # An explicit neutral equal to the first frame changes nothing; full codes extend the weights.
    codes = engine.encode(frames, meshes[0][1], neutral=frames[0], full_code=True)
    assert codes.shape == (len(frames), engine.code_dim) and np.abs(codes[:, :53] - cli).max() < TOL


def test_retarget_equals_cli(engine, sequence_paths, tmp_path):
    target_obj = os.path.join(DEMO, "target.obj")
    paths = sequence_paths[:6]
    r = run_cli("retarget", "--source", *paths, "--target", target_obj, "-o", str(tmp_path / "r"), "--device", "cpu")
    assert r.returncode == 0, r.stderr
    cli = obj_folder(str(tmp_path / "r"), [os.path.basename(p)[:-4] for p in paths])
    meshes = [read_obj(p) for p in paths]
    target = engine.prepare_target(target_obj)
    moved = engine.retarget(np.stack([m[0] for m in meshes]), meshes[0][1], target)
    assert moved.shape == cli.shape and np.abs(moved - cli).max() < TOL
    assert np.abs(engine.retarget(paths, None, target) - cli).max() < TOL


def test_bad_input_raises_engine_message(engine, demo_target, tmp_path):
    V, F = demo_target
    with pytest.raises(RuntimeError, match="no such model"):
        nfs.Engine(model=str(tmp_path / "missing.safetensors"))
    with pytest.raises(ValueError, match="unknown|cpu|cuda|device"):
        nfs.Engine(device="tpu")
    bad = V.copy()
    bad[7, 1] = np.nan
    with pytest.raises(RuntimeError, match="target: .*finite"):
        engine.prepare_target(bad, F)
    with pytest.raises(ValueError, match="vertex index 99999 out of range"):
        engine.prepare_target(V, [[0, 1, 99999]])
    with pytest.raises(RuntimeError, match="polygon 0 has 2 corners"):
        engine.prepare_target(V, [[0, 1]] + F)
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        engine.prepare_target(V[:, :2], F)
    with pytest.raises(RuntimeError, match="missing.obj"):
        engine.prepare_target(str(tmp_path / "missing.obj"))
    target = engine.prepare_target(V, F)
    with pytest.raises(ValueError, match=r"\(T, 53\)"):
        engine.animate(target, np.zeros((3, 52), np.float32))
    with pytest.raises(ValueError, match="weights: row 0, column 4 is not finite"):
        engine.animate(target, np.where(np.arange(53) == 4, np.nan, 0.0))
    with pytest.raises(ValueError, match="non-integer index"):
        engine.prepare_target(V, [[0, 1, 2.5]])
    with pytest.raises(ValueError, match="integer array"):
        engine.prepare_target(V, np.asarray(F, dtype=np.float32))
    with pytest.raises(ValueError, match="no source frames given"):
        engine.encode(np.zeros((0, len(V), 3)), F)
    with pytest.raises(ValueError, match="naming"):
        engine.rig(target, naming="maya")
    with pytest.raises(ValueError, match="vertices, the source's neutral"):
        engine.encode(np.zeros((2, 10, 3), np.float32), F, neutral=V)
    with pytest.raises(RuntimeError, match="nope.csv"):
        nfs.read_weights_csv(str(tmp_path / "nope.csv"))
    (tmp_path / "bad.csv").write_text("jawOpen,eyeBlinkLeft\n0.5,x\n")
    with pytest.raises(RuntimeError, match="bad.csv:2: .*'x' is not a number"):
        nfs.read_weights_csv(str(tmp_path / "bad.csv"))


def test_progress_and_callback_errors(engine, demo_target):
    V, F = demo_target
    target = engine.prepare_target(V, F)
    calls = []
    engine.animate(target, np.zeros((20, 53), np.float32), progress=lambda d, n: calls.append((d, n)))
    assert calls[-1] == (20, 20) and [d for d, _ in calls] == sorted(d for d, _ in calls) and len(calls) == 3

    def stop(done, total):
        raise KeyboardInterrupt("stopped by the user")

    with pytest.raises(KeyboardInterrupt, match="stopped by the user"):
        engine.rig(target, progress=stop)
    assert len(engine.rig(target)) == 53  # the engine still works after a callback raised


def test_gil_released_while_computing(engine, demo_target):
    V, F = demo_target
    target = engine.prepare_target(V, F)
    ticks, done = [0], threading.Event()

    def work():
        engine.animate(target, np.zeros((64, 53), np.float32))
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():  # this loop runs only while the engine has let go of the GIL
        ticks[0] += 1
    t.join()
    assert ticks[0] > 1000


def test_weights_csv_round_trip_and_frame_rate(tmp_path):
    w = np.random.default_rng(0).random((7, 53), dtype=np.float32)
    nfs.write_weights_csv(str(tmp_path / "w.csv"), w)
    back = nfs.read_weights_csv(str(tmp_path / "w.csv"))
    np.testing.assert_array_equal(back.weights, w)
    assert back.timecodes == [] and back.frame_rate is None
    # A Live Link Face take at 60 rows a second over three seconds and a bit.
    rows = ["Timecode,BlendShapeCount,EyeBlinkLeft,JawOpen,HeadYaw"]
    for i in range(200):
        s, f = divmod(i, 60)
        rows.append("10:00:%02d:%02d.%03d,61,0.1,%g,0.2" % (s + 5, f // 2, 500 * (f % 2), i / 200))
    (tmp_path / "llf.csv").write_text("\n".join(rows) + "\n")
    take = nfs.read_weights_csv(str(tmp_path / "llf.csv"))
    assert take.num_frames == 200 and take.frame_rate == 60.0 and len(take.timecodes) == 200
    assert any("HeadYaw" in n for n in take.notes)
    jaw = nfs.expression_names().index("jawOpen")
    assert abs(take.weights[100, jaw] - 0.5) < 1e-6
