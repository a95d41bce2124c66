"""Headless test of the NFS Blender add-on, run by tests/blender/run_addon_test.sh:

    blender -b --factory-startup --python tests/blender/test_addon.py -- --zip Z --module-dir D \
        --target data/demo/target.obj --take data/demo/take.csv --tmp TMPDIR

It installs the add-on zip, rigs, animates and retargets the demo mesh through the operators, and
checks the results against the nfs module's own calls. Exit code 1 on any failure.
"""
import argparse
import importlib.util
import math
import os
import sys
import traceback

import bmesh
import bpy
import numpy as np

UP, FORWARD = "z", "-y"
checks = 0


def check(condition, what):
    global checks
    if not condition:
        raise AssertionError(what)
    checks += 1


def raises(call, fragment, what):
    """Checks that an operator call fails with a report containing fragment."""
    try:
        call()
    except RuntimeError as e:
        check(fragment in str(e), f"{what}: '{fragment}' in '{e}'")
        return
    check(False, f"{what}: the operator did not fail")


def parse():
    parser = argparse.ArgumentParser(prog="test_addon.py")
    for flag in ("--zip", "--module-dir", "--target", "--take", "--tmp"):
        parser.add_argument(flag, required=True)
    argv = sys.argv
    return parser.parse_args(argv[argv.index("--") + 1:] if "--" in argv else [])


def read(collection, count):
    flat = np.empty(count * 3, dtype=np.float32)
    collection.foreach_get("co", flat)
    return flat.reshape(count, 3)


def rest_and_faces(mesh):
    n = len(mesh.vertices)
    return read(mesh.vertices, n), [list(p.vertices) for p in mesh.polygons]


def keys(obj):
    return list(obj.data.shape_keys.key_blocks)[1:] if obj.data.shape_keys else []


def activate(active, *others):
    for o in bpy.context.view_layer.objects:
        o.select_set(False)
    for o in (active,) + others:
        o.select_set(True)
    bpy.context.view_layer.objects.active = active


def curve_points(obj, name):
    fcurve = obj.data.shape_keys.animation_data.action.fcurves.find(f'key_blocks["{name}"].value')
    co = np.empty(len(fcurve.keyframe_points) * 2, dtype=np.float32)
    fcurve.keyframe_points.foreach_get("co", co)
    return fcurve, co.reshape(-1, 2)


def check_run():
    """backend.run: the call's result or its error comes back from its worker thread."""
    from nfs_blender import backend

    def fails(progress):
        raise ValueError("no")

    check(backend.run(bpy.context, "test", lambda progress: progress(1, 2) or 5) == 5, "run")
    try:
        backend.run(bpy.context, "test", fails)
        check(False, "run re-raises")
    except ValueError as e:
        check(str(e) == "no", "run re-raises the call's error")


def check_polygons(mesh):
    """mesh_io.polygons: all quads as one [f,4] array, mixed sizes as lists, as Blender has them."""
    from nfs_blender import mesh_io
    quads = mesh_io.polygons(mesh)
    check(isinstance(quads, np.ndarray) and quads.shape == (len(mesh.polygons), 4), "quads as one array")
    check(quads.tolist() == [list(p.vertices) for p in mesh.polygons], "quad polygons")
    mixed = mesh.copy()
    bm = bmesh.new()
    bm.from_mesh(mixed)
    bmesh.ops.triangulate(bm, faces=bm.faces[:1])
    bm.to_mesh(mixed)
    bm.free()
    check(mesh_io.polygons(mixed) == [list(p.vertices) for p in mixed.polygons], "mixed polygons as lists")
    bpy.data.meshes.remove(mixed)


