// Adam over a set of named parameters. Parameters without a gradient are left alone (their
// moments do not advance), like torch.optim.Adam. The state (step count and both moments per
// parameter) saves to and loads from safetensors so a training run resumes exactly.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "kernels/adam.h"
#include "nn/autograd.h"

namespace nfs {

class Adam {
 public:
  Adam(std::vector<std::pair<std::string, Var>> params, AdamHyper hyper = {});

  void step();       // one update from the current gradients
  void zero_grad();  // clears every parameter's gradient
  int64_t steps() const { return step_; }
  AdamHyper& hyper() { return hyper_; }

  // "<name>.exp_avg", "<name>.exp_avg_sq" and "step" as tensors; metadata says "optimizer": "adam".
  std::map<std::string, Tensor> state() const;
  // Throws naming the tensor when the state does not match these parameters.
  void load_state(const std::map<std::string, Tensor>& state, const std::string& label);

 private:
  struct Slot {
    std::string name;
    Var param;
    Tensor m, v;
  };
  std::vector<Slot> slots_;
  AdamHyper hyper_;
  int64_t step_ = 0;
};

}  // namespace nfs
