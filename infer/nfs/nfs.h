// NFS engine, public API: mesh-agnostic facial expression cloning for embedding in engines and
// DCC plug-ins. This is the one header of libnfs.a; it exposes only the standard library.
//
//   nfs::Retargeter r({"model.safetensors"});              // CPU or CUDA (auto)
//   int target = r.prepare_target("stylized_head.obj");    // aligned, operators cached, once
//   auto codes = r.encode({"actor_0001.obj", "actor_0002.obj"});
//   r.set_weight(codes[0], "jawOpen", 0.3f);               // edit by FACS name
//   auto meshes = r.decode(target, codes);                 // target's vertices, user's units
//
// Meshes are OBJ files or raw arrays (positions x,y,z per vertex; triangles i,j,k). Results come
// back in the target's own frame and units. Every failure throws std::runtime_error (files,
// models) or std::invalid_argument (arguments) with a one-line message naming the problem.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace nfs {

struct RetargeterOptions {
  std::string model;            // checkpoint (.safetensors); empty: the default model
  std::string device = "auto";  // "cpu", "cuda" or "auto"
  std::string ict_model;        // the ICT asset used for alignment; empty: the default
  int batch = 8;                // frames per network pass
};

class Retargeter {
 public:
  explicit Retargeter(const RetargeterOptions& options);
  ~Retargeter();
  Retargeter(const Retargeter&) = delete;
  Retargeter& operator=(const Retargeter&) = delete;

  // A neutral target mesh, prepared once; returns its handle.
  int prepare_target(const std::string& obj_path);
  int prepare_target(const std::vector<float>& positions, const std::vector<int>& triangles);
  int target_vertex_count(int target) const;

  // Expression codes of source frames (one topology per call). The source's neutral face
  // (`neutral_path`, or the first frame when empty) is aligned, and the frames are read
  // relative to it. Each code's first 53 entries are the FACS weights (expression_names() order).
  std::vector<std::vector<float>> encode(const std::vector<std::string>& obj_paths,
                                         const std::string& neutral_path = "");
  // A code from FACS weights (53 values), the other entries 0.
  std::vector<float> code_from_weights(const std::vector<float>& weights) const;
  // Sets one weight by ICT, ARKit or Live Link Face name (both halves for browInnerUp, cheekPuff).
  static void set_weight(std::vector<float>& code, const std::string& name, float value);
  static const std::vector<std::string>& expression_names();

  // Target positions (x,y,z per vertex, the target's frame and units) for each code.
  std::vector<std::vector<float>> decode(int target, const std::vector<std::vector<float>>& codes);

  // "cpu" or "cuda": where the network runs.
  std::string device() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The engine's version, "major.minor.patch".
const char* version();

}  // namespace nfs
