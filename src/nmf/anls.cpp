// Alternating non-negative least squares with block principal pivoting (--solver anls-bpp).
#include "dnmf/la/nnls.hpp"
#include "dnmf/nmf/alternating.hpp"

namespace dnmf {
namespace {

/// Solves for F exactly, row by row: each row a minimises 0.5 a^T G a - rhs^T a over a >= 0 on
/// the folded G and rhs (cd's subproblem, penalties included), by block principal pivoting.
template <typename T>
class BppStep : public HalfStep<T> {
 public:
  explicit BppStep(bool masked) : masked_(masked) {}
  StepInput input() const override { return masked_ ? StepInput::row_grams : StepInput::folded; }
  void update(const StepRows<T>& s) override {
    if (!masked_) {
      la::nnls_bpp(s.rows, s.k, s.gram, s.rhs, s.f);
      return;
    }
    // Masked X: each row has its own Gram over its observed entries (issue #16).
    for (std::int64_t i = 0; i < s.rows; ++i)
      la::nnls_bpp(1, s.k, s.gram + i * s.k * s.k, s.rhs + i * s.k, s.f + i * s.k);
  }

 private:
  bool masked_;
};

}  // namespace

template <typename T>
FitResult fit_anls_bpp(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                       const NmfParams& params, const Penalties& penalties, bool update_h,
                       const SolverControl<T>& control) {
  BppStep<T> step(products.x().masked());
  MuStopRule stop(params.tol);
  return alternate(products, w, ht, params, penalties, update_h, control, step, stop);
}

template FitResult fit_anls_bpp<double>(DistProducts<double>&, DistFactor<double>&,
                                        DistFactor<double>&, const NmfParams&, const Penalties&,
                                        bool, const SolverControl<double>&);
template FitResult fit_anls_bpp<float>(DistProducts<float>&, DistFactor<float>&, DistFactor<float>&,
                                       const NmfParams&, const Penalties&, bool,
                                       const SolverControl<float>&);

}  // namespace dnmf
