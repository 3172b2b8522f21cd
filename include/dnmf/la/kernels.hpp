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
