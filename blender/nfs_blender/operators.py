"""The operators: rig the active mesh, animate it from a take, retarget another mesh onto it."""

import math

import bpy
import numpy as np
from bpy_extras.io_utils import ImportHelper

from . import backend, mesh_io

NAMING_ITEMS = (("ict", "ICT", "The kit's 53 expressions (eyeBlink_L, ...)"),
                ("arkit", "ARKit", "ARKit's 51 blendshapes (eyeBlinkLeft, ...)"))
UP, FORWARD = "z", "-y"  # Blender's local space: Z up, the face looking along -Y


class _EngineOperator:
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context):
        obj = context.active_object
        if obj is None or obj.type != 'MESH' or context.mode != 'OBJECT':
            cls.poll_message_set("Needs an active mesh object in Object Mode")
            return False
        return True

    def execute(self, context):
        # Each apply computes everything before it writes, so an error leaves the scene as it was.
        try:
            return self.apply(context, backend.module(context))
        except (backend.Unavailable, RuntimeError, ValueError) as e:
            self.report({'ERROR'}, str(e))
            return {'CANCELLED'}


def _rig(context, obj, naming):
    """The rig's shape keys {name: [n,3] positions} for the object's rest mesh."""
    engine = backend.engine(context)
    rest = mesh_io.basis(obj.data)
    faces = mesh_io.polygons(obj.data)

    def call(progress):
        target = engine.prepare_target(rest, faces, up=UP, forward=FORWARD)
        return engine.rig(target, naming=naming, progress=progress)

    deltas = backend.run(context, "rigging", call)
    return {name: rest + delta for name, delta in deltas.items()}


def _key_values(nfs, mesh, weights):
    """Values [T] of each shape key the weights [T,53] drive: its ICT expressions' mean weight."""
    values = {}
    for kb in mesh_io.key_blocks(mesh):
        indices = nfs.ict_indices(kb.name)
        if indices:
            values[kb.name] = weights[:, indices].mean(axis=1)
    return values


class NFS_OT_rig(_EngineOperator, bpy.types.Operator):
    bl_idname = "nfs.rig"
    bl_label = "Rig"
    bl_description = "Give the active mesh one shape key per expression (replacing earlier ones)"

    naming: bpy.props.EnumProperty(name="Naming", items=NAMING_ITEMS, default="ict")

    def apply(self, context, nfs):
        obj = context.active_object
        keys = _rig(context, obj, self.naming)
        mesh_io.write_keys(obj, keys)
        self.report({'INFO'}, f"NFS: {len(keys)} shape keys on {obj.name}")
        return {'FINISHED'}


class NFS_OT_animate_take(_EngineOperator, ImportHelper, bpy.types.Operator):
    bl_idname = "nfs.animate_take"
    bl_label = "Animate from Take"
    bl_description = "Keyframe the active mesh's shape keys from a CSV take " \
                     "(ICT, ARKit or Live Link Face columns)"

    filename_ext = ".csv"
    filter_glob: bpy.props.StringProperty(default="*.csv", options={'HIDDEN'})
    fps: bpy.props.FloatProperty(
        name="Take FPS", default=30.0, min=1.0,
        description="The take's frame rate where its file has no timecodes to tell it")

    def apply(self, context, nfs):
        take = nfs.read_weights_csv(bpy.path.abspath(self.filepath))
        obj = context.active_object
        values = _key_values(nfs, obj.data, take.weights)
        if not values:
            raise ValueError(f"NFS: {obj.name} has no shape keys the take drives; rig it first")
        if take.num_frames == 0:
            raise ValueError("NFS: the take has no frames")
        scene = context.scene
        scene_fps = scene.render.fps / scene.render.fps_base
        step = scene_fps / (take.frame_rate or self.fps)
        frames = scene.frame_start + np.arange(take.num_frames) * step
        mesh_io.keyframe(obj.data, frames, values)
        scene.frame_end = max(scene.frame_end, math.ceil(frames[-1]))
        self.report({'INFO'}, f"NFS: {take.num_frames} frames on {len(values)} shape keys")
        return {'FINISHED'}


class NFS_OT_retarget(_EngineOperator, bpy.types.Operator):
    bl_idname = "nfs.retarget"
    bl_label = "Retarget"
    bl_description = "Clone the selected mesh's shape keys, or their animation, " \
                     "onto the active mesh"

    naming: bpy.props.EnumProperty(
        name="Naming", items=NAMING_ITEMS, default="ict",
        description="The shape keys a target gets for an animated source when it lacks them")

    def apply(self, context, nfs):
        target = context.active_object
        sources = [o for o in context.selected_objects if o != target and o.type == 'MESH']
        if len(sources) != 1:
            raise ValueError("NFS: select one source mesh besides the active (target) mesh")
        source = sources[0].data
        blocks = mesh_io.key_blocks(source)
        if not blocks:
            raise ValueError(f"NFS: the source {sources[0].name} has no shape keys to retarget")
        rest = mesh_io.basis(source)
        faces = mesh_io.polygons(source)
        engine = backend.engine(context)
        action = mesh_io.animated_action(source)
        if action is None:
            self._keys(context, nfs, engine, target, blocks, source, rest, faces)
        else:
            self._animation(context, nfs, engine, target, action, source, rest, faces)
        return {'FINISHED'}

    def _keys(self, context, nfs, engine, target, blocks, source, rest, faces):
        """Static source keys: each becomes a target key of the same name."""
        frames = np.stack([mesh_io.key_positions(source, kb) for kb in blocks])
        target_rest = mesh_io.basis(target.data)
        target_faces = mesh_io.polygons(target.data)

        def call(progress):
            prepared = engine.prepare_target(target_rest, target_faces, up=UP, forward=FORWARD)
            moved = engine.retarget(frames, faces, prepared, neutral=rest, up=UP, forward=FORWARD,
                                    progress=progress)
            # Keys relative to the decoded neutral, as the rig's are: the network's neutral is
            # within a fraction of a percent of the rest mesh, and a key must not carry that.
            return moved - engine.animate(prepared, np.zeros(nfs.NUM_EXPRESSIONS, np.float32))[0] + target_rest

        moved = backend.run(context, "retargeting", call)
        mesh_io.write_keys(target, {kb.name: co for kb, co in zip(blocks, moved)})
        self.report({'INFO'}, f"NFS: {len(blocks)} shape keys on {target.name}")

    def _animation(self, context, nfs, engine, target, action, source, rest, faces):
        """Animated source keys: their weights at each frame keyframe the target's rig."""
        times = mesh_io.action_frames(action)
        frames = mesh_io.sample(source, action, times)
        weights = backend.run(context, "encoding", lambda progress: engine.encode(
            frames, faces, neutral=rest, up=UP, forward=FORWARD, progress=progress))
        present = {kb.name for kb in mesh_io.key_blocks(target.data)}
        if not set(nfs.expression_names(self.naming)) <= present:
            mesh_io.write_keys(target, _rig(context, target, self.naming))
        values = _key_values(nfs, target.data, weights)
        mesh_io.keyframe(target.data, times, values)
        self.report({'INFO'}, f"NFS: {len(times)} frames on {len(values)} shape keys")
