#include "nn/adam.h"

#include <stdexcept>

#include "nn/dispatch.h"

namespace nfs {

Adam::Adam(std::vector<std::pair<std::string, Var>> params, AdamHyper hyper) : hyper_(hyper) {
  for (auto& [name, p] : params) {
    if (!p.requires_grad()) throw std::invalid_argument("Adam: parameter " + name + " does not require grad");
    const Tensor& t = p.value();
    slots_.push_back({name, p, Tensor::zeros(t.shape(), t.device()), Tensor::zeros(t.shape(), t.device())});
  }
}

void Adam::step() {
  ++step_;
  for (Slot& s : slots_) {
    const Tensor& g = s.param.grad();
    if (!g.defined()) continue;
    Tensor& p = s.param.mutable_value();
    NFS_DISPATCH(p.device(),
                 cpu::adam_step(p.f32(), s.m.f32(), s.v.f32(), g.f32(), p.numel(), hyper_, step_),
                 cuda::adam_step(p.f32(), s.m.f32(), s.v.f32(), g.f32(), p.numel(), hyper_, step_,
                                 cuda::stream()));
  }
}

void Adam::zero_grad() {
  for (Slot& s : slots_) s.param.zero_grad();
}

std::map<std::string, Tensor> Adam::state() const {
  std::map<std::string, Tensor> out;
  for (const Slot& s : slots_) {
    out[s.name + ".exp_avg"] = s.m;
    out[s.name + ".exp_avg_sq"] = s.v;
  }
  // The step count as two int32 halves: safetensors here carries F32 and I32 only.
  out["step"] = Tensor::from_ints({2}, {static_cast<int32_t>(step_ & 0x7fffffff),
                                        static_cast<int32_t>(step_ >> 31)});
  return out;
}

void Adam::load_state(const std::map<std::string, Tensor>& state, const std::string& label) {
  auto get = [&](const std::string& name, const Shape& shape) -> const Tensor& {
    auto it = state.find(name);
    if (it == state.end()) throw std::runtime_error(label + ": optimizer state lacks '" + name + "'");
    if (it->second.shape() != shape)
      throw std::runtime_error(label + ": optimizer tensor '" + name + "' has shape " +
                               it->second.shape().str() + ", the parameter has " + shape.str());
    return it->second;
  };
  const Tensor& st = get("step", Shape{2});
  if (st.dtype() != DType::I32) throw std::runtime_error(label + ": optimizer 'step' is not I32");
  std::vector<int32_t> halves = st.to_int_vector();
  for (Slot& s : slots_) {
    s.m.copy_(get(s.name + ".exp_avg", s.m.shape()));
    s.v.copy_(get(s.name + ".exp_avg_sq", s.v.shape()));
  }
  step_ = (int64_t(halves[1]) << 31) | int64_t(halves[0]);
}

}  // namespace nfs
