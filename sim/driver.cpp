// dnmf_sim / dnmf_sim_charged: one NMF fit of a synthetic X on the grid SMPI simulates, timed on
// the simulated clock. Rank 0 prints one JSON line: the time per iteration, its phases (the
// slowest rank's) and the traffic per rank against the cost model (core/grid_shape.hpp).
//   smpirun -np P -platform P.xml -hostfile H dnmf_sim_charged --rows M --cols N --k 50
//     --solver mu [--density D] [--grid PRxPC] [--iterations I]
//   dnmf_sim --calibrate: the kernel rates of this machine (rates.hpp), one core.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dnmf/core/grid_shape.hpp"
#include "dnmf/dist/products.hpp"
#include "dnmf/la/blas.hpp"
#include "dnmf/la/kernels.hpp"
#include "dnmf/la/nnls.hpp"
#include "dnmf/la/simd_products.hpp"
#include "dnmf/la/sparse_kernels.hpp"
#include "dnmf/nmf/solver.hpp"
#include "rates.hpp"

#ifdef DNMF_SIM_CHARGED
// shared_alloc.cpp: whether large allocations go to SMPI's shared memory (off while X's CSR
// row pointers, which the charges read, are built).
extern bool dnmf_sim_share_allocations;
#endif

namespace dnmf {
double simulated_seconds() {
  return MPI_Wtime();
}
}  // namespace dnmf

namespace {
using namespace dnmf;

struct Options {
  std::int64_t rows = 2000, cols = 1500, k = 50, iterations = 5;
  double density = 0;  // 0: dense
  std::string solver = "mu", grid = "auto", label;
  bool calibrate = false;
  std::uint64_t seed = 0;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(a + " needs a value");
      return argv[++i];
    };
    if (a == "--rows")
      o.rows = std::stoll(next());
    else if (a == "--cols")
      o.cols = std::stoll(next());
    else if (a == "--k")
      o.k = std::stoll(next());
    else if (a == "--iterations")
      o.iterations = std::stoll(next());
    else if (a == "--density")
      o.density = std::stod(next());
    else if (a == "--solver")
      o.solver = next();
    else if (a == "--grid")
      o.grid = next();
    else if (a == "--label")
      o.label = next();
    else if (a == "--seed")
      o.seed = std::stoull(next());
    else if (a == "--calibrate")
      o.calibrate = true;
    else
      throw UsageError("unknown option " + a);
  }
  if (o.iterations < 2) throw UsageError("--iterations must be >= 2 (the first is a warm-up)");
  return o;
}

/// Uniform [0, 1) values from a stream of this rank's own.
template <typename T>
void fill_uniform(T* p, std::int64_t n, std::mt19937_64& gen, double scale = 1.0) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(scale * u(gen));
}

/// A CSR block with about `density` of its entries stored, spread evenly over the rows (each
/// row gets its share; positions random in the real build, all 0 in the charged one).
Csr<double> synthetic_csr(std::int64_t rows, std::int64_t cols, double density,
                          std::mt19937_64& gen, bool values) {
  Csr<double> c;
  c.rows = rows;
  c.cols = cols;
  c.indptr.assign(static_cast<std::size_t>(rows + 1), 0);
  const double per_row = density * static_cast<double>(cols);
  for (std::int64_t i = 0; i < rows; ++i) {
    const auto upto = [&](std::int64_t r) {
      return static_cast<std::int64_t>(std::floor(per_row * static_cast<double>(r)));
    };
    c.indptr[i + 1] = c.indptr[i] + std::min<std::int64_t>(cols, upto(i + 1) - upto(i));
  }
  const std::int64_t nnz = c.indptr[rows];
  c.indices.assign(static_cast<std::size_t>(nnz), 0);
  c.values.assign(static_cast<std::size_t>(nnz), 0.0);
  if (values) {
    std::uniform_int_distribution<std::int64_t> col(0, cols - 1);
    for (std::int64_t i = 0; i < rows; ++i) {
      auto* b = c.indices.data() + c.indptr[i];
      auto* e = c.indices.data() + c.indptr[i + 1];
      for (auto* p = b; p != e; ++p) *p = col(gen);
      std::sort(b, e);
      for (auto* p = b + 1; p < e; ++p)  // distinct columns: push duplicates right
        if (*p <= *(p - 1)) *p = *(p - 1) + 1;
      // a shift past the last column wraps back below: keep the row valid
      if (b != e && *(e - 1) >= cols) {
        std::int64_t c0 = cols - (e - b);
        for (auto* p = b; p != e; ++p) *p = c0++;
      }
    }
    fill_uniform(c.values.data(), nnz, gen);
  }
  return c;
}

