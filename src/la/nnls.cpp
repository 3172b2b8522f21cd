#include "dnmf/la/nnls.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "dnmf/core/error.hpp"

namespace dnmf::la {
namespace {

/// The problem shared by every row: G in double, its transpose (columns of G contiguous, so a
/// column update reads G(:, j) without striding) and the components that are dead (G_ii = 0: the
/// other factor has an all-zero component; its coefficient stays at zero, which also keeps the
/// free block positive definite).
struct SharedGram {
  std::int64_t k;
  std::vector<double> gt;  // gt[j * k + i] = G(i, j)
  std::vector<char> dead;

  template <typename T>
  SharedGram(std::int64_t k_in, const T* g) : k(k_in), gt(k * k), dead(k) {
    for (std::int64_t i = 0; i < k; ++i)
      for (std::int64_t j = 0; j < k; ++j) gt[j * k + i] = static_cast<double>(g[i * k + j]);
    for (std::int64_t i = 0; i < k; ++i) dead[i] = !(gt[i * k + i] > 0);
  }
};

/// One row's pivoting state between solves: after each solve (x on the free set, y = G x - r on
/// the bound set) it finds the infeasible variables and exchanges them between the sets.
class Pivoting {
 public:
  explicit Pivoting(std::int64_t k) : k_(k), max_exchanges_(static_cast<int>(10 * k + 100)) {
    infeasible_.reserve(k);
  }

  /// A new row, whose right-hand side has largest magnitude `r_scale`.
  void start_row(double r_scale) {
    tol_ = 1e-13 * std::max(r_scale, 1e-300);
    best_ = k_ + 1;
    backup_ = 3;
    step_ = 0;
  }

  /// Reads x_i and y_i through `x(i)`, `y(i)`; flips `in_free`. True when the point is the KKT
  /// point (nothing infeasible).
  template <typename X, typename Y>
  bool done_after_exchange(const std::vector<char>& dead, char* in_free, X x, Y y) {
    infeasible_.clear();
    for (int i = 0; i < k_; ++i)
      if (!dead[i] && (in_free[i] ? x(i) < 0 : y(i) < -tol_)) infeasible_.push_back(i);
    if (infeasible_.empty()) return true;
    if (step_ >= max_exchanges_) {
      throw InternalError("nnls_bpp: no convergence after " + std::to_string(step_) +
                          " exchanges (k = " + std::to_string(k_) + ")");
    }
    ++step_;
    const auto count = static_cast<std::int64_t>(infeasible_.size());
    if (count < best_) {  // progress: exchange the whole block
      best_ = count;
      backup_ = 3;
      for (int i : infeasible_) in_free[i] = !in_free[i];
    } else if (backup_ > 0) {  // no progress yet: a few more block exchanges
      --backup_;
      for (int i : infeasible_) in_free[i] = !in_free[i];
    } else {  // Murty's rule: exchange only the largest infeasible index
      in_free[infeasible_.back()] = !in_free[infeasible_.back()];
    }
    return false;
  }

