// Alternating non-negative least squares with block principal pivoting (--solver anls-bpp).
#include <chrono>
#include <cmath>

#include "dnmf/la/nnls.hpp"
#include "dnmf/nmf/solver.hpp"

namespace dnmf {
namespace {

/// Solves for F (W, or Ht) exactly given the other factor's Gram `g` and `r` = (X times the
/// other factor) for F's owned rows, with the penalties folded in as cd does.
template <typename T>
void anls_half_step(DistFactor<T>& f, Matrix<T>& g, Matrix<T>& r, double l1, double l2,
                    PhaseTimers& timers) {
  auto t = timers.scope(Phase::update);
  const std::int64_t k = f.k();
  if (l2 != 0.0)
    for (std::int64_t c = 0; c < k; ++c) g(c, c) += static_cast<T>(l2);
  if (l1 != 0.0)
    for (std::int64_t i = 0; i < r.size(); ++i) r.data()[i] -= static_cast<T>(l1);
  la::nnls_bpp(f.local().rows(), k, g.data(), r.data(), f.local().data());
}

}  // namespace

template <typename T>
FitResult fit_anls_bpp(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                       const NmfParams& params, const Penalties& penalties, bool update_h,
                       const SolverControl<T>& control) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto error = [&] { return std::sqrt(std::max(products.squared_residual(w, ht), 0.0)); };
  PhaseTimers& timers = products.timers();
  FitResult result;
  const SolverState* resume = control.resume;
  result.error_at_init = resume ? resume->error_at_init : error();
  MuStopRule stop(params.tol, result.error_at_init,
                  resume ? resume->previous_error : result.error_at_init);
  Matrix<T> gram, r;
  std::int64_t it = resume ? resume->iteration + 1 : 1;
  for (; it <= params.max_iter; ++it) {
    products.gram(ht, gram);
    products.x_times_ht(ht, w.layout(), r);
    anls_half_step(w, gram, r, penalties.l1_W, penalties.l2_W, timers);
    if (update_h) {
      products.gram(w, gram);
      products.xt_times_w(w, ht.layout(), r);
      anls_half_step(ht, gram, r, penalties.l1_H, penalties.l2_H, timers);
    }
    const IterationEnd end = end_mu_like_iteration(
        it, stop, [&] { return error(); }, elapsed, control, params.max_iter, w, ht, result);
    if (end == IterationEnd::interrupted) return result;
    if (end == IterationEnd::converged) break;
  }
  result.n_iter = std::min(it, params.max_iter);
  result.seconds = elapsed();
  result.reconstruction_err = error();
  return result;
}

template FitResult fit_anls_bpp<double>(DistProducts<double>&, DistFactor<double>&,
                                        DistFactor<double>&, const NmfParams&, const Penalties&,
                                        bool, const SolverControl<double>&);
template FitResult fit_anls_bpp<float>(DistProducts<float>&, DistFactor<float>&, DistFactor<float>&,
                                       const NmfParams&, const Penalties&, bool,
                                       const SolverControl<float>&);

}  // namespace dnmf
