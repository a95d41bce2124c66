"""NFS facial expression cloning in Blender: rig a face mesh, animate it from a take, retarget."""

bl_info = {
    "name": "NFS",
    "author": "NFS",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "View3D > Sidebar > NFS",
    "description": "Rig a face mesh with FACS shape keys, animate it from a CSV take, "
                   "retarget expressions between meshes",
    "category": "NFS",
}

import bpy

from . import operators, panel, preferences

_classes = (
    preferences.NFS_AddonPreferences,
    operators.NFS_OT_rig,
    operators.NFS_OT_animate_take,
    operators.NFS_OT_retarget,
    panel.NFS_PT_main,
)


def register():
    for cls in _classes:
        bpy.utils.register_class(cls)
    bpy.types.Scene.nfs_naming = bpy.props.EnumProperty(
        name="Naming", items=operators.NAMING_ITEMS, default="ict",
        description="Shape key names the rig creates")


def unregister():
    del bpy.types.Scene.nfs_naming
    for cls in reversed(_classes):
        bpy.utils.unregister_class(cls)
