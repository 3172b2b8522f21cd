// The AVX2 + FMA path of la/simd_products.hpp (built with -mavx2 -mfma; run only when the CPU
// reports both). 16 ymm registers: 12 accumulators per tile.
#include <immintrin.h>

#include "simd_paths.hpp"
#include "simd_products_impl.hpp"

namespace {

struct VD {
  using T = double;
  using reg = __m256d;
  static constexpr int width = 4;
  static constexpr int abt_rows = 3, abt_cols = 4, ab_accs = 12, ab_vecs = 3, csr_vecs = 6,
                       atb_rows = 4, atb_vecs = 3;
  static __m256i mask(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static reg zero() { return _mm256_setzero_pd(); }
  static reg load(const T* p) { return _mm256_loadu_pd(p); }
  static reg load_n(const T* p, int n) { return _mm256_maskload_pd(p, mask(n)); }
  static void store(T* p, reg v) { _mm256_storeu_pd(p, v); }
  static void store_n(T* p, reg v, int n) { _mm256_maskstore_pd(p, mask(n), v); }
  static reg broadcast(T x) { return _mm256_set1_pd(x); }
  static reg div(reg a, reg b) { return _mm256_div_pd(a, b); }
  static reg clip_below(reg v, reg e) {
    return _mm256_blendv_pd(v, e, _mm256_cmp_pd(v, e, _CMP_LT_OQ));
  }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
  static T reduce(reg v) {
    const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
  }
};

struct VF {
  using T = float;
  using reg = __m256;
  static constexpr int width = 8;
  static constexpr int abt_rows = 3, abt_cols = 4, ab_accs = 12, ab_vecs = 3, csr_vecs = 6,
                       atb_rows = 4, atb_vecs = 3;
  static __m256i mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static reg zero() { return _mm256_setzero_ps(); }
  static reg load(const T* p) { return _mm256_loadu_ps(p); }
  static reg load_n(const T* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
  static void store(T* p, reg v) { _mm256_storeu_ps(p, v); }
  static void store_n(T* p, reg v, int n) { _mm256_maskstore_ps(p, mask(n), v); }
  static reg broadcast(T x) { return _mm256_set1_ps(x); }
  static reg div(reg a, reg b) { return _mm256_div_ps(a, b); }
  static reg clip_below(reg v, reg e) {
    return _mm256_blendv_ps(v, e, _mm256_cmp_ps(v, e, _CMP_LT_OQ));
  }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  static T reduce(reg v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
  }
};

}  // namespace

DNMF_SIMD_ENTRY_POINTS(simd_avx2, VD, VF)
