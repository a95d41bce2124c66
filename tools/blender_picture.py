"""Renders what the Blender add-on makes, for docs/USAGE.md: the demo target rigged by the add-on
(Rig, ICT naming), shown neutral and with a few of its shape keys at 1.0, by Cycles on the CPU.
Run by tools/blender_picture.sh (it installs the add-on into a temporary Blender user folder):

    blender -b --factory-startup --python tools/blender_picture.py -- --zip Z --module-dir D \
        --target data/demo/target.obj --out docs/images/blender_addon.png
"""
import argparse
import sys

import bpy
from mathutils import Vector

POSES = [("neutral", {}),
         ("jawOpen", {"jawOpen": 1.0}),
         ("mouthSmile L+R", {"mouthSmile_L": 1.0, "mouthSmile_R": 1.0}),
         ("cheekPuff L+R", {"cheekPuff_L": 1.0, "cheekPuff_R": 1.0}),
         ("eyeBlink + browInnerUp", {"eyeBlink_L": 1.0, "eyeBlink_R": 1.0,
                                     "browInnerUp_L": 1.0, "browInnerUp_R": 1.0}),
         ("mouthFunnel", {"mouthFunnel": 1.0})]


def parse():
    p = argparse.ArgumentParser()
    for name in ("--zip", "--module-dir", "--target", "--out"):
        p.add_argument(name, required=True)
    p.add_argument("--samples", type=int, default=24)
    return p.parse_args(sys.argv[sys.argv.index("--") + 1:])


def skin_material():
    m = bpy.data.materials.new("skin")
    m.use_nodes = True
    bsdf = m.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (0.7, 0.5, 0.4, 1.0)
    bsdf.inputs["Roughness"].default_value = 0.55
    return m


def label(text, location, height):
    """A dark text object facing the camera under a head."""
    bpy.ops.object.text_add(location=location, rotation=(1.5708, 0, 0))
    obj = bpy.context.object
    obj.data.body = text
    obj.data.size = height
    obj.data.align_x = 'CENTER'
    m = bpy.data.materials.new("label")
    m.diffuse_color = (0.05, 0.05, 0.05, 1.0)
    m.use_nodes = True
    m.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (0.02, 0.02, 0.02, 1)
    obj.data.materials.append(m)


def main(args):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.preferences.addon_install(filepath=args.zip)
    bpy.ops.preferences.addon_enable(module="nfs_blender")
    bpy.context.preferences.addons["nfs_blender"].preferences.module_path = args.module_dir
    bpy.ops.wm.obj_import(filepath=args.target)
    head = bpy.context.selected_objects[0]
    bpy.context.view_layer.objects.active = head
    if bpy.ops.nfs.rig(naming="ict") != {'FINISHED'}:
        raise RuntimeError("Rig failed")
    for p in head.data.polygons:
        p.use_smooth = True
    head.data.materials.append(skin_material())
    corners = [head.matrix_world @ Vector(c) for c in head.bound_box]
    low = Vector([min(c[k] for c in corners) for k in range(3)])
    high = Vector([max(c[k] for c in corners) for k in range(3)])
    size = high - low
    gap = size.x * 1.15
    scene = bpy.context.scene
    for i, (text, keys) in enumerate(POSES):
        obj = head if i == 0 else head.copy()
        if i:
            obj.data = head.data.copy()
            scene.collection.objects.link(obj)
        obj.location.x += i * gap
        for kb in obj.data.shape_keys.key_blocks[1:]:
            kb.value = keys.get(kb.name, 0.0)
        label(text, Vector(((low.x + high.x) / 2 + i * gap, low.y - 0.01 * size.y, low.z - 0.09 * size.z)),
              0.075 * size.x)
    # An orthographic camera looking along +Y at the row of heads (Blender: the face looks -Y).
    width, height = len(POSES) * gap, size.z * 1.18
    centre = Vector(((low.x + high.x) / 2 + (len(POSES) - 1) * gap / 2, 0, low.z + size.z / 2 - 0.07 * size.z))
    bpy.ops.object.camera_add(location=centre + Vector((0, low.y - 10 * size.y, 0)), rotation=(1.5708, 0, 0))
    cam = bpy.context.object
    cam.data.type = 'ORTHO'
    cam.data.ortho_scale = width
    cam.data.clip_end = 100 * size.y
    scene.camera = cam
    # A key light from the upper left front, a weaker fill from the right, a dim grey world.
    bpy.ops.object.light_add(type='SUN', rotation=(1.05, 0.0, -0.55))
    bpy.context.object.data.energy = 2.6
    bpy.ops.object.light_add(type='SUN', rotation=(1.35, 0.0, 0.8))
    bpy.context.object.data.energy = 1.0
    world = bpy.data.worlds.new("world")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.85, 0.86, 0.88, 1.0)
    world.node_tree.nodes["Background"].inputs["Strength"].default_value = 0.35
    scene.world = world
    scene.render.engine = 'CYCLES'
    scene.cycles.device = 'CPU'
    scene.cycles.samples = args.samples
    scene.cycles.use_denoising = False
    scene.view_settings.view_transform = 'Standard'
    scene.render.resolution_x = 260 * len(POSES)
    scene.render.resolution_y = int(scene.render.resolution_x * height / width)
    scene.render.resolution_percentage = 100
    scene.render.filepath = args.out
    bpy.ops.render.render(write_still=True)
    print(f"blender_picture: wrote {args.out}")


if __name__ == "__main__":
    main(parse())
