#pragma once
// The entry points of each instruction-set path of la/simd_products.hpp, one namespace per
// translation unit (simd_products_{avx512,avx2,portable}.cpp). Only simd_products.cpp calls
// them, after checking that the CPU supports the path.

#include <cstdint>

namespace dnmf::la {
/// Rows per block of the cd_sweep kernels (their lanes; `work` holds k (2 kCdLanes + 1) values).
constexpr std::int64_t kCdLanes = 64;
}  // namespace dnmf::la

#define DNMF_SIMD_DECLARE_PATH(NS)                                                                 \
  namespace dnmf::la::NS {                                                                         \
  void abt(std::int64_t m, std::int64_t n, std::int64_t len, const double* a, std::int64_t lda,    \
           const double* b, std::int64_t ldb, double* c, std::int64_t ldc);                        \
  void abt(std::int64_t m, std::int64_t n, std::int64_t len, const float* a, std::int64_t lda,     \
           const float* b, std::int64_t ldb, float* c, std::int64_t ldc);                          \
  void atb_add(std::int64_t m, std::int64_t n, std::int64_t len, const double* a,                  \
               std::int64_t lda, const double* b, std::int64_t ldb, double* c, std::int64_t ldc);  \
  void atb_add(std::int64_t m, std::int64_t n, std::int64_t len, const float* a, std::int64_t lda, \
               const float* b, std::int64_t ldb, float* c, std::int64_t ldc);                      \
  void ab(std::int64_t m, std::int64_t n, std::int64_t len, const double* a, std::int64_t lda,     \
          const double* b, std::int64_t ldb, double* c, std::int64_t ldc);                         \
  void ab(std::int64_t m, std::int64_t n, std::int64_t len, const float* a, std::int64_t lda,      \
          const float* b, std::int64_t ldb, float* c, std::int64_t ldc);                           \
  void csr_b(std::int64_t rows, const std::int64_t* indptr, const std::int64_t* indices,           \
             const double* values, std::int64_t k, const double* b, std::int64_t ldb, double* out, \
             std::int64_t ldo);                                                                    \
  void csr_b(std::int64_t rows, const std::int64_t* indptr, const std::int64_t* indices,           \
             const float* values, std::int64_t k, const float* b, std::int64_t ldb, float* out,    \
             std::int64_t ldo);                                                                    \
  void csrt_b_add(std::int64_t rows, const std::int64_t* indptr, const std::int64_t* indices,      \
                  const double* values, std::int64_t k, const double* b, std::int64_t ldb,         \
                  double* out, std::int64_t ldo);                                                  \
  void csrt_b_add(std::int64_t rows, const std::int64_t* indptr, const std::int64_t* indices,      \
                  const float* values, std::int64_t k, const float* b, std::int64_t ldb,           \
                  float* out, std::int64_t ldo);                                                   \
  void ratio_clipped(std::int64_t n, const double* x, double* y, double eps);                      \
  void ratio_clipped(std::int64_t n, const float* x, float* y, float eps);                         \
  double cd_sweep(std::int64_t rows, std::int64_t k, double* a, const double* g, const double* r,  \
                  const std::int64_t* perm, double* work);                                         \
  float cd_sweep(std::int64_t rows, std::int64_t k, float* a, const float* g, const float* r,      \
                 const std::int64_t* perm, float* work);                                           \
  int width(double);                                                                               \
  int width(float);                                                                                \
  double fma_peak_loop(std::int64_t reps, double);                                                 \
  float fma_peak_loop(std::int64_t reps, float);                                                   \
  int fma_peak_flops_per_rep(double);                                                              \
  int fma_peak_flops_per_rep(float);                                                               \
  }

DNMF_SIMD_DECLARE_PATH(simd_portable)
#if DNMF_X86_SIMD
DNMF_SIMD_DECLARE_PATH(simd_avx2)
DNMF_SIMD_DECLARE_PATH(simd_avx512)
#endif
