#pragma once
// Private: the fused attention kernels behind AttentionImpl (LibTorch). Included only by src/gpt/*.cpp.
#include <torch/torch.h>

namespace spinformer::gpt::detail {

// Multi-head attention from the packed projections qkv [B, T, 3C] (q | k | v, head h in columns
// h d_head .. (h + 1) d_head - 1 of each) to y [B, T, C]:
//   y_i = sum_j softmax_j(scale q_i.k_j + bias_ij) v_j,  over j <= i when causal, else over all j,
// with bias [H, T, T] (undefined for none; its gradient flows when it requires one). One autograd
// node, written by hand per (batch row, head) in the manner of llm.c: q.k, scale, bias, causal mask,
// softmax and p.v in one pass over each query's allowed keys only (the masked half of the L x L block
// is never computed), reading the packed projections and writing y in place, so that no layout copy
// and no mask or bias tensor is made per step; the backward pass likewise. Only the weights [B H, T, T]
// are stored for the backward pass (in a buffer reused from step to step), and without gradients
// (evaluation) not even they. Its exponential is a polynomial (relative error below 3e-7) and
// its sums run in another order, so results agree with the LibTorch operators to float rounding, not
// bit for bit (tests/gpt/test_attention.cpp). The loops are compiled for AVX2 and for baseline x86-64
// (chosen at load time) without fused multiply-adds, so both give the same bits.
torch::Tensor fused_attention(const torch::Tensor& qkv, std::int64_t heads, double scale, bool causal,
                              const torch::Tensor& bias);

// Sequences of T >= gemm_min_length() take the same computation on matrix products (OpenBLAS sgemm per
// (batch row, head) in tiles of 64 queries: S = Q K^T, the fused row softmax, Y = P V; backward
// dV = P^T dY, dP = dY V^T, dQ = dS K, dK = dS^T Q), shorter ones the per-row loops above.
// Both agree with the LibTorch operators to the same tolerances; they differ from each
// other by float rounding (another summation order, and OpenBLAS's FMA kernels where the CPU has them).
// A process-wide switch for tests and the benchmark. The default, kGemmMinLength = 64, from same-run
// benchmarks on one core (bench/README.md): one layer's forward and backward alone (8,192 tokens) is
// faster on the per-row loops at T = 8 (up to 1.3x) and on the products from T = 16 (1.1x; 1.3-1.6x at
// 32, 1.7x at 64, 1.8x at 256), but in the whole L = 32 training step the products gained nothing
// measurable (0.92x, 0.94x and 0.98x in three runs), so below 64 the per-row loops stay and give the same bits as before.
constexpr std::int64_t kGemmMinLength = 64;
void set_gemm_min_length(std::int64_t T);
std::int64_t gemm_min_length();

// One new position t for the whole batch with a key/value cache (sampling): q [B, C] and the
// caches [B, H, L, d_head] (filled at 0..t) -> y [B, C], without gradients.
torch::Tensor cached_attention_step(const torch::Tensor& q, const torch::Tensor& k_cache, const torch::Tensor& v_cache,
                                    std::int64_t t, double scale, const torch::Tensor& bias_row);

}  // namespace spinformer::gpt::detail
