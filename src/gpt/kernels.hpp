#pragma once
// Which implementation computes IsingGPT's attention: the fused kernels of src/gpt/attention.cpp
// (the default) or LibTorch's operators written out as in the equations (the reference, kept for
// tests and the benchmark's before/after comparison). A process-wide switch; set it before training
// or evaluating, not while another thread does. Attention maps (Model::attention) and training with
// dropout always take the reference path (they need the weights as a tensor of their own).
namespace spinformer::gpt {

enum class AttentionPath { fused, libtorch };
void set_attention_path(AttentionPath path);
AttentionPath attention_path();

}  // namespace spinformer::gpt
