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
///   F *= num / den.
/// `num` is overwritten with the ratio.
template <typename T>
void multiplicative_step(std::int64_t size, T* f, T* num, T* den, double l1, double l2, T eps);

/// One coordinate-descent sweep of scikit-learn's Fast HALS (spec §4) over the rows of A
/// (rows x k, row-major), for min_A>=0 0.5||Y - A B^T||^2 + l1 sum(A) + 0.5 l2 ||A||^2 with the
/// penalties already folded in: g = B^T B + l2 I (k x k), r = Y B - l1 (rows x k). Components
/// are visited in the order `perm`; within a component every row is updated, using the row's
/// current values (Gauss-Seidel across components). Returns the sum of |projected gradient|
/// measured before each coordinate's update, accumulated in T as scikit-learn does.
template <typename T>
T cd_sweep(std::int64_t rows, std::int64_t k, T* a, const T* g, const T* r,
           const std::int64_t* perm);

/// Local statistics of a block used by validation and initialisation.
struct BlockStats {
  double sum = 0;         ///< compensated sum of the finite entries
  double min = 0;         ///< smallest entry (+inf for an empty block)
  std::int64_t nonfinite = 0;  ///< NaN or infinite entries
  std::int64_t negative = 0;   ///< entries < 0
};
template <typename T>
BlockStats block_stats(std::int64_t size, const T* x);

}  // namespace dnmf::la