#ifndef DNMF_SIM_CHARGED
double seconds_of(const std::function<void()>& f, int repeat) {
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

/// The rates of rates.hpp, timed on this core with the real kernels (best of a few runs) on a
/// block of the studies' kind: k = 50, a dense 2000 x 1500 block, a sparse one of 1% density.
void calibrate(const Options& o) {
  const std::int64_t m = o.rows, n = o.cols, k = o.k;
  std::mt19937_64 gen(7);
  Matrix<double> x(m, n), w(m, k), ht(n, k), htt(k, n), out(m, k), wide(k, n), g(k, k);
  fill_uniform(x.data(), x.size(), gen);
  fill_uniform(w.data(), w.size(), gen, 0.2);
  fill_uniform(ht.data(), ht.size(), gen, 0.2);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < k; ++j) htt(j, i) = ht(i, j);
  const double f = 2.0 * m * n * k;
  sim::Rates r;
  r.dense_ab =
      seconds_of(
          [&] { la::product_ab(m, k, n, x.data(), n, ht.data(), k, out.data(), k, htt.data(), n); },
          5) /
      f;
  r.dense_atb = seconds_of(
                    [&] {
                      wide.fill(0);
                      la::product_atb_add(k, n, m, w.data(), k, x.data(), n, wide.data(), n);
                    },
                    5) /
                f;
  {  // one_pass's order: each 1 MiB panel's X_P Ht, then W_P^T X_P while it is in cache
    const std::int64_t pr = std::max<std::int64_t>(1, (std::int64_t{1} << 20) / (8 * n));
    double ab = 1e300, atb = 1e300;
    for (int rep = 0; rep < 5; ++rep) {
      double sab = 0, satb = 0;
      wide.fill(0);
      for (std::int64_t p0 = 0; p0 < m; p0 += pr) {
        const std::int64_t rows = std::min(pr, m - p0);
        sab += seconds_of(
            [&] {
              la::product_ab(rows, k, n, x.row(p0), n, ht.data(), k, out.row(p0), k, htt.data(), n);
            },
            1);
        satb += seconds_of(
            [&] { la::product_atb_add(k, n, rows, w.row(p0), k, x.row(p0), n, wide.data(), n); },
            1);
      }
      ab = std::min(ab, sab);
      atb = std::min(atb, satb);
    }
    r.panel_ab = ab / f;
    r.panel_atb = atb / f;
  }
  r.small = seconds_of(
                [&] {
                  la::gemm(la::Op::none, la::Op::none, m, k, k, 1.0, w.data(), k, g.data(), k, 0.0,
                           out.data(), k);
                },
                5) /
            (2.0 * m * k * k);
  r.residual =
      seconds_of([&] { la::squared_residual(m, n, k, x.data(), n, w.data(), ht.data()); }, 3) / f;
  // sparse: a block with the studies' shape of rows and density 1% (cache-resident factors)
  const std::int64_t sm = 4 * m, sn = 4 * n;
  Csr<double> xs = synthetic_csr(sm, sn, 0.01, gen, true);
  Matrix<double> sw(sm, k), sht(sn, k), so(sm, k), sot(sn, k);
  fill_uniform(sw.data(), sw.size(), gen);
  fill_uniform(sht.data(), sht.size(), gen);
  const double nk = static_cast<double>(xs.nnz()) * k;
  r.csr_b = seconds_of([&] { la::csr_times_dense(xs, k, sht.data(), so.data()); }, 5) / nk;
  r.csrt_b =
      seconds_of([&] { la::csr_transpose_times_dense(xs, k, sw.data(), sot.data()); }, 5) / nk;
  // cd and nnls on a real subproblem: W's rows for X = W0 H0 + noise, from a random W.
  Matrix<double> gram(k, k), rhs(m, k), a(m, k), a0(m, k);
  la::gram(n, k, 1.0, ht.data(), k, 0.0, gram.data(), k);
  la::product_ab(m, k, n, x.data(), n, ht.data(), k, rhs.data(), k, htt.data(), n);
  fill_uniform(a0.data(), a0.size(), gen, 0.2);
  std::vector<std::int64_t> perm(static_cast<std::size_t>(k));
  for (std::int64_t j = 0; j < k; ++j) perm[j] = j;
  r.cd = seconds_of(
             [&] {
               a = a0;
               Matrix<double> rr = rhs;
               la::cd_sweep(m, k, a.data(), gram.data(), rr.data(), perm.data());
             },
             3) /
         (static_cast<double>(m) * k * k);
  // BPP from the previous iterate's support, as anls-bpp runs it: one solve as a warm start
  // (from a0's support), then the timed solves from that solution's support.
  Matrix<double> warm = a0;
  la::nnls_bpp(m, k, gram.data(), rhs.data(), warm.data());
  r.nnls = seconds_of(
               [&] {
                 a = warm;
                 la::nnls_bpp(m, k, gram.data(), rhs.data(), a.data());
               },
               3) /
           static_cast<double>(m);
  r.nnls_k = static_cast<double>(k);
  Matrix<double> num = rhs, den = rhs;
  r.elementwise =
      seconds_of(
          [&] {
            a = a0;
            num = rhs;
            la::multiplicative_step(m * k, a.data(), num.data(), den.data(), 0.0, 0.0, 1e-7, 1.0);
          },
          5) /
      static_cast<double>(m * k);
  std::printf("%s", sim::format_rates(r).c_str());
  // Not a rate: this core's FMA peak (la::measure_peak_flops), against which the platform
  // files scale other machines' cores.
  std::printf("peak_flops %.6g\n", la::measure_peak_flops<double>(la::best_simd_path(), 0.3));
}
#endif

