"""Where the add-on finds the nfs module and the model, and which device it computes on."""

import bpy


class NFS_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    module_path: bpy.props.StringProperty(
        name="Module path", subtype='DIR_PATH',
        description="Folder holding the nfs Python module (nfs*.so), added to sys.path")
    model_path: bpy.props.StringProperty(
        name="Model", subtype='FILE_PATH',
        description="A .safetensors model; empty for the shipped default model")
    device: bpy.props.EnumProperty(
        name="Device", default="auto",
        items=(("auto", "Auto", "CUDA when a device is present, else CPU"),
               ("cpu", "CPU", "Compute on the CPU"),
               ("cuda", "CUDA", "Compute on the GPU")))

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "module_path")
        layout.prop(self, "model_path")
        layout.prop(self, "device")


def get(context):
    return context.preferences.addons[__package__].preferences