 private:
  std::int64_t k_;
  int max_exchanges_;
  double tol_ = 0;
  std::int64_t best_ = 0;
  int backup_ = 3;
  int step_ = 0;
  std::vector<int> infeasible_;
};

template <typename T>
double row_scale(std::int64_t k, const T* r) {
  double s = 0;
  for (std::int64_t i = 0; i < k; ++i) s = std::max(s, std::abs(static_cast<double>(r[i])));
  return s;
}

[[noreturn]] void not_positive_definite() {
  throw InternalError("nnls_bpp: the Gram matrix is not positive definite");
}

/// Solves G_FF x = r_F for the free set F (indices in `free`) by Cholesky; G_FF is positive
/// definite as a principal submatrix of G. `work` holds the factor L column by column
/// (work[j * f + i] = L(i, j)), so that the factorisation and the forward solve are updates of
/// whole columns; each entry subtracts its terms in the order of the textbook row-by-row loops.
void solve_free(const SharedGram& sg, const double* r, const std::vector<int>& free,
                std::vector<double>& work, std::vector<double>& x_free) {
  const std::int64_t k = sg.k;
  const std::size_t f = free.size();
  work.resize(f * f);
  x_free.resize(f);
  double* l = work.data();
  for (std::size_t j = 0; j < f; ++j) {
    double* col = l + j * f;
    const double* gt_j = sg.gt.data() + free[j] * k;  // G(F_i, F_j) = G^T(F_j, F_i)
    for (std::size_t i = j; i < f; ++i) col[i] = gt_j[free[i]];
    for (std::size_t p = 0; p < j; ++p) {  // col -= L(:, p) L(j, p)
      const double* lp = l + p * f;
      const double ljp = lp[j];
      for (std::size_t i = j; i < f; ++i) col[i] -= lp[i] * ljp;
    }
    if (!(col[j] > 0)) not_positive_definite();
    const double d = std::sqrt(col[j]);
    col[j] = d;
    for (std::size_t i = j + 1; i < f; ++i) col[i] /= d;
  }
  for (std::size_t i = 0; i < f; ++i) x_free[i] = r[free[i]];
  for (std::size_t p = 0; p < f; ++p) {  // L z = r_F, a column at a time
    const double* lp = l + p * f;
    const double zp = x_free[p] / lp[p];
    x_free[p] = zp;
    for (std::size_t i = p + 1; i < f; ++i) x_free[i] -= lp[i] * zp;
  }
  for (std::size_t i = f; i-- > 0;) {  // L^T x = z: row i of L^T is column i of L
    const double* li = l + i * f;
    double s = x_free[i];
    for (std::size_t p = i + 1; p < f; ++p) s -= li[p] * x_free[p];
    x_free[i] = s / li[i];
  }
}

/// One row at a time: a Cholesky factorisation of G_FF (|F| x |F|) per solve.
template <typename T>
void bpp_one_row_at_a_time(std::int64_t rows, const SharedGram& sg, const T* r_in, T* a_out) {
  const std::int64_t k = sg.k;
  std::vector<double> r(k), x(k), y(k), work, x_free;
  std::vector<char> in_free(k);
  std::vector<int> free;
  free.reserve(k);
  Pivoting pivoting(k);
  for (std::int64_t row = 0; row < rows; ++row) {
    for (std::int64_t i = 0; i < k; ++i) r[i] = static_cast<double>(r_in[row * k + i]);
    pivoting.start_row(row_scale(k, r_in + row * k));
    // Start from the free set of the incoming row (its positive entries: in ANLS the previous
    // iterate, whose support rarely changes much); all bound when it is zero.
    for (int i = 0; i < k; ++i) in_free[i] = !sg.dead[i] && a_out[row * k + i] > T(0);
    do {
      // x on the free set from G_FF x_F = r_F, zero elsewhere; y_i = -r_i + sum over j in F
      // (ascending) of G_ij x_j, for every i at once through G's columns, zero on F.
      free.clear();
      for (int i = 0; i < k; ++i)
        if (in_free[i]) free.push_back(i);
      solve_free(sg, r.data(), free, work, x_free);
      std::fill(x.begin(), x.end(), 0.0);
      for (std::size_t i = 0; i < free.size(); ++i) x[free[i]] = x_free[i];
      for (int i = 0; i < k; ++i) y[i] = -r[i];
      for (int j : free) {
        const double* gt_j = sg.gt.data() + j * k;
        for (int i = 0; i < k; ++i) y[i] += gt_j[i] * x[j];
      }
      for (int j : free) y[j] = 0.0;
    } while (!pivoting.done_after_exchange(
        sg.dead, in_free.data(), [&](int i) { return x[i]; }, [&](int i) { return y[i]; }));
    for (std::int64_t i = 0; i < k; ++i) a_out[row * k + i] = static_cast<T>(std::max(x[i], 0.0));
  }
}

}  // namespace

template <typename T>
void nnls_bpp(std::int64_t rows, std::int64_t k, const T* g, const T* r, T* a) {
  bpp_one_row_at_a_time(rows, SharedGram(k, g), r, a);
}

template void nnls_bpp<double>(std::int64_t, std::int64_t, const double*, const double*, double*);
template void nnls_bpp<float>(std::int64_t, std::int64_t, const float*, const float*, float*);

}  // namespace dnmf::la
