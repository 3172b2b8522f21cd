#pragma once
/// @file Local, MPI-free kernels of the NMF iterations. Tested against naive loops.

#include <cstdint>

namespace dnmf::la {

/// sum over the block of (X - W Ht^T)^2 for X (rows x cols, row stride ldx), W (rows x k) and
/// Ht (cols x k), both row-major and dense. Works through row panels so that no temporary of
/// X's size exists. Accumulates in double.
template <typename T>
double squared_residual(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                        std::int64_t ldx, const T* w, const T* ht);

/// scikit-learn's multiplicative step on a factor F (rows x k):
///   den += l1; den += l2 * F (using F before the update); den[den == 0] = eps;
///   F *= (num / den) ** gamma.
/// `num` is overwritten with the factor.
template <typename T>
void multiplicative_step(std::int64_t size, T* f, T* num, const T* den, double l1, double l2, T eps,
                         double gamma = 1.0);

/// Which factor a beta-divergence MU step updates.
enum class MuSide { w, h };

/// The local parts of scikit-learn's MU numerator and denominator for beta != 2 (spec §5.3) on
/// one block: with Y = W Ht^T (rows x cols, formed one row panel at a time, never whole),
///   A = X * Y^(beta-2) (beta = 1: X / Y; Y clipped below at eps when beta < 2),
///   B = Y^(beta-1) (Y clipped below at eps when beta < 1),
/// side w: num = A Ht (rows x k), den = B Ht; side h: num = A^T W (cols x k), den = B^T W.
/// For beta == 1 `den` is left untouched (its denominator is a column sum, not a product).
/// W is rows x k, Ht is cols x k, X has row stride ldx.
template <typename T>
void beta_mu_products(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                      std::int64_t ldx, const T* w, const T* ht, double beta, MuSide side, T* num,
                      T* den);

/// The partial sums of scikit-learn's beta-divergence (spec §6) over one block, beta != 2.
/// Entries with X <= eps are left out of the X sums; Y is clipped below at eps there.
struct DivergenceSums {
  double s1 = 0;  ///< beta=1: sum x log(x/y); beta=0: sum x/y; else: sum x^beta
  double s2 = 0;  ///< beta=1: sum x; beta=0: sum log(x/y); else: sum x y^(beta-1)
  double s3 = 0;  ///< other beta: sum over ALL entries of y^beta (unclipped)
};
template <typename T>
DivergenceSums divergence_sums(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                               std::int64_t ldx, const T* w, const T* ht, double beta);

/// One coordinate-descent sweep of scikit-learn's Fast HALS (spec §4) over the rows of A
/// (rows x k, row-major), for min_A>=0 0.5||Y - A B^T||^2 + l1 sum(A) + 0.5 l2 ||A||^2 with the
/// penalties already folded in: g = B^T B + l2 I (k x k), r = Y B - l1 (rows x k). Components
/// are visited in the order `perm`; within a component every row is updated, using the row's
/// current values (Gauss-Seidel across components). Returns the sum of |projected gradient|
/// measured before each coordinate's update, accumulated in T (one partial sum per component,
/// rows in order, as scikit-learn adds them; the partial sums are then added in visiting order).
template <typename T>
T cd_sweep(std::int64_t rows, std::int64_t k, T* a, const T* g, const T* r,
           const std::int64_t* perm);

/// Local statistics of a block used by validation and initialisation.
struct BlockStats {
  double sum = 0;              ///< compensated sum of the finite entries
  double min = 0;              ///< smallest entry (+inf for an empty block)
  std::int64_t nonfinite = 0;  ///< NaN or infinite entries
  std::int64_t negative = 0;   ///< entries < 0
};
template <typename T>
BlockStats block_stats(std::int64_t size, const T* x);

}  // namespace dnmf::la
