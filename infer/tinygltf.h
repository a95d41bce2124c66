// The one way to include tinygltf in this project: every file must see the same configuration
// (the TinyGLTF class's default image callbacks depend on it), so include this, never
// <tiny_gltf.h> directly. We read and write no images: stb_image is left out, and
// stb_image_write's implementation lives in geometry/image_io.cpp, so tinygltf must not define
// it again. External image files are never opened. The implementation is compiled once, in
// infer/tinygltf_impl.cpp.
#pragma once
#define TINYGLTF_NO_STB_IMAGE
#define TINYGLTF_NO_STB_IMAGE_WRITE
#define TINYGLTF_NO_EXTERNAL_IMAGE
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#endif
#include <tiny_gltf.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
