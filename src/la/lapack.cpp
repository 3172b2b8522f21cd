#include "dnmf/la/lapack.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "dnmf/core/error.hpp"

// LAPACK ships no C header we can rely on. Fortran routines take every argument by pointer,
// ints are 32-bit, and each CHARACTER argument adds a hidden length (size_t with
// gfortran >= 8) at the end of the argument list.
extern "C" {
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
             double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
             int* iwork, int* info, std::size_t);
void sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s,
             float* u, const int* ldu, float* vt, const int* ldvt, float* work, const int* lwork,
             int* iwork, int* info, std::size_t);
}

namespace dnmf::la {

int narrow_to_int(std::int64_t v, const char* what) {
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    throw InternalError(std::string("(Sca)LAPACK argument out of range: ") + what + " = " +
                        std::to_string(v));
  }
  return static_cast<int>(v);
}

void check_arguments(std::int64_t info, const char* routine) {
  if (info < 0) {
    throw InternalError(std::string(routine) +
                        ": illegal argument (info = " + std::to_string(info) + ")");
  }
}

void check_converged(std::int64_t info, const std::string& context, const std::string& routine) {
  check_arguments(info, routine.c_str());
  if (info > 0) {
    throw NumericalError(context + ": " + routine +
                         " did not converge (info = " + std::to_string(info) + ")");
  }
}

int workspace_size(double query) {
  return std::max(1, narrow_to_int(static_cast<std::int64_t>(std::ceil(query)), "lwork"));
}

namespace {

void gesdd_raw(const int* m, const int* n, double* a, const int* lda, double* s, double* u,
               const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
               int* iwork, int* info) {
  dgesdd_("S", m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info, 1);
}
void gesdd_raw(const int* m, const int* n, float* a, const int* lda, float* s, float* u,
               const int* ldu, float* vt, const int* ldvt, float* work, const int* lwork,
               int* iwork, int* info) {
  sgesdd_("S", m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info, 1);
}

template <typename T>
std::int64_t gesdd_t(std::int64_t m, std::int64_t n, T* a, std::int64_t lda, std::vector<T>& s,
                     std::vector<T>& u, std::vector<T>& vt) {
  const std::int64_t mn = std::min(m, n);
  s.assign(static_cast<std::size_t>(std::max<std::int64_t>(mn, 1)), T(0));
  u.assign(static_cast<std::size_t>(std::max<std::int64_t>(m * mn, 1)), T(0));
  vt.assign(static_cast<std::size_t>(std::max<std::int64_t>(mn * n, 1)), T(0));
  if (mn == 0) return 0;
  // LAPACK calls a NaN entry an illegal argument (info = -4); to us it is a numerical outcome.
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < m; ++i)
      if (!std::isfinite(a[i + j * lda])) {
        throw NumericalError("gesdd: the matrix to decompose has NaN or infinite entries");
      }
  const int m32 = narrow_to_int(m, "m"), n32 = narrow_to_int(n, "n");
  const int lda32 = narrow_to_int(lda, "lda");
  const int ldu = std::max(1, m32), ldvt = std::max(1, narrow_to_int(mn, "ldvt"));
  std::vector<int> iwork(static_cast<std::size_t>(8 * mn));
  int info = 0, lwork = -1;
  T query = 0;
  gesdd_raw(&m32, &n32, a, &lda32, s.data(), u.data(), &ldu, vt.data(), &ldvt, &query, &lwork,
            iwork.data(), &info);
  check_arguments(info, "?gesdd (workspace query)");
  lwork = workspace_size(static_cast<double>(query));
  std::vector<T> work(static_cast<std::size_t>(lwork));
  gesdd_raw(&m32, &n32, a, &lda32, s.data(), u.data(), &ldu, vt.data(), &ldvt, work.data(), &lwork,
            iwork.data(), &info);
  check_arguments(info, "?gesdd");
  return info;
}

}  // namespace

std::int64_t gesdd(std::int64_t m, std::int64_t n, double* a, std::int64_t lda,
                   std::vector<double>& s, std::vector<double>& u, std::vector<double>& vt) {
  return gesdd_t(m, n, a, lda, s, u, vt);
}
std::int64_t gesdd(std::int64_t m, std::int64_t n, float* a, std::int64_t lda,
                   std::vector<float>& s, std::vector<float>& u, std::vector<float>& vt) {
  return gesdd_t(m, n, a, lda, s, u, vt);
}

}  // namespace dnmf::la
