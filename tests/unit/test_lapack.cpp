// The serial LAPACK wrapper (la/lapack.hpp): gesdd against a matrix with a known SVD, and the
// mapping of LAPACK's `info` to dnmf's error types (info > 0: NumericalError, exit code 5;
// info < 0: InternalError).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "dnmf/core/error.hpp"
#include "dnmf/la/lapack.hpp"

namespace dnmf {
namespace {

TEST(Lapack, GesddOfAScaledPermutation) {
  // Column-major [[0, 3], [2, 0], [0, 0]]: singular values 3 and 2.
  std::vector<double> a = {0, 2, 0, 3, 0, 0};
  std::vector<double> s, u, vt;
  ASSERT_EQ(la::gesdd(3, 2, a.data(), 3, s, u, vt), 0);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_NEAR(s[0], 3.0, 1e-14);
  EXPECT_NEAR(s[1], 2.0, 1e-14);
  EXPECT_EQ(u.size(), 6u);
  EXPECT_EQ(vt.size(), 4u);
  EXPECT_NEAR(std::abs(u[0 + 0 * 3]), 1.0, 1e-14);   // u_0 = +-e_0
  EXPECT_NEAR(std::abs(vt[0 + 1 * 2]), 1.0, 1e-14);  // v_0 = +-e_1
}

TEST(Lapack, GesddFloat) {
  std::vector<float> a = {4, 0, 0, 1};
  std::vector<float> s, u, vt;
  ASSERT_EQ(la::gesdd(2, 2, a.data(), 2, s, u, vt), 0);
  EXPECT_FLOAT_EQ(s[0], 4.0f);
  EXPECT_FLOAT_EQ(s[1], 1.0f);
}

TEST(Lapack, NoConvergenceIsANumericalError) {
  EXPECT_NO_THROW(la::check_converged(0, "randomized_svd", "gesdd"));
  try {
    la::check_converged(3, "randomized_svd", "gesdd");
    FAIL() << "info > 0 must throw";
  } catch (const NumericalError& e) {
    EXPECT_EQ(e.code(), ExitCode::numerical);
    EXPECT_EQ(static_cast<int>(e.code()), 5);
    EXPECT_STREQ(e.what(), "randomized_svd: gesdd did not converge (info = 3)");
  }
}

TEST(Lapack, IllegalArgumentIsOurBug) {
  EXPECT_THROW(la::check_converged(-4, "randomized_svd", "gesdd"), InternalError);
  EXPECT_THROW(la::check_arguments(-1, "gesdd"), InternalError);
  EXPECT_NO_THROW(la::check_arguments(2, "gesdd"));  // info > 0 is the caller's to judge
  EXPECT_THROW(la::narrow_to_int(std::int64_t{1} << 31, "m"), InternalError);
  EXPECT_EQ(la::narrow_to_int(-7, "m"), -7);
  EXPECT_EQ(la::workspace_size(0.0), 1);
  EXPECT_EQ(la::workspace_size(41.5), 42);
}

TEST(Lapack, NonFiniteInputIsANumericalError) {
  // LAPACK itself would reject the NaN as an illegal argument (info = -4).
  for (const double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    std::vector<double> a = {1, 0, bad, 1};
    std::vector<double> s, u, vt;
    try {
      la::gesdd(2, 2, a.data(), 2, s, u, vt);
      FAIL() << "a non-finite entry must throw";
    } catch (const NumericalError& e) {
      EXPECT_EQ(e.code(), ExitCode::numerical);
    }
  }
  std::vector<float> a = {1, std::numeric_limits<float>::quiet_NaN(), 0, 1};
  std::vector<float> s, u, vt;
  EXPECT_THROW(la::gesdd(2, 2, a.data(), 2, s, u, vt), NumericalError);
}

}  // namespace
}  // namespace dnmf
