// scikit-learn's multiplicative-update solver (--solver mu).
#include "dnmf/la/blas.hpp"
#include "dnmf/la/kernels.hpp"
#include "dnmf/nmf/alternating.hpp"

namespace dnmf {
namespace {

/// The exponent of Fevotte & Idier's MM updates (spec §5.1).
double mu_gamma(double beta) {
  if (beta < 1.0) return 1.0 / (2.0 - beta);
  if (beta > 2.0) return 1.0 / (beta - 1.0);
  return 1.0;
}

/// Sets entries below float64's epsilon to zero (scikit-learn's guard for small beta).
template <typename T>
void zero_tiny(std::int64_t size, T* f) {
  const T tiny = static_cast<T>(2.220446049250313e-16);
  for (std::int64_t i = 0; i < size; ++i)
    if (f[i] < tiny) f[i] = T(0);
}

/// F *= (num / (den + penalties)) ** gamma (la::multiplicative_step), with num = rhs and, for
/// beta = 2, den = F G; then the tiny entries zeroed where scikit-learn does (W for beta < 1,
/// H for beta <= 1).
template <typename T>
class MuStep : public HalfStep<T> {
 public:
  /// `masked`: X has a mask (issue #16); every beta then takes its terms from
  /// DistProducts::beta_mu_terms (beta = 2: (M o X) H^T and (M o WH) H^T).
  MuStep(double beta, bool masked) : beta_(beta), gamma_(mu_gamma(beta)), masked_(masked) {}
  StepInput input() const override {
    return beta_ == 2.0 && !masked_ ? StepInput::gram : StepInput::beta_terms;
  }
  void update(const StepRows<T>& s) override {
    const T* den = s.den;
    if (s.gram) {
      den_.resize(s.rows, s.k);
      la::gemm(la::Op::none, la::Op::none, s.rows, s.k, s.k, T(1), s.f, s.k, s.gram, s.k, T(0),
               den_.data(), s.k);
      den = den_.data();
    }
    la::multiplicative_step(s.rows * s.k, s.f, s.rhs, den, s.l1, s.l2, static_cast<T>(kEps),
                            gamma_);
    if (s.side == Side::w ? beta_ < 1.0 : beta_ <= 1.0) zero_tiny(s.rows * s.k, s.f);
  }

 private:
  double beta_, gamma_;
  bool masked_;
  Matrix<T> den_;
};

}  // namespace

template <typename T>
FitResult fit_mu(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                 const NmfParams& params, const Penalties& penalties, bool update_h,
                 const SolverControl<T>& control) {
  MuStep<T> step(params.beta(), products.x().masked());
  MuStopRule stop(params.tol);
  return alternate(products, w, ht, params, penalties, update_h, control, step, stop);
}

template FitResult fit_mu<double>(DistProducts<double>&, DistFactor<double>&, DistFactor<double>&,
                                  const NmfParams&, const Penalties&, bool,
                                  const SolverControl<double>&);
template FitResult fit_mu<float>(DistProducts<float>&, DistFactor<float>&, DistFactor<float>&,
                                 const NmfParams&, const Penalties&, bool,
                                 const SolverControl<float>&);

}  // namespace dnmf
