#pragma once
/// @file Non-negative least squares by block principal pivoting (Kim & Park, "Fast nonnegative
/// matrix factorization: an active-set-like method and comparisons", SIAM J. Sci. Comput. 2011),
/// the exact subproblem solver of the anls-bpp solver.

#include <cstdint>

namespace dnmf::la {

/// For each of `rows` rows, the exact minimiser of 0.5 a^T G a - r^T a subject to a >= 0, where
/// G (k x k, symmetric positive definite, row-major) is shared and r is the row of R (rows x k,
/// row-major). With G = B^T B + l2 I and R = Y B - l1 this is the row of A that minimises
/// 0.5||Y - A B^T||^2 + l1 sum(A) + 0.5 l2 ||A||^2: the same subproblem cd's sweep improves,
/// solved to optimality. Each row's KKT system (a >= 0, y = G a - r >= 0, a_i y_i = 0) is found
/// by exchanging infeasible variables between the free and the bound sets in blocks, with
/// Murty's single-exchange backup when the infeasible count stops shrinking (which guarantees
/// termination). Arithmetic in double whatever T is. A (rows x k, row-major) is read as the
/// starting point, whose positive entries form each row's first free set (zeros: start with all
/// variables bound), and overwritten with the solution; the solution does not depend on it.
template <typename T>
void nnls_bpp(std::int64_t rows, std::int64_t k, const T* g, const T* r, T* a);

}  // namespace dnmf::la