def main(args):
    tmp = os.path.realpath(args.tmp)
    for var in ("BLENDER_USER_SCRIPTS", "BLENDER_USER_CONFIG"):
        check(os.path.realpath(os.environ.get(var, "/")).startswith(tmp), f"{var} is under --tmp")

    check(bpy.ops.preferences.addon_install(filepath=args.zip) == {'FINISHED'}, "install")
    check(bpy.ops.preferences.addon_enable(module="nfs_blender") == {'FINISHED'}, "enable")
    check("nfs_blender" in bpy.context.preferences.addons, "the add-on is enabled")
    check(hasattr(bpy.types, "NFS_PT_main"), "the panel is registered")
    check('UNDO' in bpy.types.NFS_OT_rig.bl_options, "the operators can be undone")
    check_run()
    check_polygons(bpy.data.meshes["Cube"])

    for o in list(bpy.data.objects):
        bpy.data.objects.remove(o)
    bpy.ops.wm.obj_import(filepath=args.target)
    face = bpy.context.selected_objects[0]
    pristine = face.data.copy()  # an unrigged mesh for the later targets
    scene = bpy.context.scene

    def fresh(name):
        obj = bpy.data.objects.new(name, pristine.copy())
        scene.collection.objects.link(obj)
        return obj

    activate(face)
    face.select_set(False)
    bpy.context.view_layer.objects.active = None
    check(not bpy.ops.nfs.rig.poll(), "no rig without an active mesh")
    activate(face)
    if importlib.util.find_spec("nfs") is None:
        raises(lambda: bpy.ops.nfs.rig(), "the nfs Python module cannot be imported",
               "rig without the module")
        check(face.data.shape_keys is None, "no keys without the module")
    bpy.context.preferences.addons["nfs_blender"].preferences.module_path = args.module_dir
    sys.path.insert(0, args.module_dir)
    import nfs
    engine = nfs.Engine()

    # Rig (ICT), twice: the second run replaces the keys.
    ict = nfs.expression_names("ict")
    check(bpy.ops.nfs.rig(naming="ict") == {'FINISHED'}, "rig ict")
    check(bpy.ops.nfs.rig(naming="ict") == {'FINISHED'}, "rig ict again")
    check([kb.name for kb in keys(face)] == ict and len(ict) == 53, "53 ICT keys, in order")
    rest, faces = rest_and_faces(face.data)
    n = len(rest)
    check(np.array_equal(read(face.data.shape_keys.reference_key.data, n), rest), "basis = rest")
    expected = engine.rig(engine.prepare_target(rest, faces, up=UP, forward=FORWARD))
    worst = max(np.abs(read(kb.data, n) - rest - expected[kb.name]).max() for kb in keys(face))
    check(worst < 1e-5, f"key deltas match engine.rig (worst {worst:.2e})")
    jaw = np.linalg.norm(read(face.data.shape_keys.key_blocks["jawOpen"].data, n) - rest, axis=1)
    check(jaw.max() > 0, "jawOpen moves vertices")

    # Animate from take.
    take = nfs.read_weights_csv(args.take)
    rows = take.num_frames
    scene.frame_end = 2
    check(bpy.ops.nfs.animate_take(filepath=args.take) == {'FINISHED'}, "animate")
    step = scene.render.fps / scene.render.fps_base / (take.frame_rate or 30.0)
    frames = scene.frame_start + np.arange(rows) * step
    for i, name in enumerate(ict):
        fcurve, co = curve_points(face, name)
        check(len(co) == rows, f"{name}: one keyframe per take row")
        check(np.allclose(co[:, 0], frames, atol=1e-4), f"{name}: keyframes at the take's times")
        check(np.allclose(co[:, 1], take.weights[:, i], atol=1e-6), f"{name}: take weights")
        check(fcurve.keyframe_points[rows // 2].interpolation == 'LINEAR', f"{name}: linear")
    check(scene.frame_end == math.ceil(frames[-1]), "frame_end covers the take")
    row = next(r for r in range(rows) if abs(frames[r] - round(frames[r])) < 1e-6 and r > 0)
    scene.frame_set(int(round(frames[row])))
    values = np.array([face.data.shape_keys.key_blocks[name].value for name in ict])
    check(np.allclose(values, take.weights[row], atol=1e-5), "evaluated keys = take weights")

    # Rig (ARKit) on a copy; a missing take fails with the engine's message and adds nothing.
    arkit_face = fresh("arkit")
    activate(arkit_face)
    check(bpy.ops.nfs.rig(naming="arkit") == {'FINISHED'}, "rig arkit")
    arkit = nfs.expression_names("arkit")
    check([kb.name for kb in keys(arkit_face)] == arkit and len(arkit) == 51, "51 ARKit keys")
    missing = os.path.join(tmp, "missing.csv")
    try:
        nfs.read_weights_csv(missing)
        check(False, "reading a missing take fails")
    except RuntimeError as e:
        message = str(e)
    raises(lambda: bpy.ops.nfs.animate_take(filepath=missing), message, "missing take")
    check(arkit_face.data.shape_keys.animation_data is None, "no animation from a missing take")

    # Retarget static keys: a source with three of the rig's keys, onto a fresh target.
    source = face.copy()
    source.data = face.data.copy()
    scene.collection.objects.link(source)
    source.data.shape_keys.animation_data_clear()
    kept = ["eyeBlink_L", "jawOpen", "mouthSmile_R"]
    for kb in keys(source):
        if kb.name not in kept:
            source.shape_key_remove(kb)
    target = fresh("static_target")
    activate(target, source)
    check(bpy.ops.nfs.retarget() == {'FINISHED'}, "retarget static keys")
    check([kb.name for kb in keys(target)] == kept, "the source's key names on the target")
    source_frames = np.stack([read(kb.data, n) for kb in keys(source)])
    prepared = engine.prepare_target(rest, faces, up=UP, forward=FORWARD)
    moved = engine.retarget(source_frames, faces, prepared, neutral=rest, up=UP, forward=FORWARD)
    decoded_neutral = engine.animate(prepared, np.zeros(53, np.float32))[0]
    for kb, co in zip(keys(target), moved):
        got = read(kb.data, n)
        check(np.abs(got - (rest + co - decoded_neutral)).max() < 1e-5,
              f"{kb.name}: rest + engine.retarget - the decoded neutral")
    jaw_moved = np.linalg.norm(read(target.data.shape_keys.key_blocks["jawOpen"].data, n) - rest,
                               axis=1)
    check(jaw_moved.max() > 1e-4 * np.ptp(rest, axis=0).max(), "retargeted jawOpen moves")

    # Retarget animation: the animated ICT face drives an unrigged target, rigged as ARKit.
    target = fresh("animated_target")
    activate(target, face)
    check(bpy.ops.nfs.retarget(naming="arkit") == {'FINISHED'}, "retarget animation")
    check([kb.name for kb in keys(target)] == arkit, "the unrigged target got the ARKit rig")
    start, end = face.data.shape_keys.animation_data.action.frame_range
    times = np.arange(math.ceil(start), math.floor(end) + 1)
    depsgraph = bpy.context.evaluated_depsgraph_get()
    sampled = []
    for t in times:
        scene.frame_set(int(t))
        evaluated = face.evaluated_get(depsgraph)
        sampled.append(read(evaluated.to_mesh().vertices, n))
        evaluated.to_mesh_clear()
    weights = engine.encode(np.stack(sampled), faces, neutral=rest, up=UP, forward=FORWARD)
    groups = nfs.arkit_groups()
    for name in arkit:
        _, co = curve_points(target, name)
        check(np.allclose(co[:, 0], times), f"{name}: a keyframe per source frame")
        worst = np.abs(co[:, 1] - weights[:, groups[name]].mean(axis=1)).max()
        check(worst < 1e-4, f"{name}: encoded weights (worst {worst:.2e})")

    bare = fresh("bare")
    activate(target, bare)
    raises(lambda: bpy.ops.nfs.retarget(), "has no shape keys", "source without shape keys")

    check(bpy.ops.preferences.addon_disable(module="nfs_blender") == {'FINISHED'}, "disable")


if __name__ == "__main__":
    try:
        main(parse())
    except Exception:
        traceback.print_exc()
        print(f"test_addon: FAILED after {checks} checks")
        sys.exit(1)
    print(f"test_addon: {checks} checks passed")
