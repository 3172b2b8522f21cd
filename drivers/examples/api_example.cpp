// Using dnmf as a library: fit, transform and inverse_transform on a communicator of our own.
//
// The job's ranks are split in two halves (a library must not assume MPI_COMM_WORLD); the first
// half factors a synthetic low-rank matrix that each rank fills block by block, exactly as an
// application with its own data would. Run: mpirun -np 4 build/bin/dnmf_api_example

#include <cmath>
#include <cstdio>
#include <random>

#include "dnmf/dist/grid.hpp"
#include "dnmf/nmf/estimator.hpp"

int main(int argc, char** argv) {
  dnmf::mpi::Environment env(argc, argv);
  const dnmf::mpi::Comm world = env.world();
  // Ranks [0, P/2] work; the others get a communicator of their own and just wait.
  const int half = world.size() / 2 + world.size() % 2;
  const dnmf::mpi::Comm comm = world.split(world.rank() < half ? 0 : 1, world.rank());
  int status = 0;
  if (world.rank() < half) {
    try {
      const std::int64_t n = 500, p = 60, rank = 4;
      dnmf::ProcessGrid grid(comm, dnmf::choose_grid(n, p, rank, comm.size()));
      dnmf::DistMatrix<double> x(grid, n, p);
      // X[i, j] = sum_c a(i, c) b(c, j) with smooth non-negative a, b: exact rank 4. Each rank
      // evaluates only its own block.
      for (std::int64_t i = 0; i < x.row_range().size; ++i)
        for (std::int64_t j = 0; j < x.col_range().size; ++j) {
          const double gi = double(x.row_range().begin + i), gj = double(x.col_range().begin + j);
          double v = 0;
          for (int c = 0; c < rank; ++c)
            v += (1 + std::sin(gi * (c + 1) / 50.0)) * (1 + std::cos(gj * (c + 2) / 20.0));
          x.local()(i, j) = v;
        }

      dnmf::NmfParams params;  // scikit-learn's names and defaults
      params.n_components = rank;
      params.solver = dnmf::Solver::cd;
      params.init = dnmf::Init::random;
      params.random_state = 0;
      params.tol = 1e-6;
      params.max_iter = 1000;
      dnmf::NMF<double> model(params);
      const dnmf::DistFactor<double> w = model.fit_transform(x);
      const dnmf::DistFactor<double> w_new = model.transform(x);
      const dnmf::DistMatrix<double> x_back = model.inverse_transform(w);

      // Relative reconstruction error from the blocks, one all-reduce.
      double num = 0, den = 0;
      for (std::int64_t e = 0; e < x.local().size(); ++e) {
        const double d = x.local().data()[e] - x_back.local().data()[e];
        num += d * d;
        den += x.local().data()[e] * x.local().data()[e];
      }
      num = grid.all().allreduce_sum(num);
      den = grid.all().allreduce_sum(den);
      if (comm.rank() == 0) {
        std::printf("dnmf_api_example: %lld x %lld, k=%lld on %d of %d ranks (grid %s)\n",
                    (long long)n, (long long)p, (long long)model.n_components_, comm.size(),
                    world.size(), grid.shape().str().c_str());
        std::printf("  n_iter_=%lld reconstruction_err_=%.6g relative=%.3g\n",
                    (long long)model.n_iter_, model.reconstruction_err_, std::sqrt(num / den));
      }
      // A rank-4 matrix must be reconstructed closely; anything else is a failure.
      status = std::sqrt(num / den) < 1e-2 ? 0 : 1;
      if (status && comm.rank() == 0) std::printf("  FAILED: reconstruction is not close\n");
    } catch (const dnmf::Error& e) {
      std::fprintf(stderr, "dnmf_api_example: %s\n", e.what());
      status = static_cast<int>(e.code());
    }
  }
  return world.allreduce_max(status);
}
