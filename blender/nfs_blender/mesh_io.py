"""Blender meshes, shape keys and fcurves to and from numpy arrays, in the object's local space."""

import math

import bpy
import numpy as np

LINEAR = 1  # the value of 'LINEAR' in Keyframe.interpolation, as foreach_set takes enums


def _read_co(collection, count):
    flat = np.empty(count * 3, dtype=np.float32)
    collection.foreach_get("co", flat)
    return flat.reshape(count, 3)


def basis(mesh):
    """Rest positions [n,3]: the reference shape key when there is one, else the vertices."""
    count = len(mesh.vertices)
    if mesh.shape_keys is not None:
        return _read_co(mesh.shape_keys.reference_key.data, count)
    return _read_co(mesh.vertices, count)


def polygons(mesh):
    """Faces as the engine takes them: one array [f,k] when every face has k corners (all
    triangles, all quads), else a list of vertex index lists."""
    loops = np.empty(len(mesh.loops), dtype=np.int32)
    mesh.loops.foreach_get("vertex_index", loops)
    starts = np.empty(len(mesh.polygons), dtype=np.int32)
    totals = np.empty(len(mesh.polygons), dtype=np.int32)
    mesh.polygons.foreach_get("loop_start", starts)
    mesh.polygons.foreach_get("loop_total", totals)
    if len(totals) > 0 and np.all(totals == totals[0]):
        return loops[starts[:, None] + np.arange(totals[0])]
    return [loops[s:s + t].tolist() for s, t in zip(starts, totals)]


def key_blocks(mesh):
    """The non-reference shape keys, in order."""
    if mesh.shape_keys is None:
        return []
    reference = mesh.shape_keys.reference_key
    return [kb for kb in mesh.shape_keys.key_blocks if kb != reference]


def key_positions(mesh, kb):
    return _read_co(kb.data, len(mesh.vertices))


def write_keys(obj, positions):
    """Sets shape keys {name: [n,3] positions}, adding a Basis and keys that are missing."""
    if obj.data.shape_keys is None:
        obj.shape_key_add(name="Basis", from_mix=False)
    blocks = obj.data.shape_keys.key_blocks
    for name, co in positions.items():
        kb = blocks.get(name)
        if kb is None:
            kb = obj.shape_key_add(name=name, from_mix=False)
        kb.data.foreach_set("co", np.ascontiguousarray(co, dtype=np.float32).ravel())
    obj.data.update()


def animated_action(mesh):
    """The action animating the mesh's shape keys, or None when they are static."""
    keys = mesh.shape_keys
    ad = keys.animation_data if keys is not None else None
    if ad is None or ad.action is None or len(ad.action.fcurves) == 0:
        return None
    return ad.action


def action_frames(action):
    """The whole frames within the action's frame range."""
    start, end = action.frame_range
    return np.arange(math.ceil(start), math.floor(end) + 1, dtype=np.float64)


def sample(mesh, action, frames):
    """Positions [T,n,3] of the mesh's shape key mix at each frame, as Blender mixes them."""
    rest = basis(mesh)
    result = np.repeat(rest[None], len(frames), axis=0)
    blocks = key_blocks(mesh)
    positions = {kb.name: key_positions(mesh, kb) for kb in blocks}
    positions[mesh.shape_keys.reference_key.name] = rest
    for kb in blocks:
        if kb.mute:
            continue
        fcurve = action.fcurves.find(kb.path_from_id("value"))
        if fcurve is None:
            values = np.full(len(frames), kb.value)
        else:
            values = np.array([fcurve.evaluate(f) for f in frames])
        values = np.clip(values, kb.slider_min, kb.slider_max).astype(np.float32)
        result += values[:, None, None] * (positions[kb.name] - positions[kb.relative_key.name])
    return result


def keyframe(mesh, frames, values):
    """Linear keyframes for shape key values {name: [T]} at frames [T], replacing their curves."""
    keys = mesh.shape_keys
    ad = keys.animation_data or keys.animation_data_create()
    if ad.action is None:
        ad.action = bpy.data.actions.new(name=f"{keys.name}Action")
    fcurves = ad.action.fcurves
    co = np.empty((len(frames), 2), dtype=np.float32)
    co[:, 0] = frames
    for name, column in values.items():
        path = keys.key_blocks[name].path_from_id("value")
        old = fcurves.find(path)
        if old is not None:
            fcurves.remove(old)
        fcurve = fcurves.new(path)
        fcurve.keyframe_points.add(len(frames))
        co[:, 1] = column
        fcurve.keyframe_points.foreach_set("co", co.ravel())
        fcurve.keyframe_points.foreach_set("interpolation", [LINEAR] * len(frames))
        fcurve.update()
