// The portable path of la/simd_products.hpp: one lane, built with the project's default flags.
#include "simd_paths.hpp"
#include "simd_products_impl.hpp"

namespace {

template <typename Scalar, int RB, int CB, int CR, int CV>
struct Scalar1 {
  using T = Scalar;
  using reg = Scalar;
  static constexpr int width = 1;
  static constexpr int abt_rows = RB, abt_cols = CB, ab_accs = 8, ab_vecs = 8, csr_vecs = 8,
                       atb_rows = CR, atb_vecs = CV;
  static reg zero() { return 0; }
  static reg load(const T* p) { return *p; }
  static reg load_n(const T* p, int) { return *p; }  // never called: no partial vectors
  static void store(T* p, reg v) { *p = v; }
  static void store_n(T* p, reg v, int) { *p = v; }
  static reg broadcast(T x) { return x; }
  static reg div(reg a, reg b) { return a / b; }
  static reg clip_below(reg v, reg e) { return v < e ? e : v; }
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
  static T reduce(reg v) { return v; }
};

using VD = Scalar1<double, 4, 4, 4, 4>;
using VF = Scalar1<float, 4, 4, 4, 4>;

}  // namespace

DNMF_SIMD_ENTRY_POINTS(simd_portable, VD, VF)
