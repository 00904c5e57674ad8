// Fused attention for IsingGPT, written by hand per (batch row, head): forward and backward passes
// over the allowed (causal) keys only, and the cached step for sampling.
#include "gpt/attention.hpp"

#include <atomic>

#include <cblas.h>

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gpt/kernels.hpp"

namespace spinformer::gpt::detail {
namespace {

std::atomic<std::int64_t> g_gemm_min_length{kGemmMinLength};

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// exp(x) for x <= 0 (a softmax after subtracting the row maximum), Cephes' polynomial on
// x = n ln 2 + r, |r| <= ln 2 / 2; branch-free so that the compiler vectorises the loops that call it.
// Relative error below 3e-7; arguments below -87.3 (2^-126) give 0. Logits must be finite.
inline float exp_nonpositive(float x) {
  const float y = x * 1.44269504088896341f;
  const int n = static_cast<int>(y - 0.5f);  // round to nearest for y <= 0
  const float fn = static_cast<float>(n);
  float r = x - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const std::int32_t bits = n >= -126 ? (n + 127) << 23 : 0;  // 2^n, or 0 below the normal floats
  return p * __builtin_bit_cast(float, bits);
}

// Reductions in eight interleaved lanes: a fixed summation order that the compiler vectorises
// without -ffast-math, the same on every instruction set.
inline float lane_max(const float* s, std::int64_t n) {
  float acc[8];
  std::fill(acc, acc + 8, -std::numeric_limits<float>::infinity());
  std::int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; ++k) acc[k] = acc[k] > s[j + k] ? acc[k] : s[j + k];
  float m = acc[0];
  for (int k = 1; k < 8; ++k) m = std::max(m, acc[k]);
  for (; j < n; ++j) m = std::max(m, s[j]);
  return m;
}

inline float lane_dot(const float* a, const float* b, std::int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; ++k) acc[k] += a[j + k] * b[j + k];
  float sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; j < n; ++j) sum += a[j] * b[j];
  return sum;
}

inline float lane_sum(const float* s, std::int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; ++k) acc[k] += s[j + k];
  float sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; j < n; ++j) sum += s[j];
  return sum;
}

// Softmax of x_j = scale s_j + b_j over j < n, in place on s[0..n).
inline void softmax_row(float* s, const float* b, std::int64_t n, float scale) {
  if (b) {
    for (std::int64_t j = 0; j < n; ++j) s[j] = s[j] * scale + b[j];
  } else {
    for (std::int64_t j = 0; j < n; ++j) s[j] = s[j] * scale;
  }
  const float m = lane_max(s, n);
  for (std::int64_t j = 0; j < n; ++j) s[j] = exp_nonpositive(s[j] - m);
  const float inv = 1.0f / lane_sum(s, n);
  for (std::int64_t j = 0; j < n; ++j) s[j] *= inv;
}

// One (batch row, head): the queries, keys and values are rows of the packed projections.
struct Head {
  const float* q;  // q_i at q + i * stride, k_j at q + C + j * stride, v_j at q + 2 C + j * stride
  std::int64_t stride, C, T, Tp, hd;  // Tp: T rounded up to kBlock, the row length of the weights
  bool causal;
  float scale;
};

constexpr std::int64_t kBlock = 16;  // keys per register block

#define SPINFORMER_INLINE inline __attribute__((always_inline))

// out[j] = sum_d x[d] t[d Tp + j] for j < n rounded up to kBlock: an outer product over the head
// dimension with kBlock sums held in registers, the keys (t = keys transposed) contiguous.
template <int HD>
SPINFORMER_INLINE void scores(const float* __restrict x, const float* __restrict t, std::int64_t Tp, std::int64_t hd_,
                              std::int64_t n, float* __restrict out) {
  const std::int64_t hd = HD > 0 ? HD : hd_;
  for (std::int64_t j0 = 0; j0 < n; j0 += kBlock) {
    float acc[kBlock] = {};
    for (std::int64_t d = 0; d < hd; ++d) {
      const float xd = x[d];
      const float* td = t + d * Tp + j0;
      for (std::int64_t k = 0; k < kBlock; ++k) acc[k] += xd * td[k];
    }
    for (std::int64_t k = 0; k < kBlock; ++k) out[j0 + k] = acc[k];
  }
}

typedef float Float8 __attribute__((vector_size(32)));  // 8 lanes: two SSE or one AVX register

