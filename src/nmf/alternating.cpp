#include "dnmf/nmf/alternating.hpp"

#include <algorithm>
#include <chrono>

#include "dnmf/core/error.hpp"
#include "dnmf/nmf/objective.hpp"

namespace dnmf {
namespace {

/// The penalties folded into a half-step's terms as scikit-learn's cd does (StepInput::folded):
/// l2 on the Gram's diagonal ...
template <typename T>
void fold_l2(Matrix<T>& g, double l2) {
  if (l2 != 0.0)
    for (std::int64_t c = 0; c < g.rows(); ++c) g(c, c) += static_cast<T>(l2);
}

/// ... and l1 subtracted from each entry of the right-hand side.
template <typename T>
void fold_l1(std::int64_t size, T* rhs, double l1) {
  if (l1 != 0.0)
    for (std::int64_t i = 0; i < size; ++i) rhs[i] -= static_cast<T>(l1);
}

/// One iteration's products and half-steps, in either schedule; keeps the buffers between
/// iterations.
template <typename T>
struct Iteration {
  DistProducts<T>& products;
  DistFactor<T>& w;
  DistFactor<T>& ht;
  const double beta;
  const Penalties& pen;
  HalfStep<T>& step;
  const StepInput input = step.input();
  PhaseTimers& timers = products.timers();
  Matrix<T> gram{}, gram_w{}, rhs{}, den{};

  /// X read twice: W's products and half-step, then Ht's (when `update_h`).
  void two_passes(bool update_h) {
    half_step(Side::w);
    if (update_h) half_step(Side::h);
  }

  /// X read once (DistProducts::one_pass): W's half-step panel by panel while the products Ht's
  /// half-step needs accumulate, then Ht's half-step.
  void one_pass() {
    products.gram(ht, gram);  // H H^T
    fold_gram(Side::w, gram);
    step.begin(Side::w);
    const std::int64_t k = w.k();
    products.one_pass(
        ht, w,
        [&](Range panel, Matrix<T>& r) {
          auto t = timers.scope(Phase::update);
          update(Side::w, panel.size, w.local().data() + panel.begin * k, r.data(), gram);
        },
        rhs, gram_w);  // (X^T W)[my Ht rows] and W^T W
    step.begin(Side::h);
    auto t = timers.scope(Phase::update);
    fold_gram(Side::h, gram_w);
    update(Side::h, ht.local().rows(), ht.local().data(), rhs.data(), gram_w);
  }

  void half_step(Side side) {
    if (input == StepInput::row_grams) {
      row_gram_step(side);
      return;
    }
    if (input == StepInput::beta_terms) {
      products.beta_mu_terms(w, ht, beta, side == Side::w ? la::MuSide::w : la::MuSide::h, rhs,
                             den);
    } else if (side == Side::w) {
      products.gram(ht, gram);  // H H^T
      products.x_times_ht(ht, w.layout(), rhs);
    } else {
      products.gram(w, gram);  // W^T W
      products.xt_times_w(w, ht.layout(), rhs);
    }
    step.begin(side);
    auto t = timers.scope(Phase::update);
    fold_gram(side, gram);
    Matrix<T>& f = side == Side::w ? w.local() : ht.local();
    update(side, f.rows(), f.data(), rhs.data(), gram);
  }

  /// Masked anls-bpp: every row's own Gram, folded, then the step.
  void row_gram_step(Side side) {
    const bool w_side = side == Side::w;
    products.masked_normal_equations(w, ht, w_side ? la::MuSide::w : la::MuSide::h, gram, rhs);
    step.begin(side);
    auto t = timers.scope(Phase::update);
    const std::int64_t k = w.k();
    const double l1 = w_side ? pen.l1_W : pen.l1_H;
    const double l2 = w_side ? pen.l2_W : pen.l2_H;
    Matrix<T>& f = w_side ? w.local() : ht.local();
    if (l2 != 0.0)
      for (std::int64_t i = 0; i < f.rows(); ++i)
        for (std::int64_t c = 0; c < k; ++c)
          gram.data()[i * k * k + c * k + c] += static_cast<T>(l2);
    fold_l1(f.rows() * k, rhs.data(), l1);
    step.update({side, f.rows(), k, f.data(), rhs.data(), gram.data(), nullptr, l1, l2});
  }

