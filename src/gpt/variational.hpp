#pragma once
// Variational (reverse-KL) training of IsingGPT from the Hamiltonian alone, as the variational
// autoregressive networks of Wu, Wang and Zhang (PRL 122, 080602 (2019)) do: no samples of p, only
// the model's own. The loss is the variational free energy
//   beta F_q = E_q[log q(s) + beta E(s)] = -log Z + KL(q || p),
// minimised with the score-function (REINFORCE) gradient
//   grad beta F_q = E_q[(log q + beta E - b) grad log q],  b = the batch mean (a baseline),
// on batches drawn from the current model. This is the objective that is known to collapse onto one
// of the two ordered states below T_c; nothing here anneals beta or symmetrises the model, so that
// the collapse can be measured. (LibTorch-free interface.)
#include <cstdint>
#include <functional>
#include <vector>

#include "gpt/gpt.hpp"
#include "gpt/train.hpp"
#include "ising/chain.hpp"

namespace spinformer::gpt {

struct VariationalCurvePoint {
  long step = 0;
  double lr = 0;
  double free_energy = 0;  // batch mean of (log q + beta E) / N: beta f_q, an upper bound on beta f in expectation
};

// energy(row) is E(s) of one configuration of L spins (the model's L); beta the inverse temperature.
// optimiser: config.steps, batch, lr, schedule, warmup_steps, min_lr_ratio, beta1, beta2, eps, grad_clip
// and seed (initialisation and the model's sampling stream) are used; weight decay is off.
Model train_variational(const ModelConfig& model_config, const TrainConfig& config, double beta,
                        const std::function<double(const ising::Spin*)>& energy,
                        std::vector<VariationalCurvePoint>* curve = nullptr, long record_every = 50);

}  // namespace spinformer::gpt