// y[d] += a x[d]; in explicit 8-lane vectors for a known head size (y may be one of many rows that
// the compiler cannot prove apart from x).
template <int HD>
SPINFORMER_INLINE void axpy(float* y, float a, const float* x, std::int64_t hd_) {
  if constexpr (HD > 0 && HD % 8 == 0) {
    for (std::int64_t d = 0; d < HD; d += 8) {
      Float8 yv, xv;
      std::memcpy(&yv, y + d, sizeof yv);
      std::memcpy(&xv, x + d, sizeof xv);
      yv += a * xv;
      std::memcpy(y + d, &yv, sizeof yv);
    }
  } else {
    const std::int64_t hd = HD > 0 ? HD : hd_;
    for (std::int64_t d = 0; d < hd; ++d) y[d] += a * x[d];
  }
}

// Transposes the keys (offset C) or values (offset 2 C) of a head into t [hd, Tp], zero-padded.
SPINFORMER_INLINE void transpose_rows(const Head& a, std::int64_t offset, float* t) {
  for (std::int64_t j = 0; j < a.T; ++j)
    for (std::int64_t d = 0; d < a.hd; ++d) t[d * a.Tp + j] = a.q[offset + j * a.stride + d];
  for (std::int64_t d = 0; d < a.hd; ++d) std::fill(t + d * a.Tp + a.T, t + (d + 1) * a.Tp, 0.0f);
}

// Forward for one head: p [T, Tp] receives the weights (zero above the diagonal when causal), y_i
// (at y + i * y_stride) the output; kt [hd, Tp] is scratch.
template <int HD>
SPINFORMER_INLINE void head_forward_t(const Head& a, const float* bias, float* p, float* y, std::int64_t y_stride,
                                      float* kt) {
  const std::int64_t T = a.T, Tp = a.Tp, hd = HD > 0 ? HD : a.hd;
  transpose_rows(a, a.C, kt);
  for (std::int64_t i = 0; i < T; ++i) {
    const std::int64_t n = a.causal ? i + 1 : T;
    float* s = p + i * Tp;
    scores<HD>(a.q + i * a.stride, kt, Tp, hd, n, s);
    softmax_row(s, bias ? bias + i * T : nullptr, n, a.scale);
    std::fill(s + n, s + Tp, 0.0f);
    float* yi = y + i * y_stride;
    if (HD > 0) {  // the sum in registers
      float acc[HD > 0 ? HD : 1] = {};
      for (std::int64_t j = 0; j < n; ++j) axpy<HD>(acc, s[j], a.q + 2 * a.C + j * a.stride, hd);
      std::copy(acc, acc + hd, yi);
    } else {
      std::fill(yi, yi + hd, 0.0f);
      for (std::int64_t j = 0; j < n; ++j) axpy<HD>(yi, s[j], a.q + 2 * a.C + j * a.stride, hd);
    }
  }
}

// Backward for one head: dy_i at dy + i * dy_stride; dq, dk, dv (zeroed, rows at dq + i * stride,
// dq + C + j * stride, dq + 2 C + j * stride) accumulate; ds [T, Tp] receives dL/d(logit) when not
// null; rows [kRows, Tp] and vt [hd, Tp] are scratch. Queries go kRows at a time, so that each key's
// dk_j and dv_j is loaded and stored once per kRows queries and each k_j is read once for them.
constexpr std::int64_t kRows = 4;

