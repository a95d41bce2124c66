// tinygltf's implementation, compiled once for the whole library (configuration in
// infer/tinygltf.h).
#define TINYGLTF_IMPLEMENTATION
#include "infer/tinygltf.h"
