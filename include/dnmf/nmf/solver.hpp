#pragma once
/// @file Solvers for scikit-learn's NMF objective on distributed data, and what they report.

#include <cstdint>
#include <functional>
#include <limits>

#include "dnmf/dist/products.hpp"
#include "dnmf/nmf/params.hpp"

namespace dnmf {

/// What an observer sees after each outer iteration (rank-local; identical on all ranks).
struct IterationInfo {
  std::int64_t iteration = 0;
  double error = 0;     ///< sqrt(2 D_beta) when computed at this iteration, else NaN
  double seconds = 0;   ///< wall time since the solver started
  double violation = std::numeric_limits<double>::quiet_NaN();  ///< cd: violation / first one
};
using IterationObserver = std::function<void(const IterationInfo&)>;

/// The outcome of a solver run.
struct FitResult {
  std::int64_t n_iter = 0;          ///< sklearn's n_iter_
  double reconstruction_err = 0;    ///< sqrt(2 D_beta(X, W H)) with the final factors
  double error_at_init = 0;
  double seconds = 0;               ///< solver wall time, excluding the final error
};

/// The stopping rule of scikit-learn's multiplicative-update solver (spec §5.2): every 10th
/// iteration, stop when (previous error - error) / error at init < tol; never when tol == 0.
class MuStopRule {
 public:
  MuStopRule(double tol, double error_at_init) : tol_(tol), init_(error_at_init), prev_(error_at_init) {}
  /// Whether the error must be computed after iteration `it`.
  bool due(std::int64_t it) const { return tol_ > 0 && it % 10 == 0; }
  /// Records `error`; true when the solver should stop.
  bool update(double error) {
    if ((prev_ - error) / init_ < tol_) return true;
    prev_ = error;
    return false;
  }

 private:
  double tol_, init_, prev_;
};

/// scikit-learn's multiplicative-update solver for beta = 2 (spec §5). Updates W and, when
/// `update_h`, Ht = H^T in place. Collective over the grid of `products`.
template <typename T>
FitResult fit_mu(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                 const NmfParams& params, const Penalties& penalties, bool update_h,
                 const IterationObserver& observer);

/// scikit-learn's coordinate-descent solver (Fast HALS, spec §4) for the Frobenius loss.
/// `seed` drives the component order when params.shuffle (numpy's RandomState(seed), one
/// permutation per sweep, identical on every rank). Updates W and, when `update_h`, Ht in place.
template <typename T>
FitResult fit_cd(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                 const NmfParams& params, const Penalties& penalties, std::uint32_t seed,
                 bool update_h, const IterationObserver& observer);

}  // namespace dnmf
