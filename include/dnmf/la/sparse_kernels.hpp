#pragma once
/// @file Local kernels on a CSR block, MPI-free; the sparse counterparts of kernels.hpp. None of
/// them forms a dense array of the block's shape.

#include <cstdint>

#include "dnmf/core/csr.hpp"
#include "dnmf/la/kernels.hpp"

namespace dnmf::la {

/// out (rows x k) = X B for B (cols x k), both row-major.
template <typename T>
void csr_times_dense(const Csr<T>& x, std::int64_t k, const T* b, T* out);

/// out (cols x k) = X^T B for B (rows x k).
template <typename T>
void csr_transpose_times_dense(const Csr<T>& x, std::int64_t k, const T* b, T* out);

/// The numerator of scikit-learn's MU step for beta != 2 on a sparse block: with Y = W Ht^T
/// evaluated at X's stored entries only, A = X * Y^(beta-2) (beta = 1: X / Y; Y clipped below
/// at eps), and num = A Ht (side w, rows x k) or A^T W (side h, cols x k).
template <typename T>
void csr_beta_numerator(const Csr<T>& x, std::int64_t k, const T* w, const T* ht, double beta,
                        MuSide side, T* num);

/// The denominator of the MU step for beta not in {1, 2}, which involves every entry of
/// Y = W Ht^T (rows x cols), stored or not: B = Y^(beta-1) (clipped below at eps when beta < 1),
/// den = B Ht (side w) or B^T W (side h). Formed one row panel at a time.
template <typename T>
void beta_denominator(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* w, const T* ht,
                      double beta, MuSide side, T* den);

/// Sum over every entry of Y = W Ht^T of Y^beta (unclipped), one row panel at a time.
template <typename T>
double wh_power_sum(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* w, const T* ht,
                    double beta);

/// Divergence sums (see DivergenceSums) over a sparse block: s1 and s2 over the stored entries
/// with X > eps, s3 over every entry.
template <typename T>
DivergenceSums csr_divergence_sums(const Csr<T>& x, std::int64_t k, const T* w, const T* ht,
                                   double beta);

/// For the sparse Frobenius error: sum of x^2 over stored entries, and <X Ht, W> =
/// sum over stored (i, j) of x_ij * (W Ht^T)_ij.
struct SparseFrobeniusSums {
  double x_squares = 0;
  double cross = 0;
};
template <typename T>
SparseFrobeniusSums csr_frobenius_sums(const Csr<T>& x, std::int64_t k, const T* w, const T* ht);

/// Statistics of a sparse block including its implicit zeros.
template <typename T>
BlockStats csr_block_stats(const Csr<T>& x);

}  // namespace dnmf::la