template <int HD>
SPINFORMER_INLINE void head_backward_t(const Head& a, const float* p, const float* dy, std::int64_t dy_stride,
                                       float* dq, float* ds, float* rows, float* vt) {
  const std::int64_t T = a.T, Tp = a.Tp, hd = HD > 0 ? HD : a.hd, C = a.C;
  transpose_rows(a, 2 * C, vt);
  for (std::int64_t i0 = 0; i0 < T; i0 += kRows) {
    const std::int64_t R = std::min(kRows, T - i0);
    const std::int64_t n_all = a.causal ? i0 + R : T;  // keys any of the R queries sees
    const float* pr[kRows];
    const float* dyr[kRows];
    const float* qr[kRows];
    float* dsr[kRows];
    for (std::int64_t r = 0; r < kRows; ++r) {
      const std::int64_t i = i0 + std::min(r, R - 1);  // past the last query: the last again, with zero weights
      pr[r] = p + i * Tp;
      dyr[r] = dy + i * dy_stride;
      qr[r] = a.q + i * a.stride;
      dsr[r] = rows + r * Tp;
      float* row = dsr[r];
      if (r >= R) {
        std::fill(row, row + Tp, 0.0f);
        pr[r] = row;  // zero weights: the repeated row adds nothing
        continue;
      }
      const std::int64_t n = a.causal ? i + 1 : T;
      scores<HD>(dyr[r], vt, Tp, hd, n, row);  // dp_ij = dy_i . v_j
      // softmax derivative: ds_ij = p_ij (dp_ij - sum_k p_ik dp_ik), times scale for q and k
      const float dot = lane_dot(pr[r], row, n);
      for (std::int64_t j = 0; j < n; ++j) row[j] = pr[r][j] * (row[j] - dot);
      std::fill(row + n, row + Tp, 0.0f);
      if (ds) std::copy(row, row + Tp, ds + i * Tp);
      for (std::int64_t j = 0; j < n; ++j) row[j] *= a.scale;
    }
    // dq_i = sum_j ds_ij k_j (in registers); dk_j += sum_i ds_ij q_i; dv_j += sum_i p_ij dy_i
    float acc[kRows][HD > 0 ? HD : 1];
    if (HD > 0)
      for (std::int64_t r = 0; r < kRows; ++r) std::fill(acc[r], acc[r] + hd, 0.0f);
    for (std::int64_t j = 0; j < n_all; ++j) {
      const float* kj = a.q + C + j * a.stride;
      float* dkj = dq + C + j * a.stride;
      float* dvj = dq + 2 * C + j * a.stride;
      for (std::int64_t r = 0; r < kRows; ++r) {
        axpy<HD>(dvj, pr[r][j], dyr[r], hd);
        axpy<HD>(dkj, dsr[r][j], qr[r], hd);
        if (HD > 0) {
          axpy<HD>(acc[r], dsr[r][j], kj, hd);
        } else if (r < R) {
          axpy<HD>(dq + (i0 + r) * a.stride, dsr[r][j], kj, hd);
        }
      }
    }
    if (HD > 0)
      for (std::int64_t r = 0; r < R; ++r) std::copy(acc[r], acc[r] + hd, dq + (i0 + r) * a.stride);
  }
}

__attribute__((target_clones("avx2", "default"))) void head_forward(const Head& a, const float* bias, float* p,
                                                                     float* y, std::int64_t y_stride, float* kt) {
  if (a.hd == 16) return head_forward_t<16>(a, bias, p, y, y_stride, kt);
  if (a.hd == 8) return head_forward_t<8>(a, bias, p, y, y_stride, kt);
  if (a.hd == 32) return head_forward_t<32>(a, bias, p, y, y_stride, kt);
  head_forward_t<0>(a, bias, p, y, y_stride, kt);
}

__attribute__((target_clones("avx2", "default"))) void head_backward(const Head& a, const float* p, const float* dy,
                                                                      std::int64_t dy_stride, float* dq, float* ds,
                                                                      float* rows, float* vt) {
  if (a.hd == 16) return head_backward_t<16>(a, p, dy, dy_stride, dq, ds, rows, vt);
  if (a.hd == 8) return head_backward_t<8>(a, p, dy, dy_stride, dq, ds, rows, vt);
  if (a.hd == 32) return head_backward_t<32>(a, p, dy, dy_stride, dq, ds, rows, vt);
  head_backward_t<0>(a, p, dy, dy_stride, dq, ds, rows, vt);
}

// ---- long sequences: the same arithmetic on matrix products ----------------------------------------
// Row-major C [m, n] (leading dimension ldc) = op(A) op(B) + beta C, op(A) [m, k], op(B) [k, n]: CBLAS's
// sgemm, from the OpenMP build of OpenBLAS that LibTorch links. Called inside at::parallel_for, where
// OpenBLAS runs on the calling thread (omp_in_parallel), and with one LibTorch thread on one
// (omp_set_num_threads), so every head is one thread's sequential product whatever the thread count.
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, const float* A, std::int64_t lda,
          const float* B, std::int64_t ldb, float beta, float* C, std::int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, A, static_cast<int>(lda), B,
              static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
}

// Queries per product. When causal, a tile of queries i0..i0 + kTile - 1 takes the keys 0..i0 + kTile - 1
// only, so the products cover the causal half plus kTile / 2 columns per row, not the full block.
constexpr std::int64_t kTile = 64;

