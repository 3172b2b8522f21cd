#include "dnmf/la/nnls.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "dnmf/core/error.hpp"

namespace dnmf::la {
namespace {

/// Solves G_FF x = r_F for the free set F (indices in `free`) by Cholesky; G_FF is positive
/// definite as a principal submatrix of G. `work` holds the factor (|F| x |F|).
bool solve_free(std::int64_t k, const double* g, const double* r, const std::vector<int>& free,
                std::vector<double>& work, std::vector<double>& x_free) {
  const std::size_t f = free.size();
  work.assign(f * f, 0.0);
  x_free.assign(f, 0.0);
  for (std::size_t i = 0; i < f; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double s = g[free[i] * k + free[j]];
      for (std::size_t p = 0; p < j; ++p) s -= work[i * f + p] * work[j * f + p];
      if (i == j) {
        if (!(s > 0)) return false;
        work[i * f + i] = std::sqrt(s);
      } else {
        work[i * f + j] = s / work[j * f + j];
      }
    }
  }
  for (std::size_t i = 0; i < f; ++i) {  // L z = r_F
    double s = r[free[i]];
    for (std::size_t p = 0; p < i; ++p) s -= work[i * f + p] * x_free[p];
    x_free[i] = s / work[i * f + i];
  }
  for (std::size_t i = f; i-- > 0;) {  // L^T x = z
    double s = x_free[i];
    for (std::size_t p = i + 1; p < f; ++p) s -= work[p * f + i] * x_free[p];
    x_free[i] = s / work[i * f + i];
  }
  return true;
}

}  // namespace

template <typename T>
void nnls_bpp(std::int64_t rows, std::int64_t k, const T* g_in, const T* r_in, T* a_out) {
  std::vector<double> g(static_cast<std::size_t>(k * k));
  for (std::int64_t i = 0; i < k * k; ++i) g[i] = static_cast<double>(g_in[i]);
  // A component that is entirely zero in the other factor has G_ii = 0 (and r_i = 0): its
  // coefficient stays at zero, which also keeps the free block positive definite.
  std::vector<char> dead(static_cast<std::size_t>(k));
  for (std::int64_t i = 0; i < k; ++i) dead[i] = !(g[i * k + i] > 0);
  std::vector<double> r(static_cast<std::size_t>(k)), x(static_cast<std::size_t>(k)),
      y(static_cast<std::size_t>(k)), work, x_free;
  std::vector<char> in_free(static_cast<std::size_t>(k));
  std::vector<int> free, infeasible;
  const int max_exchanges = static_cast<int>(10 * k + 100);
  for (std::int64_t row = 0; row < rows; ++row) {
    double r_scale = 0;
    for (std::int64_t i = 0; i < k; ++i) {
      r[i] = static_cast<double>(r_in[row * k + i]);
      r_scale = std::max(r_scale, std::abs(r[i]));
    }
    const double tol = 1e-13 * std::max(r_scale, 1e-300);
    // x on the free set from G_FF x_F = r_F, zero elsewhere; y = G x - r on the bound set.
    auto solve_for_free_set = [&] {
      free.clear();
      for (int i = 0; i < k; ++i)
        if (in_free[i]) free.push_back(i);
      if (!solve_free(k, g.data(), r.data(), free, work, x_free)) {
        throw InternalError("nnls_bpp: the Gram matrix is not positive definite");
      }
      std::fill(x.begin(), x.end(), 0.0);
      for (std::size_t i = 0; i < free.size(); ++i) x[free[i]] = x_free[i];
      for (int i = 0; i < k; ++i) {
        double v = 0.0;
        if (!in_free[i]) {
          v = -r[i];
          for (int j : free) v += g[i * k + j] * x[j];
        }
        y[i] = v;
      }
    };
    // Start from the free set of the incoming row (its positive entries: in ANLS the previous
    // iterate, whose support rarely changes much); all bound when it is zero.
    for (int i = 0; i < k; ++i) in_free[i] = !dead[i] && a_out[row * k + i] > T(0);
    solve_for_free_set();
    int backup = 3;
    std::int64_t best = k + 1;
    for (int step = 0;; ++step) {
      infeasible.clear();
      for (int i = 0; i < k; ++i)
        if (!dead[i] && (in_free[i] ? x[i] < 0 : y[i] < -tol)) infeasible.push_back(i);
      if (infeasible.empty()) break;
      if (step >= max_exchanges) {
        throw InternalError("nnls_bpp: no convergence after " + std::to_string(step) +
                            " exchanges (k = " + std::to_string(k) + ")");
      }
      const auto count = static_cast<std::int64_t>(infeasible.size());
      if (count < best) {  // progress: exchange the whole block
        best = count;
        backup = 3;
        for (int i : infeasible) in_free[i] = !in_free[i];
      } else if (backup > 0) {  // no progress yet: a few more block exchanges
        --backup;
        for (int i : infeasible) in_free[i] = !in_free[i];
      } else {  // Murty's rule: exchange only the largest infeasible index
        in_free[infeasible.back()] = !in_free[infeasible.back()];
      }
      solve_for_free_set();
    }
    for (std::int64_t i = 0; i < k; ++i) a_out[row * k + i] = static_cast<T>(std::max(x[i], 0.0));
  }
}

template void nnls_bpp<double>(std::int64_t, std::int64_t, const double*, const double*, double*);
template void nnls_bpp<float>(std::int64_t, std::int64_t, const float*, const float*, float*);

}  // namespace dnmf::la
