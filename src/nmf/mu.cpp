#include <chrono>
#include <cmath>
#include <limits>

#include "dnmf/la/blas.hpp"
#include "dnmf/la/kernels.hpp"
#include "dnmf/nmf/solver.hpp"

namespace dnmf {
namespace {

/// The Frobenius objective's reconstruction error sqrt(||X - WH||^2).
template <typename T>
double frobenius_error(DistProducts<T>& products, const DistFactor<T>& w, const DistFactor<T>& ht) {
  return std::sqrt(products.squared_residual(w, ht));
}

/// One multiplicative half-step on the factor F (W, or Ht) given the other factor's Gram G and
/// the product num = (X times the other factor) for F's owned rows: F *= num / (F G + penalties).
template <typename T>
void mu_half_step(DistFactor<T>& f, Matrix<T>& num, const Matrix<T>& g, Matrix<T>& den, double l1,
                  double l2, PhaseTimers& timers) {
  auto t = timers.scope(Phase::update);
  Matrix<T>& fl = f.local();
  const std::int64_t k = f.k();
  den.resize(fl.rows(), k);
  la::gemm(la::Op::none, la::Op::none, fl.rows(), k, k, T(1), fl.data(), k, g.data(), k, T(0),
           den.data(), k);
  la::multiplicative_step(fl.size(), fl.data(), num.data(), den.data(), l1, l2,
                          static_cast<T>(kEps));
}

}  // namespace

template <typename T>
FitResult fit_mu(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                 const NmfParams& params, const Penalties& penalties, bool update_h,
                 const IterationObserver& observer) {
  if (params.beta() != 2.0) {
    throw UsageError("beta_loss: only 'frobenius' is implemented for solver 'mu' so far");
  }
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  PhaseTimers& timers = products.timers();
  FitResult result;
  result.error_at_init = frobenius_error(products, w, ht);
  MuStopRule stop(params.tol, result.error_at_init);

  Matrix<T> gram, num, den;
  std::int64_t it = 1;
  for (; it <= params.max_iter; ++it) {
    products.gram(ht, gram);  // H H^T
    products.x_times_ht(ht, w.layout(), num);
    mu_half_step(w, num, gram, den, penalties.l1_W, penalties.l2_W, timers);
    if (update_h) {
      products.gram(w, gram);  // W^T W
      products.xt_times_w(w, ht.layout(), num);
      mu_half_step(ht, num, gram, den, penalties.l1_H, penalties.l2_H, timers);
    }
    IterationInfo info{it, std::numeric_limits<double>::quiet_NaN(), 0.0};
    bool done = false;
    if (stop.due(it)) {
      info.error = frobenius_error(products, w, ht);
      done = stop.update(info.error);
    }
    info.seconds = elapsed();
    if (observer) observer(info);
    if (done) break;
  }
  result.n_iter = std::min(it, params.max_iter);
  result.seconds = elapsed();
  result.reconstruction_err = frobenius_error(products, w, ht);
  return result;
}

template FitResult fit_mu<double>(DistProducts<double>&, DistFactor<double>&, DistFactor<double>&,
                                  const NmfParams&, const Penalties&, bool,
                                  const IterationObserver&);
template FitResult fit_mu<float>(DistProducts<float>&, DistFactor<float>&, DistFactor<float>&,
                                 const NmfParams&, const Penalties&, bool,
                                 const IterationObserver&);

}  // namespace dnmf
