#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "dnmf/la/blas.hpp"
#include "dnmf/la/kernels.hpp"
#include "dnmf/nmf/solver.hpp"

namespace dnmf {
namespace {

/// scikit-learn's reconstruction error sqrt(2 D_beta), clamped at 0 (spec §6).
template <typename T>
double reconstruction_error(DistProducts<T>& products, const DistFactor<T>& w,
                            const DistFactor<T>& ht, double beta) {
  return std::sqrt(2.0 * std::max(products.divergence(w, ht, beta), 0.0));
}

/// The exponent of Fevotte & Idier's MM updates (spec §5.1).
double mu_gamma(double beta) {
  if (beta < 1.0) return 1.0 / (2.0 - beta);
  if (beta > 2.0) return 1.0 / (beta - 1.0);
  return 1.0;
}

/// One multiplicative half-step on F (W, or Ht): F *= ((num / (den + penalties)) ** gamma).
/// For beta = 2, den = F G with G the other factor's Gram, computed here.
/// The same on `rows` rows of F starting at `f` (row-major, k columns), num and den holding
/// those rows' terms.
template <typename T>
void mu_rows(std::int64_t rows, std::int64_t k, T* f, T* num, Matrix<T>& den, const Matrix<T>* gram,
             double l1, double l2, double gamma) {
  if (gram) {
    den.resize(rows, k);
    la::gemm(la::Op::none, la::Op::none, rows, k, k, T(1), f, k, gram->data(), k, T(0), den.data(),
             k);
  }
  la::multiplicative_step(rows * k, f, num, den.data(), l1, l2, static_cast<T>(kEps), gamma);
}

template <typename T>
void mu_update(DistFactor<T>& f, Matrix<T>& num, Matrix<T>& den, const Matrix<T>* gram, double l1,
               double l2, double gamma, PhaseTimers& timers) {
  auto t = timers.scope(Phase::update);
  Matrix<T>& fl = f.local();
  mu_rows(fl.rows(), f.k(), fl.data(), num.data(), den, gram, l1, l2, gamma);
}

/// Sets entries below float64's epsilon to zero (scikit-learn's guard for beta <= 1).
template <typename T>
void zero_tiny(Matrix<T>& m) {
  const T tiny = static_cast<T>(2.220446049250313e-16);
  for (std::int64_t i = 0; i < m.size(); ++i)
    if (m.data()[i] < tiny) m.data()[i] = T(0);
}

}  // namespace

template <typename T>
FitResult fit_mu(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                 const NmfParams& params, const Penalties& penalties, bool update_h,
                 const SolverControl<T>& control) {
  const double beta = params.beta();
  const double gamma = mu_gamma(beta);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  PhaseTimers& timers = products.timers();
  FitResult result;
  const SolverState* resume = control.resume;
  result.error_at_init =
      resume ? resume->error_at_init : reconstruction_error(products, w, ht, beta);
  MuStopRule stop(params.tol, result.error_at_init,
                  resume ? resume->previous_error : result.error_at_init);

  Matrix<T> gram, gram_w, num, den;
  std::int64_t it = resume ? resume->iteration + 1 : 1;
  for (; it <= params.max_iter; ++it) {
    if (beta == 2.0 && update_h && products.one_pass_possible()) {
      // Whole rows per rank: W's update and both products in one visit of X.
      products.gram(ht, gram);  // H H^T
      products.one_pass(
          ht, w,
          [&](Range panel, Matrix<T>& r) {
            auto t = timers.scope(Phase::update);
            mu_rows(panel.size, w.k(), w.local().data() + panel.begin * w.k(), r.data(), den, &gram,
                    penalties.l1_W, penalties.l2_W, gamma);
          },
          num, gram_w);
      mu_update(ht, num, den, &gram_w, penalties.l1_H, penalties.l2_H, gamma, timers);
    } else if (beta == 2.0) {
      products.gram(ht, gram);  // H H^T
      products.x_times_ht(ht, w.layout(), num);
      mu_update(w, num, den, &gram, penalties.l1_W, penalties.l2_W, gamma, timers);
    } else {
      products.beta_mu_terms(w, ht, beta, la::MuSide::w, num, den);
      mu_update<T>(w, num, den, nullptr, penalties.l1_W, penalties.l2_W, gamma, timers);
    }
    if (beta < 1.0) zero_tiny(w.local());
    if (update_h && !(beta == 2.0 && products.one_pass_possible())) {
      if (beta == 2.0) {
        products.gram(w, gram);  // W^T W
        products.xt_times_w(w, ht.layout(), num);
        mu_update(ht, num, den, &gram, penalties.l1_H, penalties.l2_H, gamma, timers);
      } else {
        products.beta_mu_terms(w, ht, beta, la::MuSide::h, num, den);
        mu_update<T>(ht, num, den, nullptr, penalties.l1_H, penalties.l2_H, gamma, timers);
      }
      if (beta <= 1.0) zero_tiny(ht.local());
    }
    const IterationEnd end = end_mu_like_iteration(
        it, stop, [&] { return reconstruction_error(products, w, ht, beta); }, elapsed, control,
        params.max_iter, w, ht, result);
    if (end == IterationEnd::interrupted) return result;
    if (end == IterationEnd::converged) break;
  }
  result.n_iter = std::min(it, params.max_iter);
  result.seconds = elapsed();
  result.reconstruction_err = reconstruction_error(products, w, ht, beta);
  return result;
}

template FitResult fit_mu<double>(DistProducts<double>&, DistFactor<double>&, DistFactor<double>&,
                                  const NmfParams&, const Penalties&, bool,
                                  const SolverControl<double>&);
template FitResult fit_mu<float>(DistProducts<float>&, DistFactor<float>&, DistFactor<float>&,
                                 const NmfParams&, const Penalties&, bool,
                                 const SolverControl<float>&);

}  // namespace dnmf
