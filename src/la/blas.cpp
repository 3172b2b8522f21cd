#include "dnmf/la/blas.hpp"

#include <cblas.h>

#include <limits>
#include <string>

#include "dnmf/core/error.hpp"

namespace dnmf::la {
namespace {

blasint narrow(std::int64_t v, const char* what) {
  if (v < 0 || v > std::numeric_limits<blasint>::max()) {
    throw InternalError(std::string("BLAS argument out of range: ") + what + " = " +
                        std::to_string(v));
  }
  return static_cast<blasint>(v);
}

CBLAS_TRANSPOSE to_cblas(Op op) {
  return op == Op::none ? CblasNoTrans : CblasTrans;
}

void gemm_raw(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k, double alpha,
              const double* a, blasint lda, const double* b, blasint ldb, double beta, double* c,
              blasint ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void gemm_raw(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k, float alpha,
              const float* a, blasint lda, const float* b, blasint ldb, float beta, float* c,
              blasint ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void syrk_raw(blasint n, blasint k, double alpha, const double* a, blasint lda, double beta,
              double* c, blasint ldc) {
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, n, k, alpha, a, lda, beta, c, ldc);
}
void syrk_raw(blasint n, blasint k, float alpha, const float* a, blasint lda, float beta, float* c,
              blasint ldc) {
  cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, n, k, alpha, a, lda, beta, c, ldc);
}

}  // namespace

template <typename T>
void gemm(Op op_a, Op op_b, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // BLAS would only scale C; do it here so empty blocks need no special case
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j)
        c[i * ldc + j] = beta == T(0) ? T(0) : beta * c[i * ldc + j];
    return;
  }
  gemm_raw(to_cblas(op_a), to_cblas(op_b), narrow(m, "m"), narrow(n, "n"), narrow(k, "k"), alpha, a,
           narrow(lda, "lda"), b, narrow(ldb, "ldb"), beta, c, narrow(ldc, "ldc"));
}

template <typename T>
void gram(std::int64_t rows, std::int64_t k, T alpha, const T* a, std::int64_t lda, T beta, T* c,
          std::int64_t ldc) {
  if (k == 0) return;
  if (rows == 0) {
    for (std::int64_t i = 0; i < k; ++i)
      for (std::int64_t j = 0; j < k; ++j)
        c[i * ldc + j] = beta == T(0) ? T(0) : beta * c[i * ldc + j];
    return;
  }
  syrk_raw(narrow(k, "k"), narrow(rows, "rows"), alpha, a, narrow(lda, "lda"), beta, c,
           narrow(ldc, "ldc"));
  for (std::int64_t i = 0; i < k; ++i)  // mirror the upper triangle
    for (std::int64_t j = 0; j < i; ++j) c[i * ldc + j] = c[j * ldc + i];
}

template void gemm<double>(Op, Op, std::int64_t, std::int64_t, std::int64_t, double, const double*,
                           std::int64_t, const double*, std::int64_t, double, double*,
                           std::int64_t);
template void gemm<float>(Op, Op, std::int64_t, std::int64_t, std::int64_t, float, const float*,
                          std::int64_t, const float*, std::int64_t, float, float*, std::int64_t);
template void gram<double>(std::int64_t, std::int64_t, double, const double*, std::int64_t, double,
                           double*, std::int64_t);
template void gram<float>(std::int64_t, std::int64_t, float, const float*, std::int64_t, float,
                          float*, std::int64_t);

}  // namespace dnmf::la
