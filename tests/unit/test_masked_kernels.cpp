// Kernels of NMF on the observed entries (la/masked_kernels.hpp): the dense byte-mask kernels,
// the stored-entries kernels and the holes kernels agree on the same observed set, and an
// all-ones mask gives the unmasked kernels' terms.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "dnmf/la/masked_kernels.hpp"
#include "random_vector.hpp"

namespace dnmf::la {
namespace {

constexpr int kRows = 37, kCols = 23, kK = 4;

struct Case {
  std::vector<double> x, w, ht;
  std::vector<std::uint8_t> mask;
  Csr<double> stored, holes;  // the observed entries; the missing ones
};

/// `hidden`: the fraction of entries the mask hides.
Case make_case(double hidden = 0.3) {
  Case c{random_vector(kRows * kCols, 1),
         random_vector(kRows * kK, 2),
         random_vector(kCols * kK, 3),
         {},
         {},
         {}};
  const auto u = random_vector(kRows * kCols, 4);
  c.mask.resize(c.x.size());
  for (auto* m : {&c.stored, &c.holes}) {
    m->rows = kRows;
    m->cols = kCols;
    m->indptr.assign(kRows + 1, 0);
  }
  for (int i = 0; i < kRows; ++i) {
    for (int j = 0; j < kCols; ++j) {
      const int e = i * kCols + j;
      c.mask[e] = u[e] > hidden ? 1 : 0;
      Csr<double>& to = c.mask[e] ? c.stored : c.holes;
      to.indices.push_back(j);
      to.values.push_back(c.mask[e] ? c.x[e] : 0.0);
    }
    c.stored.indptr[i + 1] = c.stored.nnz();
    c.holes.indptr[i + 1] = c.holes.nnz();
  }
  return c;
}

void expect_close(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t e = 0; e < a.size(); ++e)
    EXPECT_NEAR(a[e], b[e], tol * (1.0 + std::abs(b[e]))) << "entry " << e;
}

TEST(MaskedMuProducts, AllOnesMaskGivesTheUnmaskedTerms) {
  Case c = make_case();
  std::vector<std::uint8_t> ones(c.x.size(), 1);
  for (double beta : {0.5, 1.5, 3.0})
    for (MuSide side : {MuSide::w, MuSide::h}) {
      const int out = (side == MuSide::w ? kRows : kCols) * kK;
      std::vector<double> num(out), den(out), num0(out), den0(out);
      masked_mu_products(kRows, kCols, kK, c.x.data(), kCols, ones.data(), c.w.data(), c.ht.data(),
                         beta, side, num.data(), den.data());
      beta_mu_products(kRows, kCols, kK, c.x.data(), kCols, c.w.data(), c.ht.data(), beta, side,
                       num0.data(), den0.data());
      expect_close(num, num0, 1e-13);
      expect_close(den, den0, 1e-13);
    }
}

TEST(MaskedMuProducts, DenseStoredAndHolesAgree) {
  Case c = make_case();
  Csr<double> observed_x = c.stored;  // X at the observed entries, for the holes kernel
  for (double beta : {2.0, 1.0, 0.5, 0.0})
    for (MuSide side : {MuSide::w, MuSide::h}) {
      const int out = (side == MuSide::w ? kRows : kCols) * kK;
      std::vector<double> num(out), den(out), num_s(out), den_s(out), num_h(out), den_h(out);
      masked_mu_products(kRows, kCols, kK, c.x.data(), kCols, c.mask.data(), c.w.data(),
                         c.ht.data(), beta, side, num.data(), den.data());
      csr_masked_mu_products(c.stored, kK, c.w.data(), c.ht.data(), beta, side, num_s.data(),
                             den_s.data());
      csr_holes_mu_products(observed_x, c.holes, kK, c.w.data(), c.ht.data(), beta, side,
                            num_h.data(), den_h.data());
      expect_close(num_s, num, 1e-12);
      expect_close(den_s, den, 1e-12);
      expect_close(num_h, num, 1e-12);
      expect_close(den_h, den, 1e-11);
    }
}

TEST(MaskedDivergence, DenseStoredAndHolesMatchTheNaiveSum) {
  Case c = make_case();
  for (double beta : {2.0, 1.0, 0.5, 0.0}) {
    double ref = 0;
    for (int i = 0; i < kRows; ++i)
      for (int j = 0; j < kCols; ++j) {
        if (!c.mask[i * kCols + j]) continue;
        double y = 0;
        for (int a = 0; a < kK; ++a) y += c.w[i * kK + a] * c.ht[j * kK + a];
        const double x = c.x[i * kCols + j];  // random_vector's entries are well above eps
        if (beta == 2.0)
          ref += 0.5 * (x - y) * (x - y);
        else if (beta == 1.0)
          ref += x * std::log(x / y) - x + y;
        else if (beta == 0.0)
          ref += x / y - std::log(x / y) - 1;
        else
          ref += (std::pow(x, beta) + (beta - 1) * std::pow(y, beta) -
                  beta * x * std::pow(y, beta - 1)) /
                 (beta * (beta - 1));
      }
    const double dense =
        masked_divergence(masked_divergence_sums(kRows, kCols, kK, c.x.data(), kCols, c.mask.data(),
                                                 c.w.data(), c.ht.data(), beta),
                          beta);
    const double stored = masked_divergence(
        csr_masked_divergence_sums(c.stored, kK, c.w.data(), c.ht.data(), beta), beta);
    const double holes = masked_divergence(
        csr_holes_divergence_sums(c.stored, c.holes, kK, c.w.data(), c.ht.data(), beta), beta);
    EXPECT_NEAR(dense, ref, 1e-12 * ref) << "beta " << beta;
    EXPECT_NEAR(stored, ref, 1e-12 * ref) << "beta " << beta;
    EXPECT_NEAR(holes, ref, 1e-11 * ref) << "beta " << beta;
  }
}

// 30% hidden: most Grams are the block's less the hidden entries'; 80%: the observed ones'.
class MaskedNormalEquations : public ::testing::TestWithParam<double> {};

TEST_P(MaskedNormalEquations, DenseStoredAndHolesMatchPerRowGrams) {
  Case c = make_case(GetParam());
  for (MuSide side : {MuSide::w, MuSide::h}) {
    const int out = side == MuSide::w ? kRows : kCols;
    std::vector<double> g(out * kK * kK), r(out * kK), gs(g.size()), rs(r.size()), gh(g.size()),
        rh(r.size()), gref(g.size(), 0.0), rref(r.size(), 0.0);
    for (int i = 0; i < kRows; ++i)
      for (int j = 0; j < kCols; ++j) {
        if (!c.mask[i * kCols + j]) continue;
        const int o = side == MuSide::w ? i : j;
        const double* v = side == MuSide::w ? &c.ht[j * kK] : &c.w[i * kK];
        for (int a = 0; a < kK; ++a) {
          rref[o * kK + a] += c.x[i * kCols + j] * v[a];
          for (int b = 0; b < kK; ++b) gref[(o * kK + a) * kK + b] += v[a] * v[b];
        }
      }
    masked_normal_equations(kRows, kCols, kK, c.x.data(), kCols, c.mask.data(), c.w.data(),
                            c.ht.data(), side, g.data(), r.data());
    csr_masked_normal_equations(c.stored, kK, c.w.data(), c.ht.data(), side, gs.data(), rs.data());
    csr_holes_normal_equations(c.stored, c.holes, kK, c.w.data(), c.ht.data(), side, gh.data(),
                               rh.data());
    expect_close(g, gref, 1e-13);
    expect_close(r, rref, 1e-13);
    expect_close(gs, gref, 1e-13);
    expect_close(rs, rref, 1e-13);
    expect_close(gh, gref, 1e-12);
    expect_close(rh, rref, 1e-13);
  }
}

INSTANTIATE_TEST_SUITE_P(HiddenFractions, MaskedNormalEquations, ::testing::Values(0.3, 0.8));

}  // namespace
}  // namespace dnmf::la
