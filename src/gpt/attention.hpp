#pragma once
// Private: the fused attention kernels behind AttentionImpl (LibTorch). Included only by src/gpt/*.cpp.
#include <torch/torch.h>

namespace spinformer::gpt::detail {

// Multi-head attention from the packed projections qkv [B, T, 3C] (q | k | v, head h in columns
// h d_head .. (h + 1) d_head - 1 of each) to y [B, T, C]:
//   y_i = sum_j softmax_j(scale q_i.k_j + bias_ij) v_j,  over j <= i when causal, else over all j,
// with bias [H, T, T] (undefined for none; its gradient flows when it requires one). One autograd
// node: the logits are computed by batched matrix products, and scale, bias, causal mask and softmax
// are applied in one pass over the row's allowed keys only, in place; the backward pass fuses the
// softmax derivative the same way. Nothing of size [T, T] is materialised per step besides the
// weights themselves. Its exponential is a polynomial (relative error below 3e-7), so results agree
// with the LibTorch operators to float rounding, not bit for bit (tests/gpt/test_attention.cpp).
torch::Tensor fused_attention(const torch::Tensor& qkv, std::int64_t heads, double scale, bool causal,
                              const torch::Tensor& bias);

// One new position t for the whole batch with a key/value cache (sampling): q [B, C] and the
// caches [B, H, L, d_head] (filled at 0..t) -> y [B, C], without gradients.
torch::Tensor cached_attention_step(const torch::Tensor& q, const torch::Tensor& k_cache, const torch::Tensor& v_cache,
                                    std::int64_t t, double scale, const torch::Tensor& bias_row);

}  // namespace spinformer::gpt::detail