// head_forward on matrix products, tile by tile: S = Q K^T over the keys the tile sees, the row softmax
// of head_forward (zeros past each query's last key), Y = P V.
__attribute__((target_clones("avx2", "default"))) void head_forward_gemm(const Head& a, const float* bias, float* p,
                                                                          float* y, std::int64_t y_stride) {
  const std::int64_t T = a.T, Tp = a.Tp, hd = a.hd, ld = a.stride;
  const float* q = a.q;
  const float* k = a.q + a.C;
  const float* v = a.q + 2 * a.C;
  for (std::int64_t i0 = 0; i0 < T; i0 += kTile) {
    const std::int64_t R = std::min(kTile, T - i0), keys = a.causal ? i0 + R : T;
    float* tile = p + i0 * Tp;
    gemm(false, true, R, keys, hd, q + i0 * ld, ld, k, ld, 0.0f, tile, Tp);
    for (std::int64_t i = i0; i < i0 + R; ++i) {
      const std::int64_t n = a.causal ? i + 1 : T;
      float* s = p + i * Tp;
      softmax_row(s, bias ? bias + i * T : nullptr, n, a.scale);
      std::fill(s + n, s + Tp, 0.0f);
    }
    gemm(false, false, R, hd, keys, tile, Tp, v, ld, 0.0f, y + i0 * y_stride, y_stride);
  }
}

// head_backward on matrix products, tile by tile of queries: dV += P^T dY, dP = dY V^T, the softmax
// derivative per row (into ds when not null), dQ = dS K, dK += dS^T Q. rows [kTile, Tp] is scratch.
__attribute__((target_clones("avx2", "default"))) void head_backward_gemm(const Head& a, const float* p,
                                                                           const float* dy, std::int64_t dy_stride,
                                                                           float* dq, float* ds, float* rows) {
  const std::int64_t T = a.T, Tp = a.Tp, hd = a.hd, ld = a.stride;
  const float* q = a.q;
  const float* k = a.q + a.C;
  const float* v = a.q + 2 * a.C;
  float* dk = dq + a.C;
  float* dv = dq + 2 * a.C;
  for (std::int64_t i0 = 0; i0 < T; i0 += kTile) {
    const std::int64_t R = std::min(kTile, T - i0), keys = a.causal ? i0 + R : T;
    const float* p_tile = p + i0 * Tp;
    const float* dy_tile = dy + i0 * dy_stride;
    gemm(true, false, keys, hd, R, p_tile, Tp, dy_tile, dy_stride, 1.0f, dv, ld);
    gemm(false, true, R, keys, hd, dy_tile, dy_stride, v, ld, 0.0f, rows, Tp);
    for (std::int64_t r = 0; r < R; ++r) {
      const std::int64_t i = i0 + r, n = a.causal ? i + 1 : T;
      const float* pi = p + i * Tp;
      float* row = rows + r * Tp;
      const float dot = lane_dot(pi, row, n);
      for (std::int64_t j = 0; j < n; ++j) row[j] = pi[j] * (row[j] - dot);
      std::fill(row + n, row + Tp, 0.0f);
      if (ds) std::copy(row, row + Tp, ds + i * Tp);
      for (std::int64_t j = 0; j < n; ++j) row[j] *= a.scale;
    }
    gemm(false, false, R, hd, keys, rows, Tp, k, ld, 0.0f, dq + i0 * ld, ld);
    gemm(true, false, keys, hd, R, rows, Tp, q + i0 * ld, ld, 1.0f, dk, ld);
  }
}

// One query for one head against cached keys and values [L, hd] (rows 0..n-1): y = sum_j p_j v_j.
__attribute__((target_clones("avx2", "default"))) void head_step(const float* q, const float* keys,
                                                                  const float* values, std::int64_t n,
                                                                  std::int64_t hd, float scale, const float* bias,
                                                                  float* s, float* y) {
  for (std::int64_t j = 0; j < n; ++j) s[j] = lane_dot(q, keys + j * hd, hd);
  softmax_row(s, bias, n, scale);
  std::fill(y, y + hd, 0.0f);
  for (std::int64_t j = 0; j < n; ++j) {
    const float w = s[j];
    for (std::int64_t d = 0; d < hd; ++d) y[d] += w * values[j * hd + d];
  }
}

