#pragma once
/// @file LU and QR of tall distributed factors, in ScaLAPACK on a block-cyclic copy
/// (dnmf/dist/block_cyclic.hpp): the normalisations of the randomized SVD's power iterations
/// and its orthonormal bases.

#include "dnmf/core/matrix.hpp"
#include "dnmf/dist/block_cyclic.hpp"
#include "dnmf/dist/dist_matrix.hpp"

namespace dnmf {

/// scipy.linalg.lu(A, permute_l=True)[0] for a tall-or-wide factor A (m x c): the row-permuted
/// unit lower-trapezoidal factor P L, m x min(m, c). Only its span (that of A when A has full
/// column rank) matters to the randomized SVD. ScaLAPACK p?getrf on the block-cyclic copy; L is
/// cut out of the factored copy (unit diagonal, zeros above it); p?lapiv puts its rows back.
/// `proxy` is for a's side and row count. Collective.
template <typename T>
DistFactor<T> lu_permuted_l(const TallProxy& proxy, const DistFactor<T>& a);

/// Replaces a tall factor A (m x c, m >= c) by the orthonormal factor Q of its economic QR
/// (scipy.linalg.qr(A, mode='economic')[0], up to column signs). With `r` non-null, also
/// returns R (c x c, upper triangular, row-major) on every rank. p?geqrf + p?orgqr on the
/// block-cyclic copy; R's entries are summed in from the ranks that hold them. Collective.
template <typename T>
void qr_in_place(const TallProxy& proxy, DistFactor<T>& a, Matrix<T>* r);

}  // namespace dnmf
