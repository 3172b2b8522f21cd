#pragma once
/// @file dnmf::NMF, the C++ counterpart of sklearn.decomposition.NMF on distributed data.
///
///   dnmf::ProcessGrid grid(comm, dnmf::choose_grid(n, p, k, comm.size()));
///   dnmf::DistMatrix<double> x(grid, n, p);            // fill x.local() with this rank's block
///   dnmf::NmfParams params;  params.n_components = 20;  params.solver = dnmf::Solver::mu;
///   dnmf::NMF<double> model(params);
///   dnmf::DistFactor<double> w = model.fit_transform(x);
///   double err = model.reconstruction_err_;             // and n_iter_, components(), ...
///   dnmf::DistFactor<double> w2 = model.transform(x);  // H fixed
///
/// Every method is collective over the grid of its arguments. The fitted components live on the
/// grid of the data they were fitted on; transform and inverse_transform take data on that grid.

#include <cstdint>
#include <optional>

#include "dnmf/dist/products.hpp"
#include "dnmf/nmf/init.hpp"
#include "dnmf/nmf/params.hpp"
#include "dnmf/nmf/solver.hpp"

namespace dnmf {

template <typename T>
class NMF {
 public:
  explicit NMF(NmfParams params);

  const NmfParams& params() const { return params_; }
  /// Called after every solver iteration (fit and transform), on every rank.
  void set_observer(IterationObserver observer) { observer_ = std::move(observer); }
  /// Called at every iteration boundary of fit (see SolverControl::at_boundary): returning true
  /// stops the fit there, e.g. after writing a checkpoint; `interrupted()` then says so.
  using BoundaryHook =
      std::function<bool(const SolverState&, const DistFactor<T>&, const DistFactor<T>&)>;
  void set_boundary_hook(BoundaryHook hook) { hook_ = std::move(hook); }
  bool interrupted() const { return last_run_.interrupted; }

  /// Per-phase times of everything this estimator ran.
  PhaseTimers& timers() { return timers_; }

  /// Learns W and H from X and returns W. With init 'custom', `w0` (n x k, samples side) and
  /// `ht0` (H0 transposed, p x k, features side) on X's grid are the start; they are validated
  /// as scikit-learn does (shape, NaN, negative, all zero).
  DistFactor<T> fit_transform(const DistMatrix<T>& x, const DistFactor<T>* w0 = nullptr,
                              const DistFactor<T>* ht0 = nullptr);
  void fit(const DistMatrix<T>& x, const DistFactor<T>* w0 = nullptr,
           const DistFactor<T>* ht0 = nullptr) {
    fit_transform(x, w0, ht0);
  }

  /// Continues a fit stopped at an iteration boundary, from the factors and the solver state
  /// saved there (and the init and seed the run used). Same result as the uninterrupted fit.
  DistFactor<T> resume_fit(const DistMatrix<T>& x, DistFactor<T> w, DistFactor<T> ht,
                           const SolverState& state, Init init_used, std::uint32_t seed);

  /// W for new data with H fixed: the fit's solver, beta, tol, max_iter and W penalty, starting
  /// from zeros (cd) or sqrt(mean(X) / k) (mu). X must be on the grid of the components.
  DistFactor<T> transform(const DistMatrix<T>& x);

  /// X = W H in 2-D blocks on W's grid (dense, whatever the input was).
  DistMatrix<T> inverse_transform(const DistFactor<T>& w) const;

  /// Installs fitted components (H transposed, features side), e.g. read from a model file.
  void set_components(DistFactor<T> ht);

  /// components_ transposed: n_features x k, distributed by rows on the fit's grid.
  const DistFactor<T>& components() const;

  // Fitted attributes, named as scikit-learn names them.
  std::int64_t n_components_ = 0;
  std::int64_t n_features_in_ = 0;
  std::int64_t n_iter_ = 0;
  double reconstruction_err_ = 0;
  Init init_used_ = Init::automatic;  ///< what init=None resolved to
  std::uint32_t seed_used_ = 0;       ///< random_state, or the seed rank 0 drew

  /// The last solver run (fit or transform): iterations, error, timing.
  const FitResult& last_run() const { return last_run_; }

 private:
  /// Checks X's values (and zeros when beta <= 0); returns its sum and minimum.
  DataSummary validate_data(const DistMatrix<T>& x, const char* what) const;
  /// random_state, or one seed drawn by rank 0 and shared.
  std::uint32_t resolve_seed(const ProcessGrid& grid) const;
  FitResult solve(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht, bool update_h,
                  std::int64_t n_samples, std::int64_t n_features,
                  const SolverState* resume = nullptr);
  /// Records the fitted attributes after a fit's solver run.
  void finish_fit(DistFactor<T> ht);

  NmfParams params_;
  IterationObserver observer_;
  BoundaryHook hook_;
  PhaseTimers timers_;
  std::optional<DistFactor<T>> components_;
  FitResult last_run_;
};

}  // namespace dnmf