// A buffer for the weights [B H, T, Tp], reused once autograd has released it: a fresh one per layer
// and step costs page faults (67 MB per layer at L = 256, batch 64). Per thread, since concurrent
// trainers run on threads of their own; at most kPool buffers are kept.
torch::Tensor weight_buffer(at::IntArrayRef sizes, const torch::TensorOptions& options) {
  constexpr std::size_t kPool = 8;
  static thread_local std::vector<torch::Tensor> pool;
  for (const auto& t : pool)
    if (t.use_count() == 1 && t.sizes() == sizes) return t;
  if (pool.size() >= kPool)
    pool.erase(std::remove_if(pool.begin(), pool.end(), [](const torch::Tensor& t) { return t.use_count() == 1; }),
               pool.end());
  pool.push_back(torch::empty(sizes, options));
  return pool.back();
}

// y for qkv [B, T, 3C]; the weights into *weights [B H, T, Tp] when given (for the backward pass),
// else only through a scratch block per thread (evaluation and sampling need no [B H, T, T] tensor).
torch::Tensor attention_forward(const torch::Tensor& qkv, const torch::Tensor& bias, std::int64_t heads, double scale,
                                bool causal, torch::Tensor* weights) {
  RECORD_FUNCTION("spinformer::attention_forward", std::vector<c10::IValue>());
  const std::int64_t B = qkv.size(0), T = qkv.size(1), C = qkv.size(2) / 3, hd = C / heads;
  const std::int64_t Tp = (T + kBlock - 1) / kBlock * kBlock;
  if (weights) *weights = weight_buffer({B * heads, T, Tp}, qkv.options());
  auto y = torch::empty({B, T, C}, qkv.options());
  const float* src = qkv.data_ptr<float>();
  const float* b = bias.defined() ? bias.data_ptr<float>() : nullptr;
  float* pp = weights ? weights->data_ptr<float>() : nullptr;
  float* yp = y.data_ptr<float>();
  const bool gemm_kernel = T >= gemm_min_length();
  at::parallel_for(0, B * heads, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> kt(gemm_kernel ? 0 : static_cast<std::size_t>(hd * Tp));
    std::vector<float> scratch(pp ? 0 : static_cast<std::size_t>(T * Tp));
    for (std::int64_t r = begin; r < end; ++r) {
      const std::int64_t n = r / heads, h = r % heads;
      const Head head{src + n * T * 3 * C + h * hd, 3 * C, C, T, Tp, hd, causal, static_cast<float>(scale)};
      float* weights_of_head = pp ? pp + r * T * Tp : scratch.data();
      if (gemm_kernel) {
        head_forward_gemm(head, b ? b + h * T * T : nullptr, weights_of_head, yp + n * T * C + h * hd, C);
      } else {
        head_forward(head, b ? b + h * T * T : nullptr, weights_of_head, yp + n * T * C + h * hd, C, kt.data());
      }
    }
  });
  return y;
}

