// scikit-learn's coordinate-descent solver, Fast HALS (--solver cd).
#include <numeric>
#include <vector>

#include "dnmf/la/kernels.hpp"
#include "dnmf/nmf/alternating.hpp"
#include "dnmf/rng/numpy_random.hpp"

namespace dnmf {
namespace {

/// One sweep over the components per half-step (la::cd_sweep) on the folded G and rhs, in
/// order or, with shuffle, in the permutation numpy's RandomState(seed) draws for that sweep;
/// sums this rank's projected-gradient violation over the iteration.
template <typename T>
class CdSweep : public HalfStep<T> {
 public:
  CdSweep(std::int64_t k, bool shuffle, std::uint32_t seed)
      : k_(k), shuffle_(shuffle), rng_(seed) {}  // a fresh stream, as check_random_state(int)
  StepInput input() const override { return StepInput::folded; }
  void begin(Side side) override {
    if (side == Side::w) violation_ = 0;
    if (shuffle_) {
      order_ = rng_.permutation(k_);
    } else {
      order_.resize(static_cast<std::size_t>(k_));
      std::iota(order_.begin(), order_.end(), 0);
    }
  }
  void update(const StepRows<T>& s) override {
    violation_ += la::cd_sweep(s.rows, s.k, s.f, s.gram, s.rhs, order_.data());
  }
  void save(SolverState& state) const override {
    state.has_rng = shuffle_;
    if (shuffle_) state.rng = rng_.state();
  }
  void resume(const SolverState& state) override {
    if (state.has_rng) rng_.set_state(state.rng);
  }
  T violation() const { return violation_; }

 private:
  std::int64_t k_;
  bool shuffle_;
  rng::NumpyRandomState rng_;
  std::vector<std::int64_t> order_;
  T violation_ = 0;
};

/// scikit-learn's cd stopping rule: stop when the iteration's violation, summed over all ranks,
/// is at most tol times the first iteration's (at once when that one is 0).
template <typename T>
class ViolationStopRule : public StopRule {
 public:
  ViolationStopRule(double tol, const mpi::Comm& all, const CdSweep<T>& sweep)
      : tol_(tol), all_(all), sweep_(sweep) {}
  void start(const SolverState* resume, const ErrorFn&) override {
    violation_init_ = resume ? resume->violation_init : 0.0;
  }
  bool converged(std::int64_t it, const ErrorFn&, IterationInfo& info) override {
    const double violation = all_.allreduce_sum(static_cast<double>(sweep_.violation()));
    if (it == 1) violation_init_ = violation;
    info.violation = violation_init_ == 0 ? 0.0 : violation / violation_init_;
    return violation_init_ == 0 || violation / violation_init_ <= tol_;
  }
  void save(SolverState& state) const override { state.violation_init = violation_init_; }

 private:
  double tol_;
  const mpi::Comm& all_;
  const CdSweep<T>& sweep_;
  double violation_init_ = 0;
};

}  // namespace

template <typename T>
FitResult fit_cd(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                 const NmfParams& params, const Penalties& penalties, std::uint32_t seed,
                 bool update_h, const SolverControl<T>& control) {
  CdSweep<T> step(w.k(), params.shuffle, seed);
  ViolationStopRule<T> stop(params.tol, w.grid().all(), step);
  return alternate(products, w, ht, params, penalties, update_h, control, step, stop);
}

template FitResult fit_cd<double>(DistProducts<double>&, DistFactor<double>&, DistFactor<double>&,
                                  const NmfParams&, const Penalties&, std::uint32_t, bool,
                                  const SolverControl<double>&);
template FitResult fit_cd<float>(DistProducts<float>&, DistFactor<float>&, DistFactor<float>&,
                                 const NmfParams&, const Penalties&, std::uint32_t, bool,
                                 const SolverControl<float>&);

}  // namespace dnmf
