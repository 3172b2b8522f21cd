// The SIMD product kernels (la/simd_products.hpp) against naive loops, on every path this CPU
// supports, for float and double, odd sizes, k = 1..130 and padded row strides.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "dnmf/la/simd_products.hpp"

namespace dnmf::la {
namespace {

using Int = std::int64_t;

template <typename T>
std::vector<T> random_values(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(u(gen));
  return v;
}

std::vector<SimdPath> supported_paths() {
  std::vector<SimdPath> out;
  for (SimdPath p : {SimdPath::portable, SimdPath::avx2, SimdPath::avx512})
    if (simd_path_supported(p)) out.push_back(p);
  return out;
}

// Bound on the rounding error of a length-len sum of products whose magnitudes add to `mag`.
template <typename T>
double tolerance(Int len, double mag) {
  return 2.0 * static_cast<double>(len + 2) * std::numeric_limits<T>::epsilon() * mag + 1e-300;
}

constexpr float kSentinel = 12345.0f;  // in C's padding: the kernels must not write there

/// Checks product_abt on an m x len A (stride lda) and n x len B (stride ldb) into C (stride ldc).
template <typename T>
void check_abt(SimdPath path, Int m, Int n, Int len, Int pad) {
  const Int lda = len + pad, ldb = len + 2 * pad, ldc = n + pad;
  const auto a = random_values<T>(static_cast<std::size_t>(m * lda), 1 + m + n);
  const auto b = random_values<T>(static_cast<std::size_t>(n * ldb), 2 + len);
  std::vector<T> c(static_cast<std::size_t>(m * ldc), T(kSentinel));
  product_abt(path, m, n, len, a.data(), lda, b.data(), ldb, c.data(), ldc);
  for (Int i = 0; i < m; ++i) {
    for (Int j = 0; j < ldc; ++j) {
      const T got = c[i * ldc + j];
      if (j >= n) {
        ASSERT_EQ(got, T(kSentinel)) << "padding written at " << i << "," << j;
        continue;
      }
      double ref = 0, mag = 0;
      for (Int l = 0; l < len; ++l) {
        const double p = static_cast<double>(a[i * lda + l]) * static_cast<double>(b[j * ldb + l]);
        ref += p;
        mag += std::abs(p);
      }
      ASSERT_NEAR(got, ref, tolerance<T>(len, mag)) << to_string(path) << " m=" << m << " n=" << n
                                                    << " len=" << len << " at " << i << "," << j;
    }
  }
}

/// Checks product_ab: C (m x n) = A B with A m x len (stride lda), B len x n (stride ldb), with
/// and without B^T handed in.
template <typename T>
void check_ab(SimdPath path, Int m, Int n, Int len, Int pad) {
  const Int lda = len + pad, ldb = n + 2 * pad, ldc = n + pad;
  const auto a = random_values<T>(static_cast<std::size_t>(m * lda), 11 + m + n);
  const auto b = random_values<T>(static_cast<std::size_t>(len * ldb), 12 + len);
  std::vector<T> bt(static_cast<std::size_t>(n * len));
  for (Int l = 0; l < len; ++l)
    for (Int j = 0; j < n; ++j) bt[j * len + l] = b[l * ldb + j];
  for (bool with_bt : {false, true}) {
    std::vector<T> c(static_cast<std::size_t>(m * ldc), T(kSentinel));
    product_ab(path, m, n, len, a.data(), lda, b.data(), ldb, c.data(), ldc,
               with_bt ? bt.data() : nullptr, with_bt ? len : 0);
    for (Int i = 0; i < m; ++i) {
      for (Int j = 0; j < ldc; ++j) {
        const T got = c[i * ldc + j];
        if (j >= n) {
          ASSERT_EQ(got, T(kSentinel)) << "padding written at " << i << "," << j;
          continue;
        }
        double ref = 0, mag = 0;
        for (Int l = 0; l < len; ++l) {
          const double p =
              static_cast<double>(a[i * lda + l]) * static_cast<double>(b[l * ldb + j]);
          ref += p;
          mag += std::abs(p);
        }
        ASSERT_NEAR(got, ref, tolerance<T>(len, mag))
            << to_string(path) << " m=" << m << " n=" << n << " len=" << len << " at " << i << ","
            << j << " bt " << with_bt;
      }
    }
  }
}

/// Checks product_atb_add: C (m x n, stride ldc, starting from random values) += A^T B with A
/// len x m (stride lda) and B len x n (stride ldb).
template <typename T>
void check_atb(SimdPath path, Int m, Int n, Int len, Int pad) {
  const Int lda = m + pad, ldb = n + 2 * pad, ldc = n + pad;
  const auto a = random_values<T>(static_cast<std::size_t>(len * lda), 3 + m);
  const auto b = random_values<T>(static_cast<std::size_t>(len * ldb), 4 + n + len);
  auto c = random_values<T>(static_cast<std::size_t>(m * ldc), 5);
  for (Int i = 0; i < m; ++i)
    for (Int j = n; j < ldc; ++j) c[i * ldc + j] = T(kSentinel);
  const auto c0 = c;
  product_atb_add(path, m, n, len, a.data(), lda, b.data(), ldb, c.data(), ldc);
  for (Int i = 0; i < m; ++i) {
    for (Int j = 0; j < ldc; ++j) {
      const T got = c[i * ldc + j];
      if (j >= n) {
        ASSERT_EQ(got, T(kSentinel)) << "padding written at " << i << "," << j;
        continue;
      }
      double ref = static_cast<double>(c0[i * ldc + j]), mag = std::abs(ref);
      for (Int r = 0; r < len; ++r) {
        const double p = static_cast<double>(a[r * lda + i]) * static_cast<double>(b[r * ldb + j]);
        ref += p;
        mag += std::abs(p);
      }
      ASSERT_NEAR(got, ref, tolerance<T>(len, mag)) << to_string(path) << " m=" << m << " n=" << n
                                                    << " len=" << len << " at " << i << "," << j;
    }
  }
}

template <typename T>
class SimdProducts : public ::testing::Test {};
using Scalars = ::testing::Types<double, float>;
TYPED_TEST_SUITE(SimdProducts, Scalars);

TYPED_TEST(SimdProducts, PortablePathIsAlwaysSupportedAndBestIsSupported) {
  EXPECT_TRUE(simd_path_supported(SimdPath::portable));
  EXPECT_TRUE(simd_path_supported(best_simd_path()));
}

TYPED_TEST(SimdProducts, AbtMatchesNaiveForEveryKUpTo130) {
  // X_P Ht shape: rows x cols times cols x k, with odd rows and cols that leave partial
  // vectors for every lane count.
  for (SimdPath path : supported_paths())
    for (Int k = 1; k <= 130; ++k) check_abt<TypeParam>(path, 13, k, 37, 0);
}

TYPED_TEST(SimdProducts, AbtMatchesNaiveOnOddSizesAndStrides) {
  for (SimdPath path : supported_paths())
    for (Int m : {1, 2, 5, 6, 7, 19})
      for (Int len : {0, 1, 3, 8, 15, 16, 17, 33, 100})
        for (Int n : {1, 4, 5, 20, 23})
          for (Int pad : {0, 3}) check_abt<TypeParam>(path, m, n, len, pad);
}

TYPED_TEST(SimdProducts, AbMatchesNaiveForEveryKUpTo130) {
  // Both forms: k that fill the lanes (broadcast form) and k that do not (dot products).
  for (SimdPath path : supported_paths())
    for (Int k = 1; k <= 130; ++k) check_ab<TypeParam>(path, 19, k, 37, 0);
}

TYPED_TEST(SimdProducts, AbMatchesNaiveOnOddSizesAndStrides) {
  for (SimdPath path : supported_paths())
    for (Int m : {1, 2, 3, 5, 8, 9, 25})
      for (Int len : {0, 1, 3, 16, 17, 100})
        for (Int n : {1, 4, 8, 16, 20, 24, 50, 100})
          for (Int pad : {0, 3}) check_ab<TypeParam>(path, m, n, len, pad);
}

TYPED_TEST(SimdProducts, AbRowsDoNotDependOnTheirNeighbours) {
  using T = TypeParam;
  const Int m = 29, len = 91;
  for (Int n : {20, 24, 50, 100}) {
    const auto a = random_values<T>(static_cast<std::size_t>(m * len), 13);
    const auto b = random_values<T>(static_cast<std::size_t>(len * n), 14);
    for (SimdPath path : supported_paths()) {
      std::vector<T> whole(static_cast<std::size_t>(m * n)), row(static_cast<std::size_t>(n));
      product_ab(path, m, n, len, a.data(), len, b.data(), n, whole.data(), n);
      for (Int i = 0; i < m; ++i) {
        product_ab(path, 1, n, len, a.data() + i * len, len, b.data(), n, row.data(), n);
        for (Int j = 0; j < n; ++j) ASSERT_EQ(row[j], whole[i * n + j]) << to_string(path);
      }
    }
  }
}

TYPED_TEST(SimdProducts, AtbMatchesNaiveForEveryKUpTo130) {
  // W_P^T X_P shape: k x rows times rows x cols.
  for (SimdPath path : supported_paths())
    for (Int k = 1; k <= 130; ++k) check_atb<TypeParam>(path, k, 41, 11, 0);
}

TYPED_TEST(SimdProducts, AtbMatchesNaiveOnOddSizesAndStrides) {
  for (SimdPath path : supported_paths())
    for (Int m : {1, 3, 4, 5, 9, 20})
      for (Int n : {1, 3, 7, 8, 9, 16, 17, 47, 48, 49, 97, 150})
        for (Int len : {0, 1, 2, 30, 70})
          for (Int pad : {0, 5}) check_atb<TypeParam>(path, m, n, len, pad);
}

TYPED_TEST(SimdProducts, AtbOverRowsInPiecesGivesTheSameBitsAsOneCall) {
  // The one-pass schedule adds W_P^T X_P panel by panel; xt_times_w does all rows at once.
  using T = TypeParam;
  const Int len = 301, m = 20, n = 77;
  const auto a = random_values<T>(static_cast<std::size_t>(len * m), 6);
  const auto b = random_values<T>(static_cast<std::size_t>(len * n), 7);
  for (SimdPath path : supported_paths()) {
    std::vector<T> whole(static_cast<std::size_t>(m * n), T(0)), pieces = whole;
    product_atb_add(path, m, n, len, a.data(), m, b.data(), n, whole.data(), n);
    for (Int r0 = 0; r0 < len; r0 += 37) {
      const Int rl = std::min<Int>(37, len - r0);
      product_atb_add(path, m, n, rl, a.data() + r0 * m, m, b.data() + r0 * n, n, pieces.data(), n);
    }
    EXPECT_EQ(whole, pieces) << to_string(path);
  }
}

TYPED_TEST(SimdProducts, AtbOfAMatrixWithItselfIsExactlySymmetric) {
  using T = TypeParam;
  const Int len = 123, k = 21;
  const auto a = random_values<T>(static_cast<std::size_t>(len * k), 8);
  for (SimdPath path : supported_paths()) {
    std::vector<T> g(static_cast<std::size_t>(k * k), T(0));
    product_atb_add(path, k, k, len, a.data(), k, a.data(), k, g.data(), k);
    for (Int i = 0; i < k; ++i)
      for (Int j = 0; j < i; ++j) ASSERT_EQ(g[i * k + j], g[j * k + i]) << to_string(path);
  }
}

TYPED_TEST(SimdProducts, AbtRowsDoNotDependOnTheirNeighbours) {
  // Each row of C is the same whether computed alone or inside a larger block: the tiling
  // over rows changes no bits, so panels of any height agree with the whole block.
  using T = TypeParam;
  const Int m = 17, n = 20, len = 91;
  const auto a = random_values<T>(static_cast<std::size_t>(m * len), 9);
  const auto b = random_values<T>(static_cast<std::size_t>(n * len), 10);
  for (SimdPath path : supported_paths()) {
    std::vector<T> whole(static_cast<std::size_t>(m * n)), row(static_cast<std::size_t>(n));
    product_abt(path, m, n, len, a.data(), len, b.data(), len, whole.data(), n);
    for (Int i = 0; i < m; ++i) {
      product_abt(path, 1, n, len, a.data() + i * len, len, b.data(), len, row.data(), n);
      for (Int j = 0; j < n; ++j) ASSERT_EQ(row[j], whole[i * n + j]) << to_string(path);
    }
  }
}

}  // namespace
}  // namespace dnmf::la