struct FusedAttention : torch::autograd::Function<FusedAttention> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& qkv_in, const torch::Tensor& bias,
                               std::int64_t heads, double scale, bool causal) {
    auto qkv = qkv_in.contiguous();
    torch::Tensor p;
    auto y = attention_forward(qkv, bias.numel() > 0 ? bias.contiguous() : torch::Tensor(), heads, scale, causal, &p);
    ctx->save_for_backward({qkv, p});
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["causal"] = causal;
    ctx->saved_data["bias_grad"] = bias.numel() > 0 && bias.requires_grad();
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    RECORD_FUNCTION("spinformer::attention_backward", std::vector<c10::IValue>());
    const auto saved = ctx->get_saved_variables();
    const auto& qkv = saved[0];
    const auto& p = saved[1];
    const std::int64_t heads = ctx->saved_data["heads"].toInt();
    const float scale = static_cast<float>(ctx->saved_data["scale"].toDouble());
    const bool causal = ctx->saved_data["causal"].toBool();
    const bool bias_grad = ctx->saved_data["bias_grad"].toBool();
    const std::int64_t B = qkv.size(0), T = qkv.size(1), C = qkv.size(2) / 3, hd = C / heads, Tp = p.size(2);
    auto dy = grads[0].contiguous();
    auto dqkv = torch::zeros_like(qkv);
    auto ds = bias_grad ? torch::empty({B * heads, T, Tp}, qkv.options()) : torch::Tensor();
    const float* src = qkv.data_ptr<float>();
    const float* pp = p.data_ptr<float>();
    const float* dyp = dy.data_ptr<float>();
    float* dst = dqkv.data_ptr<float>();
    float* dsp = bias_grad ? ds.data_ptr<float>() : nullptr;
    const bool gemm_kernel = T >= gemm_min_length();
    at::parallel_for(0, B * heads, 1, [&](std::int64_t begin, std::int64_t end) {
      std::vector<float> rows(static_cast<std::size_t>((gemm_kernel ? kTile : kRows) * Tp));
      std::vector<float> vt(gemm_kernel ? 0 : static_cast<std::size_t>(hd * Tp));
      for (std::int64_t r = begin; r < end; ++r) {
        const std::int64_t n = r / heads, h = r % heads;
        const std::int64_t offset = n * T * 3 * C + h * hd;
        const Head head{src + offset, 3 * C, C, T, Tp, hd, causal, scale};
        float* ds_of_head = dsp ? dsp + r * T * Tp : nullptr;
        if (gemm_kernel) {
          head_backward_gemm(head, pp + r * T * Tp, dyp + n * T * C + h * hd, C, dst + offset, ds_of_head, rows.data());
        } else {
          head_backward(head, pp + r * T * Tp, dyp + n * T * C + h * hd, C, dst + offset, ds_of_head, rows.data(),
                        vt.data());
        }
      }
    });
    torch::Tensor dbias;
    if (bias_grad) dbias = ds.view({B, heads, T, Tp}).sum(0).slice(2, 0, T);
    return {dqkv, dbias, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

void set_gemm_min_length(std::int64_t T) { g_gemm_min_length = T; }
std::int64_t gemm_min_length() { return g_gemm_min_length; }

torch::Tensor fused_attention(const torch::Tensor& qkv, std::int64_t heads, double scale, bool causal,
                              const torch::Tensor& bias) {
  const bool grad = torch::GradMode::is_enabled() && (qkv.requires_grad() || (bias.defined() && bias.requires_grad()));
  if (!grad) return attention_forward(qkv.contiguous(), bias.defined() ? bias.contiguous() : bias, heads, scale, causal,
                                      nullptr);
  // autograd Functions take no undefined tensors: an empty one stands for "no bias"
  return FusedAttention::apply(qkv, bias.defined() ? bias.contiguous() : torch::empty({0}), heads, scale, causal);
}

torch::Tensor cached_attention_step(const torch::Tensor& q, const torch::Tensor& k_cache, const torch::Tensor& v_cache,
                                    std::int64_t t, double scale, const torch::Tensor& bias_row) {
  RECORD_FUNCTION("spinformer::cached_attention_step", std::vector<c10::IValue>());
  const std::int64_t B = k_cache.size(0), H = k_cache.size(1), L = k_cache.size(2), hd = k_cache.size(3);
  const std::int64_t C = H * hd, n = t + 1;
  auto qc = q.contiguous();
  auto y = torch::empty({B, C}, q.options());
  const float* qp = qc.data_ptr<float>();
  const float* kp = k_cache.data_ptr<float>();
  const float* vp = v_cache.data_ptr<float>();
  auto bias_c = bias_row.defined() ? bias_row.contiguous() : bias_row;  // [H, n]
  const float* bp = bias_c.defined() ? bias_c.data_ptr<float>() : nullptr;
  float* yp = y.data_ptr<float>();
  const float sc = static_cast<float>(scale);
  at::parallel_for(0, B * H, std::max<std::int64_t>(1, 4096 / (n * hd)), [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> s(static_cast<std::size_t>(n));
    for (std::int64_t r = begin; r < end; ++r) {
      const std::int64_t b = r / H, h = r % H;
      head_step(qp + b * C + h * hd, kp + r * L * hd, vp + r * L * hd, n, hd, sc, bp ? bp + h * n : nullptr, s.data(),
                yp + b * C + h * hd);
    }
  });
  return y;
}

}  // namespace spinformer::gpt::detail

namespace spinformer::gpt {
namespace {
std::atomic<AttentionPath> g_attention_path{AttentionPath::fused};
}  // namespace
void set_attention_path(AttentionPath path) { g_attention_path = path; }
AttentionPath attention_path() { return g_attention_path; }
}  // namespace spinformer::gpt
