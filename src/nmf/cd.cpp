#include <chrono>
#include <cmath>
#include <numeric>

#include "dnmf/la/kernels.hpp"
#include "dnmf/nmf/solver.hpp"
#include "dnmf/rng/numpy_random.hpp"

namespace dnmf {
namespace {

/// One distributed sweep on factor F (W, or Ht) given the other factor's Gram `g` and
/// `r` = (X times the other factor) for F's owned rows. Folds the penalties in as scikit-learn
/// does (l2 on g's diagonal, l1 subtracted from r) and returns this rank's violation.
template <typename T>
void fold_l2(Matrix<T>& g, double l2) {
  if (l2 != 0.0)
    for (std::int64_t c = 0; c < g.rows(); ++c) g(c, c) += static_cast<T>(l2);
}

/// The sweep over `rows` rows of F starting at `f`, with l1 folded into their r.
template <typename T>
T cd_rows(std::int64_t rows, std::int64_t k, T* f, const Matrix<T>& g, Matrix<T>& r, double l1,
          const std::vector<std::int64_t>& perm) {
  if (l1 != 0.0)
    for (std::int64_t i = 0; i < rows * k; ++i) r.data()[i] -= static_cast<T>(l1);
  return la::cd_sweep(rows, k, f, g.data(), r.data(), perm.data());
}

template <typename T>
T cd_half_step(DistFactor<T>& f, Matrix<T>& g, Matrix<T>& r, double l1, double l2,
               const std::vector<std::int64_t>& perm, PhaseTimers& timers) {
  auto t = timers.scope(Phase::update);
  fold_l2(g, l2);
  return cd_rows(f.local().rows(), f.k(), f.local().data(), g, r, l1, perm);
}

}  // namespace

template <typename T>
FitResult fit_cd(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                 const NmfParams& params, const Penalties& penalties, std::uint32_t seed,
                 bool update_h, const SolverControl<T>& control) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  PhaseTimers& timers = products.timers();
  const mpi::Comm& all = w.grid().all();
  const std::int64_t k = w.k();
  rng::NumpyRandomState rng(seed);  // a fresh stream, as sklearn's check_random_state(int)
  const SolverState* resume = control.resume;
  if (resume && resume->has_rng) rng.set_state(resume->rng);
  std::vector<std::int64_t> order(static_cast<std::size_t>(k));
  auto next_order = [&] {
    if (params.shuffle) return rng.permutation(k);
    std::iota(order.begin(), order.end(), 0);
    return order;
  };

  FitResult result;
  Matrix<T> gram, gram_w, r;
  double violation_init = resume ? resume->violation_init : 0.0;
  std::int64_t it = resume ? resume->iteration + 1 : 1;
  for (; it <= params.max_iter; ++it) {
    T local = 0;
    if (update_h && products.one_pass_possible()) {
      // Whole rows per rank: W's sweep and both products in one visit of X.
      products.gram(ht, gram);
      fold_l2(gram, penalties.l2_W);
      const std::vector<std::int64_t> perm = next_order();
      products.one_pass(
          ht, w,
          [&](Range panel, Matrix<T>& rp) {
            auto t = timers.scope(Phase::update);
            local += cd_rows(panel.size, k, w.local().data() + panel.begin * k, gram, rp,
                             penalties.l1_W, perm);
          },
          r, gram_w);
      local += cd_half_step(ht, gram_w, r, penalties.l1_H, penalties.l2_H, next_order(), timers);
    } else {
      products.gram(ht, gram);
      products.x_times_ht(ht, w.layout(), r);
      local = cd_half_step(w, gram, r, penalties.l1_W, penalties.l2_W, next_order(), timers);
    }
    if (update_h && !products.one_pass_possible()) {
      products.gram(w, gram);
      products.xt_times_w(w, ht.layout(), r);
      local += cd_half_step(ht, gram, r, penalties.l1_H, penalties.l2_H, next_order(), timers);
    }
    const double violation = all.allreduce_sum(static_cast<double>(local));
    if (it == 1) violation_init = violation;
    IterationInfo info;
    info.iteration = it;
    info.violation = violation_init == 0 ? 0.0 : violation / violation_init;
    info.seconds = elapsed();
    if (control.observer) control.observer(info);
    if (violation_init == 0 || violation / violation_init <= params.tol) break;
    SolverState state;
    state.iteration = it;
    state.violation_init = violation_init;
    state.has_rng = params.shuffle;
    if (params.shuffle) state.rng = rng.state();
    if (interrupted_at_boundary(control, state, params.max_iter, w, ht, elapsed(), result)) {
      return result;
    }
  }
  result.n_iter = std::min(it, params.max_iter);
  result.seconds = elapsed();
  result.reconstruction_err = std::sqrt(products.squared_residual(w, ht));
  return result;
}

template FitResult fit_cd<double>(DistProducts<double>&, DistFactor<double>&, DistFactor<double>&,
                                  const NmfParams&, const Penalties&, std::uint32_t, bool,
                                  const SolverControl<double>&);
template FitResult fit_cd<float>(DistProducts<float>&, DistFactor<float>&, DistFactor<float>&,
                                 const NmfParams&, const Penalties&, std::uint32_t, bool,
                                 const SolverControl<float>&);

}  // namespace dnmf
