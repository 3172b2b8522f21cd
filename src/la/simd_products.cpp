#include "dnmf/la/simd_products.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "dnmf/core/error.hpp"
#include "simd_paths.hpp"

namespace dnmf::la {
namespace {

SimdPath detect() {
#if DNMF_X86_SIMD
  // __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0).
  if (__builtin_cpu_supports("avx512f")) return SimdPath::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdPath::avx2;
#endif
  return SimdPath::portable;
}

void require(SimdPath path) {
  if (!simd_path_supported(path)) {
    throw InternalError(std::string("SIMD path not supported on this CPU: ") + to_string(path));
  }
}

}  // namespace

// `call` in the namespace of `path`'s translation unit: simd_avx512, simd_avx2 or
// simd_portable (every kernel has one entry point per instruction set, same signature).
#if DNMF_X86_SIMD
#define DNMF_ON_PATH(path, call)                  \
  ((path) == SimdPath::avx512 ? simd_avx512::call \
   : (path) == SimdPath::avx2 ? simd_avx2::call   \
                              : simd_portable::call)
#else
#define DNMF_ON_PATH(path, call) simd_portable::call
#endif

bool simd_path_supported(SimdPath path) {
  switch (path) {
    case SimdPath::portable:
      return true;
    case SimdPath::avx2:
      return best_simd_path() != SimdPath::portable;
    case SimdPath::avx512:
      return best_simd_path() == SimdPath::avx512;
  }
  return false;
}

SimdPath best_simd_path() {
  static const SimdPath best = detect();
  return best;
}

const char* to_string(SimdPath path) {
  switch (path) {
    case SimdPath::portable:
      return "portable";
    case SimdPath::avx2:
      return "avx2";
    case SimdPath::avx512:
      return "avx512";
  }
  return "?";
}

template <typename T>
void product_abt(SimdPath path, std::int64_t m, std::int64_t n, std::int64_t len, const T* a,
                 std::int64_t lda, const T* b, std::int64_t ldb, T* c, std::int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  require(path);
  DNMF_ON_PATH(path, abt(m, n, len, a, lda, b, ldb, c, ldc));
}

template <typename T>
void product_abt(std::int64_t m, std::int64_t n, std::int64_t len, const T* a, std::int64_t lda,
                 const T* b, std::int64_t ldb, T* c, std::int64_t ldc) {
  product_abt(best_simd_path(), m, n, len, a, lda, b, ldb, c, ldc);
}

namespace {
template <typename T>
int lanes(SimdPath path) {
  return DNMF_ON_PATH(path, width(T()));
}
}  // namespace

template <typename T>
void product_ab(SimdPath path, std::int64_t m, std::int64_t n, std::int64_t len, const T* a,
                std::int64_t lda, const T* b, std::int64_t ldb, T* c, std::int64_t ldc, const T* bt,
                std::int64_t ldbt) {
  if (m <= 0 || n <= 0) return;
  require(path);
  const std::int64_t w = lanes<T>(path);
  const std::int64_t padded = (n + w - 1) / w * w;
  if (4 * n < 3 * padded) {  // too many idle lanes in B's vectors: dot products along len
    std::vector<T> copy;
    if (bt == nullptr) {
      copy.resize(static_cast<std::size_t>(n * len));
      for (std::int64_t l = 0; l < len; ++l)
        for (std::int64_t j = 0; j < n; ++j) copy[j * len + l] = b[l * ldb + j];
      bt = copy.data();
      ldbt = len;
    }
    return product_abt(path, m, n, len, a, lda, bt, ldbt, c, ldc);
  }
  DNMF_ON_PATH(path, ab(m, n, len, a, lda, b, ldb, c, ldc));
}

template <typename T>
void product_ab(std::int64_t m, std::int64_t n, std::int64_t len, const T* a, std::int64_t lda,
                const T* b, std::int64_t ldb, T* c, std::int64_t ldc, const T* bt,
                std::int64_t ldbt) {
  product_ab(best_simd_path(), m, n, len, a, lda, b, ldb, c, ldc, bt, ldbt);
}

template <typename T>
void product_atb_add(SimdPath path, std::int64_t m, std::int64_t n, std::int64_t len, const T* a,
                     std::int64_t lda, const T* b, std::int64_t ldb, T* c, std::int64_t ldc) {
  if (m <= 0 || n <= 0 || len <= 0) return;
  require(path);
  DNMF_ON_PATH(path, atb_add(m, n, len, a, lda, b, ldb, c, ldc));
}

template <typename T>
void product_atb_add(std::int64_t m, std::int64_t n, std::int64_t len, const T* a, std::int64_t lda,
                     const T* b, std::int64_t ldb, T* c, std::int64_t ldc) {
  product_atb_add(best_simd_path(), m, n, len, a, lda, b, ldb, c, ldc);
}

template <typename T>
void product_csr_b(SimdPath path, std::int64_t rows, const std::int64_t* indptr,
                   const std::int64_t* indices, const T* values, std::int64_t k, const T* b,
                   std::int64_t ldb, T* out, std::int64_t ldo) {
  if (rows <= 0 || k <= 0) return;
  require(path);
  DNMF_ON_PATH(path, csr_b(rows, indptr, indices, values, k, b, ldb, out, ldo));
}

template <typename T>
void product_csrt_b_add(SimdPath path, std::int64_t rows, const std::int64_t* indptr,
                        const std::int64_t* indices, const T* values, std::int64_t k, const T* b,
                        std::int64_t ldb, T* out, std::int64_t ldo) {
  if (rows <= 0 || k <= 0) return;
  require(path);
  DNMF_ON_PATH(path, csrt_b_add(rows, indptr, indices, values, k, b, ldb, out, ldo));
}

template <typename T>
void ratio_clipped(SimdPath path, std::int64_t n, const T* x, T* y, T eps) {
  if (n <= 0) return;
  require(path);
  DNMF_ON_PATH(path, ratio_clipped(n, x, y, eps));
}

template <typename T>
T cd_sweep(SimdPath path, std::int64_t rows, std::int64_t k, T* a, const T* g, const T* r,
           const std::int64_t* perm) {
  if (rows <= 0 || k <= 0) return T(0);
  require(path);
  std::vector<T> work(static_cast<std::size_t>(k * (2 * kCdLanes + 1)));
  return DNMF_ON_PATH(path, cd_sweep(rows, k, a, g, r, perm, work.data()));
}

template <typename T>
double measure_peak_flops(SimdPath path, double seconds) {
  require(path);
  const std::int64_t reps = 1 << 20;
  double best = 0, spent = 0;
  volatile T sink = 0;  // keeps the loops' results alive
  do {
    const auto t0 = std::chrono::steady_clock::now();
    const T r = DNMF_ON_PATH(path, fma_peak_loop(reps, T()));
    const int per_rep = DNMF_ON_PATH(path, fma_peak_flops_per_rep(T()));
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sink = sink + r;
    spent += dt;
    if (dt > 0) best = std::max(best, static_cast<double>(reps) * per_rep / dt);
  } while (spent < seconds);
  return best;
}

#define DNMF_INSTANTIATE(T)                                                                        \
  template void product_abt<T>(SimdPath, std::int64_t, std::int64_t, std::int64_t, const T*,       \
                               std::int64_t, const T*, std::int64_t, T*, std::int64_t);            \
  template void product_abt<T>(std::int64_t, std::int64_t, std::int64_t, const T*, std::int64_t,   \
                               const T*, std::int64_t, T*, std::int64_t);                          \
  template void product_atb_add<T>(SimdPath, std::int64_t, std::int64_t, std::int64_t, const T*,   \
                                   std::int64_t, const T*, std::int64_t, T*, std::int64_t);        \
  template void product_atb_add<T>(std::int64_t, std::int64_t, std::int64_t, const T*,             \
                                   std::int64_t, const T*, std::int64_t, T*, std::int64_t);        \
  template void product_ab<T>(SimdPath, std::int64_t, std::int64_t, std::int64_t, const T*,        \
                              std::int64_t, const T*, std::int64_t, T*, std::int64_t, const T*,    \
                              std::int64_t);                                                       \
  template void product_ab<T>(std::int64_t, std::int64_t, std::int64_t, const T*, std::int64_t,    \
                              const T*, std::int64_t, T*, std::int64_t, const T*, std::int64_t);   \
  template void product_csr_b<T>(SimdPath, std::int64_t, const std::int64_t*, const std::int64_t*, \
                                 const T*, std::int64_t, const T*, std::int64_t, T*,               \
                                 std::int64_t);                                                    \
  template void product_csrt_b_add<T>(SimdPath, std::int64_t, const std::int64_t*,                 \
                                      const std::int64_t*, const T*, std::int64_t, const T*,       \
                                      std::int64_t, T*, std::int64_t);                             \
  template void ratio_clipped<T>(SimdPath, std::int64_t, const T*, T*, T);                         \
  template T cd_sweep<T>(SimdPath, std::int64_t, std::int64_t, T*, const T*, const T*,             \
                         const std::int64_t*);                                                     \
  template double measure_peak_flops<T>(SimdPath, double);
DNMF_INSTANTIATE(double)
DNMF_INSTANTIATE(float)
#undef DNMF_INSTANTIATE
#undef DNMF_ON_PATH

}  // namespace dnmf::la
