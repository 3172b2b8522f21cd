// Every solver and loss on every grid against the same solver run serially (each rank alone on
// a communicator of its own), from the same start: distribution must change nothing beyond the
// order of floating-point sums.
#include <gtest/gtest.h>

#include "dnmf/nmf/solver.hpp"
#include "test_helpers.hpp"

namespace dnmf {
namespace {

struct Config {
  const char* name;
  Solver solver;
  const char* beta_loss;
  double tol;
  bool shuffle;
  double alpha_w, l1_ratio;
};

struct Outcome {
  Matrix<double> w, ht;
  FitResult result;
};

/// Uneven blocks like those of a skewed sparse matrix balanced by entries: block b ends at
/// n (b / parts)^2, and the first block is empty when there are 3 parts or more; items
/// scattered by a permutation, as for a matrix whose contiguous cuts cannot balance.
Axis skewed_axis(std::int64_t n, int parts) {
  std::vector<std::int64_t> bounds(static_cast<std::size_t>(parts) + 1);
  for (int b = 0; b <= parts; ++b)
    bounds[static_cast<std::size_t>(b)] = n * b * b / (parts * parts);
  if (parts >= 3) bounds[1] = 0;
  return Axis(bounds).permuted(Permutation(n, 77));
}

/// Runs the configured solver on `comm` with the given grid and gathers W and Ht on every rank.
/// `skewed`: X's blocks (and so the factors') follow skewed_axis instead of block_range.
Outcome run(const mpi::Comm& comm, GridShape shape, const Config& c, const Matrix<double>& x0,
            const Matrix<double>& w0, const Matrix<double>& ht0, bool skewed = false) {
  const std::int64_t m = x0.rows(), n = x0.cols(), k = w0.cols();
  NmfParams p;
  p.solver = c.solver;
  p.beta_loss = c.beta_loss;
  p.tol = c.tol;
  p.max_iter = 40;
  p.shuffle = c.shuffle;
  p.alpha_W = c.alpha_w;
  p.l1_ratio = c.l1_ratio;
  const ProcessGrid grid(comm, shape);
  DistMatrix<double> x = skewed ? DistMatrix<double>(grid, skewed_axis(m, shape.pr),
                                                     skewed_axis(n, shape.pc), Storage::dense)
                                : DistMatrix<double>(grid, m, n);
  test::scatter_block(x0, x);
  DistFactor<double> w = DistFactor<double>::like(x, FactorSide::samples, k);
  DistFactor<double> ht = DistFactor<double>::like(x, FactorSide::features, k);
  test::scatter_rows(w0, w);
  test::scatter_rows(ht0, ht);
  DistProducts<double> products(x);
  const Penalties pen = scaled_penalties(p, m, n);
  Outcome o;
  o.result = c.solver == Solver::cd         ? fit_cd(products, w, ht, p, pen, 42u, true, {})
             : c.solver == Solver::anls_bpp ? fit_anls_bpp(products, w, ht, p, pen, true, {})
                                            : fit_mu(products, w, ht, p, pen, true, {});
  // Gather the factors in global row order via a zero-initialised sum over all ranks.
  o.w = Matrix<double>(m, k);
  o.ht = Matrix<double>(n, k);
  for (std::int64_t i = 0; i < w.owned().size; ++i)
    for (std::int64_t a = 0; a < k; ++a)
      o.w(x.row_axis().item(w.owned().begin + i), a) = w.local()(i, a);
  for (std::int64_t j = 0; j < ht.owned().size; ++j)
    for (std::int64_t a = 0; a < k; ++a)
      o.ht(x.col_axis().item(ht.owned().begin + j), a) = ht.local()(j, a);
  comm.allreduce_sum(o.w.data(), o.w.size());
  comm.allreduce_sum(o.ht.data(), o.ht.size());
  return o;
}

double rel_diff(const Matrix<double>& a, const Matrix<double>& b) {
  double d = 0, s = 0;
  for (std::int64_t i = 0; i < a.size(); ++i) {
    d = std::max(d, std::abs(a.data()[i] - b.data()[i]));
    s = std::max(s, std::abs(b.data()[i]));
  }
  return d / s;
}

class SolverVsSerial : public testing::TestWithParam<Config> {};

TEST_P(SolverVsSerial, EveryGridMatchesTheSerialRun) {
  const Config c = GetParam();
  const mpi::Comm comm = test::world_comm();
  const std::int64_t m = 31, n = 13, k = 3;
  Matrix<double> x0 = test::global_random(m, n, 31, 0.0, 2.0);
  x0(2, 3) = 0.0;  // zeros exercise the eps rules for beta < 2
  x0(7, 0) = 0.0;
  const Matrix<double> w0 = test::global_random(m, k, 32, 0.1, 1.0);
  const Matrix<double> ht0 = test::global_random(n, k, 33, 0.1, 1.0);
  const mpi::Comm self = comm.split(comm.rank(), 0);
  const Outcome serial = run(self, GridShape{1, 1}, c, x0, w0, ht0);
  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE(std::string(c.name) + " grid " + shape.str());
    const Outcome dist = run(comm, shape, c, x0, w0, ht0);
    EXPECT_EQ(dist.result.n_iter, serial.result.n_iter);
    EXPECT_NEAR(dist.result.reconstruction_err, serial.result.reconstruction_err,
                1e-12 * serial.result.reconstruction_err);
    EXPECT_LT(rel_diff(dist.w, serial.w), 1e-12);
    EXPECT_LT(rel_diff(dist.ht, serial.ht), 1e-12);
    // Uneven, permuted blocks, one of them empty: what skewed sparse input gets.
    const Outcome uneven = run(comm, shape, c, x0, w0, ht0, /*skewed=*/true);
    EXPECT_EQ(uneven.result.n_iter, serial.result.n_iter);
    EXPECT_LT(rel_diff(uneven.w, serial.w), 1e-12);
    EXPECT_LT(rel_diff(uneven.ht, serial.ht), 1e-12);
  }
}

// MPI takes int counts; dnmf's collectives carry anything larger in pieces (mpi::max_count).
// Here the limit is 7 elements, so every factor all-gather, reduce-scatter and Gram all-reduce
// of these fits goes the piecewise way: the results must not move.
TEST(SolverInPieces, CollectivesInSmallPiecesChangeNothing) {
  const mpi::Comm comm = test::world_comm();
  const std::int64_t m = 31, n = 13, k = 3;
  const Matrix<double> x0 = test::global_random(m, n, 41, 0.0, 2.0);
  const Matrix<double> w0 = test::global_random(m, k, 42, 0.1, 1.0);
  const Matrix<double> ht0 = test::global_random(n, k, 43, 0.1, 1.0);
  for (const Config& c :
       {Config{"cd", Solver::cd, "frobenius", 0.0, false, 0.0, 0.0},
        Config{"mu_kl", Solver::mu, "kullback-leibler", 0.0, false, 0.0, 0.0},
        Config{"anls_bpp", Solver::anls_bpp, "frobenius", 0.0, false, 0.0, 0.0}}) {
    for (const GridShape shape : test::all_grids(comm.size())) {
      SCOPED_TRACE(std::string(c.name) + " grid " + shape.str());
      const Outcome whole = run(comm, shape, c, x0, w0, ht0, /*skewed=*/true);
      const std::int64_t limit = mpi::max_count();
      mpi::set_max_count(7);
      const Outcome pieces = run(comm, shape, c, x0, w0, ht0, /*skewed=*/true);
      mpi::set_max_count(limit);
      EXPECT_EQ(pieces.result.n_iter, whole.result.n_iter);
      // The same bits up to 2 ranks (a sum of two is the same either way); on more, the
      // reduces may associate a sum differently from MPI_Reduce_scatter.
      const double tol = comm.size() <= 2 ? 0.0 : 1e-12;
      EXPECT_LE(rel_diff(pieces.w, whole.w), tol);
      EXPECT_LE(rel_diff(pieces.ht, whole.ht), tol);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Configs, SolverVsSerial,
    testing::Values(Config{"cd", Solver::cd, "frobenius", 0.0, false, 0.0, 0.0},
                    Config{"cd_shuffle_pen", Solver::cd, "frobenius", 1e-4, true, 0.01, 0.5},
                    Config{"mu_kl", Solver::mu, "kullback-leibler", 0.0, false, 0.0, 0.0},
                    Config{"anls_bpp_pen", Solver::anls_bpp, "frobenius", 1e-6, false, 0.01, 0.5},
                    Config{"mu_is", Solver::mu, "1e-9", 0.0, false, 0.0, 0.0},
                    Config{"mu_half", Solver::mu, "0.5", 1e-4, false, 0.02, 0.3},
                    Config{"mu_three", Solver::mu, "3", 0.0, false, 0.0, 0.0}),
    [](const testing::TestParamInfo<Config>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace dnmf
