// Fused attention for IsingGPT: batched matrix products for q.k and p.v, one in-place pass for
// scale + bias + causal mask + softmax (and for its derivative), and a cached step for sampling.
#include "gpt/attention.hpp"

#include <atomic>

#include <ATen/Parallel.h>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gpt/kernels.hpp"

namespace spinformer::gpt::detail {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// exp(x) for x <= 0 (a softmax after subtracting the row maximum), Cephes' polynomial on
// x = n ln 2 + r, |r| <= ln 2 / 2; branch-free so that the compiler vectorises the loops that call it.
// Relative error below 3e-7; arguments below -87 give about 1e-38 instead of a denormal or zero.
inline float exp_nonpositive(float x) {
  x = std::max(x, -87.0f);
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
  std::int32_t bits = (n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// Row-wise softmax of x_j = scale s_j + b_j over j < n, in place on s[0..n); s[n..T) = 0.
inline void softmax_row(float* s, const float* b, std::int64_t n, std::int64_t T, float scale) {
  float m = -std::numeric_limits<float>::infinity();
  if (b) {
    for (std::int64_t j = 0; j < n; ++j) s[j] = s[j] * scale + b[j];
  } else {
    for (std::int64_t j = 0; j < n; ++j) s[j] = s[j] * scale;
  }
  for (std::int64_t j = 0; j < n; ++j) m = std::max(m, s[j]);
  float sum = 0;
  for (std::int64_t j = 0; j < n; ++j) {
    s[j] = exp_nonpositive(s[j] - m);
    sum += s[j];
  }
  const float inv = 1.0f / sum;
  for (std::int64_t j = 0; j < n; ++j) s[j] *= inv;
  std::fill(s + n, s + T, 0.0f);
}

// In place: scale q.k + bias, mask, softmax for every row of logits [B H, T, T].
void softmax_rows(torch::Tensor& logits, const torch::Tensor& bias, std::int64_t heads, float scale, bool causal) {
  const std::int64_t rows = logits.size(0) * logits.size(1), T = logits.size(2);
  float* s = logits.data_ptr<float>();
  const float* b = bias.defined() ? bias.data_ptr<float>() : nullptr;
  at::parallel_for(0, rows, std::max<std::int64_t>(1, 16384 / T), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      const std::int64_t i = r % T, h = (r / T) % heads;
      softmax_row(s + r * T, b ? b + (h * T + i) * T : nullptr, causal ? i + 1 : T, T, scale);
    }
  });
}

// In place: dP -> dL/d(logit) = p (dp - sum_k p_k dp_k), zero above the diagonal when causal.
void softmax_backward_rows(torch::Tensor& dp, const torch::Tensor& p, bool causal) {
  const std::int64_t rows = dp.size(0) * dp.size(1), T = dp.size(2);
  float* d = dp.data_ptr<float>();
  const float* w = p.data_ptr<float>();
  at::parallel_for(0, rows, std::max<std::int64_t>(1, 16384 / T), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      const std::int64_t n = causal ? r % T + 1 : T;
      float* dr = d + r * T;
      const float* wr = w + r * T;
      float dot = 0;
      for (std::int64_t j = 0; j < n; ++j) dot += wr[j] * dr[j];
      for (std::int64_t j = 0; j < n; ++j) dr[j] = wr[j] * (dr[j] - dot);
      std::fill(dr + n, dr + T, 0.0f);
    }
  });
}

struct FusedAttention : torch::autograd::Function<FusedAttention> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& qkv, const torch::Tensor& bias,
                               std::int64_t heads, double scale, bool causal) {
    const std::int64_t B = qkv.size(0), T = qkv.size(1), C = qkv.size(2) / 3, hd = C / heads;
    // [3, B H, T, d_head]: one copy into the layout of the batched products
    auto packed = qkv.view({B, T, 3, heads, hd}).permute({2, 0, 3, 1, 4}).contiguous().view({3, B * heads, T, hd});
    auto q = packed[0], k = packed[1], v = packed[2];
    auto p = at::bmm(q, k.transpose(1, 2));
    auto bias_c = bias.numel() > 0 ? bias.contiguous() : torch::Tensor();
    softmax_rows(p, bias_c, heads, static_cast<float>(scale), causal);
    auto y = at::bmm(p, v);
    ctx->save_for_backward({packed, p});
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["causal"] = causal;
    ctx->saved_data["bias_grad"] = bias.numel() > 0 && bias.requires_grad();
    return y.view({B, heads, T, hd}).transpose(1, 2).reshape({B, T, C});
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& packed = saved[0];
    const auto& p = saved[1];
    const std::int64_t heads = ctx->saved_data["heads"].toInt();
    const double scale = ctx->saved_data["scale"].toDouble();
    const bool causal = ctx->saved_data["causal"].toBool();
    const std::int64_t BH = packed.size(1), T = packed.size(2), hd = packed.size(3), B = BH / heads, C = heads * hd;
    auto q = packed[0], k = packed[1], v = packed[2];
    auto dy = grads[0].view({B, T, heads, hd}).transpose(1, 2).reshape({BH, T, hd});
    auto dpacked = torch::empty({3, BH, T, hd}, packed.options());
    auto dq = dpacked[0], dk = dpacked[1], dv = dpacked[2];
    at::bmm_out(dv, p.transpose(1, 2), dy);
    auto ds = at::bmm(dy, v.transpose(1, 2));
    softmax_backward_rows(ds, p, causal);  // now dL/d(logit)
    torch::Tensor dbias;
    if (ctx->saved_data["bias_grad"].toBool()) dbias = ds.view({B, heads, T, T}).sum(0);
    at::bmm_out(dq, ds, k);
    at::bmm_out(dk, ds.transpose(1, 2), q);
    dpacked.slice(0, 0, 2).mul_(scale);
    auto dqkv = dpacked.view({3, B, heads, T, hd}).permute({1, 3, 0, 2, 4}).reshape({B, T, 3 * C});
    return {dqkv, dbias, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor fused_attention(const torch::Tensor& qkv, std::int64_t heads, double scale, bool causal,
                              const torch::Tensor& bias) {
  // autograd Functions take no undefined tensors: an empty one stands for "no bias"
  return FusedAttention::apply(qkv, bias.defined() ? bias : torch::empty({0}), heads, scale, causal);
}

torch::Tensor cached_attention_step(const torch::Tensor& q, const torch::Tensor& k_cache, const torch::Tensor& v_cache,
                                    std::int64_t t, double scale, const torch::Tensor& bias_row) {
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
      const float* qr = qp + b * C + h * hd;
      const float* keys = kp + r * L * hd;
      const float* values = vp + r * L * hd;
      for (std::int64_t j = 0; j < n; ++j) {
        float dot = 0;
        for (std::int64_t d = 0; d < hd; ++d) dot += qr[d] * keys[j * hd + d];
        s[static_cast<std::size_t>(j)] = dot;
      }
      softmax_row(s.data(), bp ? bp + h * n : nullptr, n, n, sc);
      float* yr = yp + b * C + h * hd;
      std::fill(yr, yr + hd, 0.0f);
      for (std::int64_t j = 0; j < n; ++j) {
        const float w = s[static_cast<std::size_t>(j)];
        for (std::int64_t d = 0; d < hd; ++d) yr[d] += w * values[j * hd + d];
      }
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
