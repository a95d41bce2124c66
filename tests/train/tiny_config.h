// The tiny training configuration the tests share: a width-8 network on 600–800-vertex re-meshes,
// a few seconds per run on the CPU.
#pragma once
#include "train/train_config.h"

namespace nfs::test {

inline TrainConfig tiny_train_config(int remesh_vertices = 800, float dropout = 0.0f) {
  TrainConfig c;
  c.model.width = 8;
  c.model.id_blocks = c.model.exp_blocks = c.model.skin_blocks = 1;
  c.model.eigenpairs = 16;
  c.model.skin_hidden = 16;
  c.model.decoder_hidden = 32;
  c.model.decoder_groups = 8;
  c.model.decoder_hidden_layers = 2;
  c.model.dropout = dropout;
  c.device = "cpu";
  c.batch = 2;
  c.lr = 3e-3f;
  c.train_identities = 2;
  c.ict_topology = false;
  c.remesh_vertices = {remesh_vertices};
  c.validation_expressions = 4;
  c.ict_model = NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors";
  return c;
}

}  // namespace nfs::test