template <typename T>
FitResult run_solver(const std::string& solver, DistProducts<T>& p, DistFactor<T>& w,
                     DistFactor<T>& ht, const NmfParams& params, const SolverControl<T>& c) {
  const Penalties none;
  if (solver == "mu") return fit_mu(p, w, ht, params, none, true, c);
  if (solver == "cd") return fit_cd(p, w, ht, params, none, 0u, true, c);
  if (solver == "anls-bpp") return fit_anls_bpp(p, w, ht, params, none, true, c);
  throw UsageError("--solver: mu, cd or anls-bpp");
}

int fit(const Options& o) {
  const mpi::Comm world = mpi::Comm::wrap(MPI_COMM_WORLD);
  const int p = world.size(), me = world.rank();
  NmfParams params;
  params.solver = o.solver == "mu" ? Solver::mu : o.solver == "cd" ? Solver::cd : Solver::anls_bpp;
  params.tol = 0;  // a fixed number of iterations
  params.max_iter = o.iterations;
  const bool sparse = o.density > 0;
  const double x_bytes = sparse ? o.density * o.rows * o.cols * 16.0 : 8.0 * o.rows * o.cols;
  // auto: dnmf's choice (words moved against passes over X); words: the grid moving the
  // fewest words (MPI-FAUN's choice, no one-pass preference); or PRxPC.
  const GridShape shape = o.grid == "auto"
                              ? choose_grid(o.rows, o.cols, o.k, p, x_bytes, uses_one_pass(params))
                          : o.grid == "words" ? choose_grid(o.rows, o.cols, o.k, p)
                                              : parse_grid(o.grid, "--grid");
  ProcessGrid grid(world, shape);
  const Axis ra = Axis::uniform(o.rows, shape.pr), ca = Axis::uniform(o.cols, shape.pc);
  const Range rr = ra.block(grid.my_row()), cr = ca.block(grid.my_col());
  std::mt19937_64 gen(o.seed * 1000003 + static_cast<std::uint64_t>(me));
#ifdef DNMF_SIM_CHARGED
  // X is never read by the charged kernels: a dense block borrows a dummy word.
  static double dummy[8];
  const bool real = false;
  dnmf_sim_share_allocations = false;
#else
  const bool real = true;
#endif
  std::vector<double> storage;
  std::unique_ptr<DistMatrix<double>> x;
  if (sparse) {
    x = std::make_unique<DistMatrix<double>>(grid, ra, ca, Storage::sparse);
    x->csr() = synthetic_csr(rr.size, cr.size, o.density, gen, real);
  } else {
#ifdef DNMF_SIM_CHARGED
    Matrix<double> block = Matrix<double>::borrow(dummy, rr.size, cr.size);
#else
    Matrix<double> block(rr.size, cr.size);
    fill_uniform(block.data(), block.size(), gen);
#endif
    x = std::make_unique<DistMatrix<double>>(grid, ra, ca, std::move(block));
  }
#ifdef DNMF_SIM_CHARGED
  dnmf_sim_share_allocations = true;
#endif
  auto w = DistFactor<double>::like(*x, FactorSide::samples, o.k);
  auto ht = DistFactor<double>::like(*x, FactorSide::features, o.k);
  // scikit-learn's random init scale, sqrt(mean(X) / k), with mean(X) of the synthetic values
  const double scale = std::sqrt((sparse ? 0.5 * o.density : 0.5) / o.k);
  if (real) {
    fill_uniform(w.local().data(), w.local().size(), gen, 2 * scale);
    fill_uniform(ht.local().data(), ht.local().size(), gen, 2 * scale);
  }
  DistProducts<double> products(*x);
  // Iteration 1 is a warm-up (buffers allocated, the first error done): measured from its end.
  std::array<double, static_cast<int>(Phase::count)> phases0{};
  double t1 = 0, tn = 0;
  std::int64_t bytes1 = 0, bytesn = 0;
  SolverControl<double> control;
  control.observer = [&](const IterationInfo& info) {
    if (info.iteration == 1) {
      phases0 = products.timers().all();
      t1 = MPI_Wtime();
      bytes1 = mpi::bytes_received();
    }
    if (info.iteration == o.iterations) {
      tn = MPI_Wtime();
      bytesn = mpi::bytes_received();
    }
  };
  world.barrier();
  const double start = MPI_Wtime();
  run_solver(o.solver, products, w, ht, params, control);
  const double total = MPI_Wtime() - start;
  const double iters = static_cast<double>(o.iterations - 1);
  std::vector<double> mine(static_cast<std::size_t>(Phase::count) + 1);
  for (int i = 0; i < static_cast<int>(Phase::count); ++i)
    mine[i] = (products.timers().all()[i] - phases0[i]) / iters;
  mine.back() = (tn - t1) / iters;
  std::vector<double> slowest = mine;
  MPI_Allreduce(mine.data(), slowest.data(), static_cast<int>(mine.size()), MPI_DOUBLE, MPI_MAX,
                MPI_COMM_WORLD);
  // Each rank's own count (comm.cpp keeps one per world rank, privatized globals or not).
  const std::int64_t mine_bytes = bytesn - bytes1;
  std::int64_t bytes_total = 0;
  MPI_Allreduce(&mine_bytes, &bytes_total, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
  if (me == 0) {
    const double mean_bytes = static_cast<double>(bytes_total) / p / iters;
    std::ostringstream js;
    js.precision(6);
    js << "{\"label\":\"" << o.label << "\",\"build\":\"" << (real ? "real" : "charged")
       << "\",\"solver\":\"" << o.solver << "\",\"ranks\":" << p << ",\"grid\":\"" << shape.str()
       << "\",\"rows\":" << o.rows << ",\"cols\":" << o.cols << ",\"k\":" << o.k
       << ",\"density\":" << o.density << ",\"iterations\":" << o.iterations
       << ",\"seconds_per_iteration\":" << slowest.back() << ",\"fit_seconds\":" << total
       << ",\"phases\":{";
    for (int i = 0; i < static_cast<int>(Phase::count); ++i)
      js << (i ? "," : "") << "\"" << phase_names[i] << "\":" << slowest[i];
    js << "},\"bytes_received_per_rank\":" << mean_bytes
       << ",\"model_bytes_per_rank\":" << 8.0 * words_per_iteration(o.rows, o.cols, o.k, shape)
       << "}";
    std::printf("%s\n", js.str().c_str());
    std::fflush(stdout);
  }
  return 0;
}
}  // namespace

namespace dnmf::sim {
std::string format_rates(const Rates& r) {
  std::ostringstream s;
  s.precision(6);
  s << "dense_ab " << r.dense_ab << "\ndense_atb " << r.dense_atb << "\npanel_ab " << r.panel_ab
    << "\npanel_atb " << r.panel_atb << "\nsmall " << r.small << "\ncsr_b " << r.csr_b
    << "\ncsrt_b " << r.csrt_b << "\nresidual " << r.residual << "\ncd " << r.cd << "\nnnls "
    << r.nnls << "\nnnls_k " << r.nnls_k << "\nelementwise " << r.elementwise << "\n";
  return s.str();
}
}  // namespace dnmf::sim

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rc = 0;
  try {
    const Options o = parse(argc, argv);
    if (o.calibrate) {
#ifdef DNMF_SIM_CHARGED
      throw UsageError("--calibrate runs the real kernels: use dnmf_sim");
#else
      calibrate(o);
#endif
    } else {
      rc = fit(o);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dnmf_sim: %s\n", e.what());
    rc = 2;
  }
  MPI_Finalize();
  return rc;
}
