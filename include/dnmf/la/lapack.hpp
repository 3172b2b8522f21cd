#pragma once
/// @file Typed wrappers for the serial LAPACK routines dnmf uses (gesdd), and the argument and
/// `info` conventions shared with the ScaLAPACK wrappers (dnmf/scalapack/scalapack.hpp). The
/// only place that declares serial LAPACK's Fortran symbols. Local: no MPI.
///
/// Error policy of every (Sca)LAPACK wrapper:
///   - `info < 0` (an illegal argument) is our bug: InternalError naming the routine;
///   - `info > 0` is a fact about the data (no convergence, an exactly singular factor). The
///     wrappers return it; callers that cannot go on turn it into a NumericalError with
///     `check_converged`, once every rank knows it.

#include <cstdint>
#include <string>
#include <vector>

namespace dnmf::la {

/// `v` as a 32-bit Fortran int; InternalError naming `what` if it does not fit.
int narrow_to_int(std::int64_t v, const char* what);

/// Throws InternalError if `info` < 0 (an illegal argument to `routine`); returns otherwise.
void check_arguments(std::int64_t info, const char* routine);

/// Throws NumericalError if `info` > 0 (`routine` did not converge), InternalError if < 0.
/// `context` names the computation that needed it, e.g. "randomized_svd".
void check_converged(std::int64_t info, const std::string& context, const std::string& routine);

/// The workspace size a workspace query (lwork = -1) returned, rounded up (it comes back as a
/// floating value), at least 1.
int workspace_size(double query);

/// gesdd (divide and conquer, as scipy.linalg.svd uses by default), thin (jobz = 'S'):
/// A = U diag(s) VT for a column-major m x n A (leading dimension lda, destroyed). u is
/// m x min(m, n), vt is min(m, n) x n, both column-major and resized here; s descending.
/// Returns info: 0, or > 0 when the iteration did not converge (see check_converged).
/// NumericalError if A has a NaN or infinite entry (LAPACK would call it an illegal argument).
std::int64_t gesdd(std::int64_t m, std::int64_t n, double* a, std::int64_t lda,
                   std::vector<double>& s, std::vector<double>& u, std::vector<double>& vt);
std::int64_t gesdd(std::int64_t m, std::int64_t n, float* a, std::int64_t lda,
                   std::vector<float>& s, std::vector<float>& u, std::vector<float>& vt);

}  // namespace dnmf::la