  void fold_gram(Side side, Matrix<T>& g) const {
    if (input == StepInput::folded) fold_l2(g, side == Side::w ? pen.l2_W : pen.l2_H);
  }

  /// The step on `rows` rows of F at `f`, with their rhs and the (folded) Gram.
  void update(Side side, std::int64_t rows, T* f, T* r, const Matrix<T>& g) {
    const std::int64_t k = w.k();
    const double l1 = side == Side::w ? pen.l1_W : pen.l1_H;
    const double l2 = side == Side::w ? pen.l2_W : pen.l2_H;
    if (input == StepInput::folded) fold_l1(rows * k, r, l1);
    const bool terms = input == StepInput::beta_terms;
    step.update(
        {side, rows, k, f, r, terms ? nullptr : g.data(), terms ? den.data() : nullptr, l1, l2});
  }
};

}  // namespace

template <typename T>
FitResult alternate(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                    const NmfParams& params, const Penalties& penalties, bool update_h,
                    const SolverControl<T>& control, HalfStep<T>& step, StopRule& stop) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const double beta = params.beta();
  const ErrorPath path = error_path(params.solver);
  const ErrorFn error = [&] { return reconstruction_error(products, w, ht, beta, path); };
  // The schedule, chosen once: the one the grid was planned for (uses_one_pass), where the
  // products allow it.
  const bool one_pass = update_h && uses_one_pass(params) && products.one_pass_possible();
  if (one_pass && step.input() != StepInput::folded && step.input() != StepInput::gram) {
    throw InternalError("alternate: reading X once needs a Gram-based half-step");
  }

  const SolverState* resume = control.resume;
  if (resume) step.resume(*resume);
  stop.start(resume, error);
  FitResult result;
  result.error_at_init = stop.error_at_init();
  Iteration<T> iteration{products, w, ht, beta, penalties, step};
  // The boundary after iteration `it`: the hook may stop the run there (a checkpoint).
  auto stopped_at = [&](std::int64_t it) {
    if (it >= params.max_iter || !control.at_boundary) return false;
    SolverState state;
    state.iteration = it;
    step.save(state);
    stop.save(state);
    const double seconds = elapsed();  // the hook's own time (a checkpoint) not included
    if (!control.at_boundary(state, w, ht)) return false;
    result.interrupted = true;
    result.state = state;
    result.n_iter = it;
    result.seconds = seconds;
    return true;
  };
  // The starting point is a boundary too: a stop asked for before the first iteration (a
  // signal while X was being read) checkpoints the initial W and H.
  if (!resume && stopped_at(0)) return result;
  std::int64_t it = resume ? resume->iteration + 1 : 1;
  for (; it <= params.max_iter; ++it) {
    if (one_pass) {
      iteration.one_pass();
    } else {
      iteration.two_passes(update_h);
    }
    IterationInfo info;
    info.iteration = it;
    const bool converged = stop.converged(it, error, info);
    info.seconds = elapsed();
    if (control.observer) control.observer(info);
    if (converged) break;
    if (stopped_at(it)) return result;
  }
  result.n_iter = std::min(it, params.max_iter);
  result.seconds = elapsed();
  result.reconstruction_err = error();
  return result;
}

template FitResult alternate<double>(DistProducts<double>&, DistFactor<double>&,
                                     DistFactor<double>&, const NmfParams&, const Penalties&, bool,
                                     const SolverControl<double>&, HalfStep<double>&, StopRule&);
template FitResult alternate<float>(DistProducts<float>&, DistFactor<float>&, DistFactor<float>&,
                                    const NmfParams&, const Penalties&, bool,
                                    const SolverControl<float>&, HalfStep<float>&, StopRule&);

}  // namespace dnmf
