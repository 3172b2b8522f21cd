#pragma once
/// @file Local kernels of NMF on the observed entries only (issue #16). M is 1 on observed
/// entries and 0 elsewhere: a byte mask for dense blocks, the stored entries for sparse blocks
/// read with `--missing unstored`. With Y = W Ht^T (formed one row panel at a time for dense
/// blocks, only at stored entries for sparse ones):
///   A = M o X o Y^(beta-2)   (beta = 2: M o X; Y clipped below at eps when beta < 2),
///   B = M o Y^(beta-1)       (beta = 2: M o Y; beta = 1: M; Y clipped below at eps when
///                            beta < 1),
/// side w: num = A Ht, den = B Ht; side h: num = A^T W, den = B^T W. Local; no MPI.
#include <cstdint>

#include "dnmf/core/csr.hpp"
#include "dnmf/la/kernels.hpp"

namespace dnmf::la {

/// Dense block (rows x cols, X with row stride ldx, mask with row stride cols).
template <typename T>
void masked_mu_products(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                        std::int64_t ldx, const std::uint8_t* mask, const T* w, const T* ht,
                        double beta, MuSide side, T* num, T* den);

/// Sparse block whose stored entries are the observed ones.
template <typename T>
void csr_masked_mu_products(const Csr<T>& x, std::int64_t k, const T* w, const T* ht, double beta,
                            MuSide side, T* num, T* den);

/// The divergence's pieces over the observed entries of a block: s1, s2 as DivergenceSums
/// (entries with X <= eps left out, Y clipped at eps there); `s3` the sum over the observed
/// entries of Y^beta (beta = 1: of Y); `observed` their count; `squares` the sum of (X - Y)^2
/// over them (beta = 2 only, X - Y in X's precision).
struct MaskedSums {
  double s1 = 0, s2 = 0, s3 = 0, observed = 0, squares = 0;
};
template <typename T>
MaskedSums masked_divergence_sums(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                                  std::int64_t ldx, const std::uint8_t* mask, const T* w,
                                  const T* ht, double beta);
template <typename T>
MaskedSums csr_masked_divergence_sums(const Csr<T>& x, std::int64_t k, const T* w, const T* ht,
                                      double beta);

/// D_beta over the observed entries from globally summed MaskedSums (spec §6 restricted to M).
double masked_divergence(const MaskedSums& s, double beta);

/// anls-bpp's per-row normal equations over the observed entries. Side w: for each row i of the
/// block, G_i = sum_{j observed} h_j h_j^T (k x k) and r_i = sum_{j observed} x_ij h_j; side h
/// the mirror image over the columns with W's rows. `grams` is (rows or cols) x k x k, `rhs`
/// (rows or cols) x k; both overwritten.
template <typename T>
void masked_normal_equations(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                             std::int64_t ldx, const std::uint8_t* mask, const T* w, const T* ht,
                             MuSide side, T* grams, T* rhs);
template <typename T>
void csr_masked_normal_equations(const Csr<T>& x, std::int64_t k, const T* w, const T* ht,
                                 MuSide side, T* grams, T* rhs);

/// Sparse X read with `--missing nan`: every entry is observed but the stored NaN ones, whose
/// positions are the pattern `holes` (block-local, values unused; X holds the other stored
/// entries). The products are the unmasked ones less the holes' share: the denominators over
/// all entries (W H panels, as unmasked sparse mu for beta != 2), minus B at the holes.
template <typename T>
void csr_holes_mu_products(const Csr<T>& x, const Csr<T>& holes, std::int64_t k, const T* w,
                           const T* ht, double beta, MuSide side, T* num, T* den);
template <typename T>
MaskedSums csr_holes_divergence_sums(const Csr<T>& x, const Csr<T>& holes, std::int64_t k,
                                     const T* w, const T* ht, double beta);
/// Per-row Grams: the block's Gram less h_j h_j^T at the row's holes; rhs = X H^T.
template <typename T>
void csr_holes_normal_equations(const Csr<T>& x, const Csr<T>& holes, std::int64_t k, const T* w,
                                const T* ht, MuSide side, T* grams, T* rhs);

}  // namespace dnmf::la
