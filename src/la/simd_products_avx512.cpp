// The AVX-512 path of la/simd_products.hpp (built with -mavx512f; run only when the CPU reports
// it). 32 zmm registers: 24 accumulators per tile; partial vectors through lane masks.
#include <immintrin.h>

#include "simd_paths.hpp"
#include "simd_products_impl.hpp"

namespace {

// Halves of a zmm register through the masked extract with an explicit source: GCC 12's plain
// extract passes an "undefined" source that -Wuninitialized reports falsely.
__m256d half(__m512d v, bool upper) {
  return upper ? _mm512_mask_extractf64x4_pd(_mm256_setzero_pd(), 0xF, v, 1)
               : _mm512_mask_extractf64x4_pd(_mm256_setzero_pd(), 0xF, v, 0);
}

struct VD {
  using T = double;
  using reg = __m512d;
  static constexpr int width = 8;
  static constexpr int abt_rows = 6, abt_cols = 4, ab_accs = 24, ab_vecs = 4, csr_vecs = 8,
                       atb_rows = 4, atb_vecs = 6;
  static __mmask8 mask(int n) { return static_cast<__mmask8>((1u << n) - 1u); }
  static reg zero() { return _mm512_setzero_pd(); }
  static reg load(const T* p) { return _mm512_loadu_pd(p); }
  static reg load_n(const T* p, int n) { return _mm512_maskz_loadu_pd(mask(n), p); }
  static void store(T* p, reg v) { _mm512_storeu_pd(p, v); }
  static void store_n(T* p, reg v, int n) { _mm512_mask_storeu_pd(p, mask(n), v); }
  static reg broadcast(T x) { return _mm512_set1_pd(x); }
  static reg div(reg a, reg b) { return _mm512_div_pd(a, b); }
  static reg clip_below(reg v, reg e) {
    return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(v, e, _CMP_LT_OQ), v, e);
  }
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
  static T reduce(reg v) {
    const __m256d q = _mm256_add_pd(half(v, false), half(v, true));
    const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(q), _mm256_extractf128_pd(q, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
  }
};

struct VF {
  using T = float;
  using reg = __m512;
  static constexpr int width = 16;
  static constexpr int abt_rows = 6, abt_cols = 4, ab_accs = 24, ab_vecs = 4, csr_vecs = 8,
                       atb_rows = 4, atb_vecs = 6;
  static __mmask16 mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static reg zero() { return _mm512_setzero_ps(); }
  static reg load(const T* p) { return _mm512_loadu_ps(p); }
  static reg load_n(const T* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
  static void store(T* p, reg v) { _mm512_storeu_ps(p, v); }
  static void store_n(T* p, reg v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static reg broadcast(T x) { return _mm512_set1_ps(x); }
  static reg div(reg a, reg b) { return _mm512_div_ps(a, b); }
  static reg clip_below(reg v, reg e) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, e, _CMP_LT_OQ), v, e);
  }
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  static T reduce(reg v) {
    const __m512d d = _mm512_castps_pd(v);
    const __m256 q =
        _mm256_add_ps(_mm256_castpd_ps(half(d, false)), _mm256_castpd_ps(half(d, true)));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(q), _mm256_extractf128_ps(q, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
  }
};

}  // namespace

DNMF_SIMD_ENTRY_POINTS(simd_avx512, VD, VF)
