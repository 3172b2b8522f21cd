#pragma once
/// @file The alternating loop every solver runs in. The loop owns the iterations: resume, the
/// schedule of the products, the boundary hook, the observer, timing, the stop rule's calls and
/// the final error. A solver supplies its half-step (HalfStep) and its stop rule (StopRule).

#include <cstdint>

#include "dnmf/nmf/solver.hpp"

namespace dnmf {

/// The factor a half-step updates.
enum class Side { w, h };

/// What a solver's half-step is given besides the rows of its factor F.
enum class StepInput {
  /// The other factor's Gram G and rhs = X times the other factor, with the penalties folded
  /// in as scikit-learn's cd does: l2 on G's diagonal, l1 subtracted from rhs (cd, anls-bpp).
  folded,
  /// G and rhs as they are; the step applies l1 and l2 itself (mu, beta = 2).
  gram,
  /// No Gram: MU's numerator (in rhs) and denominator for beta != 2 (DistProducts::beta_mu_terms).
  beta_terms,
  /// Masked X (issue #16), anls-bpp: each row its own Gram over its observed entries (gram is
  /// rows x k x k) and rhs = (M o X) times the other factor, penalties folded as with `folded`
  /// (l2 on every Gram's diagonal, l1 off rhs). DistProducts::masked_normal_equations.
  row_grams,
};

/// One call of a half-step: `rows` rows of F (W, or Ht), row-major with k columns, and their
/// terms.
template <typename T>
struct StepRows {
  Side side;
  std::int64_t rows, k;
  T* f;           ///< updated in place
  T* rhs;         ///< rows x k; the step may overwrite it
  const T* gram;  ///< k x k (rows x k x k with row_grams); nullptr with StepInput::beta_terms
  const T* den;   ///< rows x k with StepInput::beta_terms, else nullptr
  double l1, l2;  ///< F's penalties (already in gram and rhs with StepInput::folded)
};

/// A solver's formulas for one half-step. `update` is called once per half-step with all the
/// rows of F this rank owns or, where X is read once per iteration (uses_one_pass), with W one
/// panel of rows at a time; a row's result must not depend on which.
template <typename T>
class HalfStep {
 public:
  virtual ~HalfStep() = default;
  virtual StepInput input() const = 0;
  /// Before each half-step (cd draws its component order here).
  virtual void begin(Side) {}
  virtual void update(const StepRows<T>& rows) = 0;
  /// What a resumed run needs of the step besides W and H (cd: its random state), and back.
  virtual void save(SolverState&) const {}
  virtual void resume(const SolverState&) {}
};

/// Runs `step` and `stop` from W and Ht (or from control.resume) for up to params.max_iter
/// iterations: W's half-step, then Ht's when `update_h`. X is read once per iteration when the
/// solver allows it (uses_one_pass) and the products can (DistProducts::one_pass_possible).
/// The error is params.beta()'s, by the solver's path (error_path). Collective.
template <typename T>
FitResult alternate(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                    const NmfParams& params, const Penalties& penalties, bool update_h,
                    const SolverControl<T>& control, HalfStep<T>& step, StopRule& stop);

}  // namespace dnmf
