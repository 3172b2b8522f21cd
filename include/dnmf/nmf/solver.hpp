#pragma once
/// @file Solvers for scikit-learn's NMF objective on distributed data, and what they report.
/// Every solver runs in the one alternating loop of nmf/alternating.hpp; a solver is its
/// half-step (there) and its stop rule (StopRule, here).

#include <cstdint>
#include <functional>
#include <limits>

#include "dnmf/dist/products.hpp"
#include "dnmf/nmf/params.hpp"
#include "dnmf/rng/numpy_random.hpp"

namespace dnmf {

/// What an observer sees after each outer iteration (rank-local; identical on all ranks).
struct IterationInfo {
  std::int64_t iteration = 0;
  /// sqrt(2 D_beta) when computed at this iteration, else NaN (cd never computes it in the loop)
  double error = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0;  ///< wall time since the solver started
  double violation = std::numeric_limits<double>::quiet_NaN();  ///< cd: violation / first one
};
using IterationObserver = std::function<void(const IterationInfo&)>;

/// Everything a solver carries from one iteration to the next besides W and H, so that a run
/// stopped at an iteration boundary can continue bit for bit (checkpoint and resume).
struct SolverState {
  std::int64_t iteration = 0;                                        ///< completed outer iterations
  double error_at_init = std::numeric_limits<double>::quiet_NaN();   ///< mu
  double previous_error = std::numeric_limits<double>::quiet_NaN();  ///< mu
  double violation_init = std::numeric_limits<double>::quiet_NaN();  ///< cd
  bool has_rng = false;                                              ///< cd with shuffle
  rng::NumpyRandomState::State rng;
};

/// Hooks into a solver run. `at_boundary` is called after every completed iteration that did
/// not end the run, on every rank, with the state and the current factors; it returns true to
/// stop there (the caller checkpoints). It must return the same value on every rank.
template <typename T>
struct SolverControl {
  IterationObserver observer;
  const SolverState* resume = nullptr;  ///< continue from this state (W, H already restored)
  std::function<bool(const SolverState&, const DistFactor<T>&, const DistFactor<T>&)> at_boundary;
};

/// The outcome of a solver run.
struct FitResult {
  std::int64_t n_iter = 0;        ///< sklearn's n_iter_
  double reconstruction_err = 0;  ///< sqrt(2 D_beta(X, W H)) with the final factors
  double error_at_init = 0;
  double seconds = 0;               ///< solver wall time, excluding the final error
  std::int64_t bytes_received = 0;  ///< by this rank during the run (mpi::bytes_received)
  bool interrupted = false;         ///< stopped by at_boundary; `state` says where
  SolverState state;
};

/// The reconstruction error with the current factors (collective; nmf/objective.hpp).
using ErrorFn = std::function<double()>;

/// When an alternating run stops. The loop calls `start` once, then `converged` after every
/// iteration; `save` records what a resumed run needs to stop where this one would have.
class StopRule {
 public:
  virtual ~StopRule() = default;
  /// Before the first iteration: from `resume`, or fresh (`error` may be evaluated then).
  virtual void start(const SolverState* resume, const ErrorFn& error) = 0;
  /// After iteration `it`: records what it measured in `info`; true when the run should stop.
  virtual bool converged(std::int64_t it, const ErrorFn& error, IterationInfo& info) = 0;
  virtual void save(SolverState& state) const = 0;
  /// FitResult::error_at_init: 0 when the rule never evaluates the error at init.
  virtual double error_at_init() const { return 0.0; }
};

/// The stopping rule of scikit-learn's multiplicative-update solver (spec §5.2), also anls-bpp's:
/// every 10th iteration, stop when (previous error - error) / error at init < tol; never when
/// tol == 0.
class MuStopRule : public StopRule {
 public:
  MuStopRule(double tol, double error_at_init, double previous_error)
      : tol_(tol), init_(error_at_init), prev_(previous_error) {}
  MuStopRule(double tol, double error_at_init) : MuStopRule(tol, error_at_init, error_at_init) {}
  /// The errors come from `start`.
  explicit MuStopRule(double tol) : MuStopRule(tol, std::numeric_limits<double>::quiet_NaN()) {}
  double previous() const { return prev_; }
  /// Whether the error must be computed after iteration `it`.
  bool due(std::int64_t it) const { return tol_ > 0 && it % 10 == 0; }
  /// Records `error`; true when the solver should stop.
  bool update(double error) {
    if ((prev_ - error) / init_ < tol_) return true;
    prev_ = error;
    return false;
  }

  void start(const SolverState* resume, const ErrorFn& error) override {
    init_ = resume ? resume->error_at_init : error();
    prev_ = resume ? resume->previous_error : init_;
  }
  bool converged(std::int64_t it, const ErrorFn& error, IterationInfo& info) override {
    info.error = std::numeric_limits<double>::quiet_NaN();
    if (!due(it)) return false;
    info.error = error();
    return update(info.error);
  }
  void save(SolverState& state) const override {
    state.error_at_init = init_;
    state.previous_error = prev_;
  }
  double error_at_init() const override { return init_; }

 private:
  double tol_, init_, prev_;
};

/// Whether the solver reads a dense X once per iteration where ranks hold whole rows
/// (DistProducts::one_pass): mu with the Frobenius loss and cd. The alternating loop takes
/// its schedule from this, so grid planning (app) and the loop agree.
inline bool uses_one_pass(const NmfParams& p) {
  return p.solver == Solver::cd || (p.solver == Solver::mu && p.beta() == 2.0);
}

/// scikit-learn's multiplicative-update solver (spec §5). Updates W and, when `update_h`,
/// Ht = H^T in place. Collective over the grid of `products`.
template <typename T>
FitResult fit_mu(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                 const NmfParams& params, const Penalties& penalties, bool update_h,
                 const SolverControl<T>& control);

/// scikit-learn's coordinate-descent solver (Fast HALS, spec §4) for the Frobenius loss.
/// `seed` drives the component order when params.shuffle (numpy's RandomState(seed), one
/// permutation per sweep, identical on every rank). Updates W and, when `update_h`, Ht in place.
template <typename T>
FitResult fit_cd(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                 const NmfParams& params, const Penalties& penalties, std::uint32_t seed,
                 bool update_h, const SolverControl<T>& control);

/// Alternating non-negative least squares (--solver anls-bpp): each half-step solves its factor
/// exactly, row by row, for cd's objective (Frobenius loss, penalties folded in the same way)
/// by block principal pivoting (la/nnls.hpp). Stops like mu (MuStopRule).
template <typename T>
FitResult fit_anls_bpp(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                       const NmfParams& params, const Penalties& penalties, bool update_h,
                       const SolverControl<T>& control);

}  // namespace dnmf
