// The SIMD product kernels (la/simd_products.hpp) against naive loops, on every path this CPU
// supports, for float and double, odd sizes, k = 1..130 and padded row strides.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
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

TYPED_TEST(SimdProducts, AbReadsAlignedPaddedBInPlaceWithTheSameBits) {
  // B with 64-byte rows and aligned (the one-pass schedule's padded Ht) is read in place; its
  // padding holds NaN, which must not reach C, and C must match the packed (compact B) bits.
  using T = TypeParam;
  const Int m = 23, len = 301;
  for (Int n : {1, 5, 16, 20, 24, 50, 100}) {
    constexpr Int line = 64 / sizeof(T);
    const Int ldb = (n + line - 1) / line * line;
    const auto a = random_values<T>(static_cast<std::size_t>(m * len), 51);
    const auto compact = random_values<T>(static_cast<std::size_t>(len * n), 52);
    std::vector<T> storage(static_cast<std::size_t>(len * ldb + line),
                           std::numeric_limits<T>::quiet_NaN());
    const auto misalign = reinterpret_cast<std::uintptr_t>(storage.data()) % 64;
    T* b = storage.data() + (misalign ? (64 - misalign) / sizeof(T) : 0);
    for (Int l = 0; l < len; ++l)
      for (Int j = 0; j < n; ++j) b[l * ldb + j] = compact[l * n + j];
    for (SimdPath path : supported_paths()) {
      std::vector<T> c1(static_cast<std::size_t>(m * n)), c2(c1.size());
      product_ab(path, m, n, len, a.data(), len, b, ldb, c1.data(), n);
      product_ab(path, m, n, len, a.data(), len, compact.data(), n, c2.data(), n);
      EXPECT_EQ(c1, c2) << to_string(path) << " n=" << n;
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

/// A rows x cols CSR pattern with about `per_row` entries per row (some rows empty), values in
/// [-1, 1), sorted unique columns.
struct TestCsr {
  Int rows = 0, cols = 0;
  std::vector<Int> indptr{0}, indices;
  std::vector<double> values;
};
TestCsr random_csr(Int rows, Int cols, Int per_row, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<Int> col(0, cols - 1), count(0, 2 * per_row);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  TestCsr c;
  c.rows = rows;
  c.cols = cols;
  for (Int i = 0; i < rows; ++i) {
    std::vector<Int> row;
    for (Int e = count(gen); e > 0; --e) row.push_back(col(gen));
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end()), row.end());
    for (Int j : row) {
      c.indices.push_back(j);
      c.values.push_back(u(gen));
    }
    c.indptr.push_back(static_cast<Int>(c.indices.size()));
  }
  return c;
}

template <typename T>
void check_csr(SimdPath path, const TestCsr& x, Int k, Int pad) {
  const Int ldb = k + pad, ldo = k + 2 * pad;
  std::vector<T> values(x.values.begin(), x.values.end());
  const auto bx = random_values<T>(static_cast<std::size_t>(x.cols * ldb), 21 + k);  // X B
  const auto bt = random_values<T>(static_cast<std::size_t>(x.rows * ldb), 22 + k);  // X^T B
  std::vector<T> out(static_cast<std::size_t>(x.rows * ldo), T(kSentinel));
  auto out_t = random_values<T>(static_cast<std::size_t>(x.cols * ldo), 23);
  for (Int j = 0; j < x.cols; ++j)
    for (Int c = k; c < ldo; ++c) out_t[j * ldo + c] = T(kSentinel);
  const auto out_t0 = out_t;
  product_csr_b(path, x.rows, x.indptr.data(), x.indices.data(), values.data(), k, bx.data(), ldb,
                out.data(), ldo);
  product_csrt_b_add(path, x.rows, x.indptr.data(), x.indices.data(), values.data(), k, bt.data(),
                     ldb, out_t.data(), ldo);
  std::vector<double> ref_t(static_cast<std::size_t>(x.cols * k)), mag_t(ref_t.size());
  for (Int j = 0; j < x.cols; ++j)
    for (Int c = 0; c < k; ++c) {
      ref_t[j * k + c] = static_cast<double>(out_t0[j * ldo + c]);
      mag_t[j * k + c] = std::abs(ref_t[j * k + c]);
    }
  for (Int i = 0; i < x.rows; ++i) {
    for (Int c = 0; c < ldo; ++c) {
      if (c >= k) {
        ASSERT_EQ(out[i * ldo + c], T(kSentinel));
        continue;
      }
      double ref = 0, mag = 0;
      for (Int e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
        const double p = static_cast<double>(values[e]) * bx[x.indices[e] * ldb + c];
        ref += p;
        mag += std::abs(p);
      }
      ASSERT_NEAR(out[i * ldo + c], ref, tolerance<T>(x.cols, mag))
          << to_string(path) << " k=" << k << " row " << i << " col " << c;
    }
    for (Int e = x.indptr[i]; e < x.indptr[i + 1]; ++e)
      for (Int c = 0; c < k; ++c) {
        const double p = static_cast<double>(values[e]) * bt[i * ldb + c];
        ref_t[x.indices[e] * k + c] += p;
        mag_t[x.indices[e] * k + c] += std::abs(p);
      }
  }
  for (Int j = 0; j < x.cols; ++j)
    for (Int c = 0; c < ldo; ++c) {
      if (c >= k) {
        ASSERT_EQ(out_t[j * ldo + c], T(kSentinel));
        continue;
      }
      ASSERT_NEAR(out_t[j * ldo + c], ref_t[j * k + c], tolerance<T>(x.rows, mag_t[j * k + c]))
          << to_string(path) << " k=" << k << " (X^T B) row " << j << " col " << c;
    }
}

TYPED_TEST(SimdProducts, CsrProductsMatchNaiveForEveryKUpTo130) {
  const TestCsr x = random_csr(23, 31, 4, 31);
  for (SimdPath path : supported_paths())
    for (Int k = 1; k <= 130; ++k) check_csr<TypeParam>(path, x, k, 0);
}

TYPED_TEST(SimdProducts, CsrProductsHonourStridesAndEmptyRows) {
  const TestCsr dense_rows = random_csr(9, 12, 6, 32), sparse_rows = random_csr(40, 7, 1, 33);
  for (SimdPath path : supported_paths())
    for (Int k : {1, 5, 16, 20, 33})
      for (Int pad : {0, 3}) {
        check_csr<TypeParam>(path, dense_rows, k, pad);
        check_csr<TypeParam>(path, sparse_rows, k, pad);
      }
}

TYPED_TEST(SimdProducts, RatioClippedGivesTheScalarRulesBits) {
  using T = TypeParam;
  const T eps = static_cast<T>(1.1920928955078125e-07);
  for (SimdPath path : supported_paths())
    for (Int n : {0, 1, 7, 8, 15, 16, 17, 33, 100}) {
      auto x = random_values<T>(static_cast<std::size_t>(n) + 1, 40 + n);
      auto y = random_values<T>(static_cast<std::size_t>(n) + 1, 41 + n);
      for (Int j = 0; j < n; j += 3) y[j] = j % 2 ? T(0) : eps / 4;  // below eps: clipped
      for (auto& v : x) v = std::abs(v);
      const T guard = T(kSentinel);
      y[n] = guard;  // one past the end: must stay
      auto want = y;
      for (Int j = 0; j < n; ++j) want[j] = x[j] / (y[j] < eps ? eps : y[j]);
      ratio_clipped(path, n, x.data(), y.data(), eps);
      EXPECT_EQ(y, want) << to_string(path) << " n=" << n;
    }
}

TYPED_TEST(SimdProducts, CdSweepGivesTheScalarRulesBits) {
  // Row counts around the block of kCdLanes = 64 rows, zero coordinates (the projected gradient), a
  // zero Hessian entry (that coordinate stays) and a permuted component order.
  using T = TypeParam;
  for (SimdPath path : supported_paths())
    for (Int rows : {1, 3, 8, 9, 63, 64, 65, 130})
      for (Int k : {1, 2, 7, 20}) {
        auto a = random_values<T>(static_cast<std::size_t>(rows * k), 50 + rows + k);
        auto g = random_values<T>(static_cast<std::size_t>(k * k), 51 + k);
        auto r = random_values<T>(static_cast<std::size_t>(rows * k), 52 + rows);
        for (auto& v : a) v = std::abs(v);
        for (Int i = 0; i < rows * k; i += 4) a[i] = T(0);
        for (Int i = 0; i < k; ++i) {
          g[i * k + i] = std::abs(g[i * k + i]) + T(1);
          for (Int j = 0; j < i; ++j) g[i * k + j] = g[j * k + i];
        }
        if (k > 1) g[k + 1] = T(0);
        std::vector<Int> perm(static_cast<std::size_t>(k));
        for (Int s = 0; s < k; ++s) perm[s] = (s * 5 + 3) % k;
        if (k % 5 == 0) std::iota(perm.begin(), perm.end(), Int{0});  // 5 shares a factor with k
        auto want = a;
        std::vector<T> partial(static_cast<std::size_t>(k), T(0));
        for (Int s = 0; s < k; ++s) {
          const Int t = perm[s];
          for (Int i = 0; i < rows; ++i) {
            T grad = -r[i * k + t];
            for (Int c = 0; c < k; ++c) grad += g[t * k + c] * want[i * k + c];
            partial[s] += std::abs(want[i * k + t] == T(0) ? std::min(grad, T(0)) : grad);
            if (g[t * k + t] != T(0))
              want[i * k + t] = std::max(want[i * k + t] - grad / g[t * k + t], T(0));
          }
        }
        T want_violation = 0;
        for (T v : partial) want_violation += v;
        const T got = cd_sweep(path, rows, k, a.data(), g.data(), r.data(), perm.data());
        EXPECT_EQ(a, want) << to_string(path) << " rows=" << rows << " k=" << k;
        EXPECT_EQ(got, want_violation) << to_string(path) << " rows=" << rows << " k=" << k;
      }
}

}  // namespace
}  // namespace dnmf::la
