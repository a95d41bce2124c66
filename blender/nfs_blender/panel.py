"""The NFS tab of the 3D view's sidebar."""

import textwrap

import bpy

from . import backend


class NFS_PT_main(bpy.types.Panel):
    bl_space_type = 'VIEW_3D'
    bl_region_type = 'UI'
    bl_category = "NFS"
    bl_label = "NFS"

    def draw(self, context):
        layout = self.layout
        try:
            backend.module(context)
        except backend.Unavailable as e:
            column = layout.column(align=True)
            column.alert = True
            for i, line in enumerate(textwrap.wrap(str(e), 40)):
                column.label(text=line, icon='ERROR' if i == 0 else 'BLANK1')
        naming = context.scene.nfs_naming
        layout.prop(context.scene, "nfs_naming")
        layout.operator("nfs.rig", icon='SHAPEKEY_DATA').naming = naming
        layout.operator("nfs.animate_take", icon='FILE_TICK')
        layout.operator("nfs.retarget", icon='MOD_DATA_TRANSFER').naming = naming
