// Google Benchmark programs for the local kernels of one iteration, and the two machine rates
// that bound an iteration from below (scripts/bench/compare.py reads them, in the same run as
// the solvers, to report each iteration against its floor):
//   Machine/ReadBandwidth: bytes per second of one pass of reads over a 512 MiB array;
//   Machine/Dgemm:         flop/s of one-thread DGEMM on the shape of X_i H^T for Fashion-MNIST
//                          on 2 ranks (35000 x 784 times 784 x 20), in the orientation OpenBLAS
//                          runs fastest and dnmf uses (the k x 35000 result).
// Run: build/bin/dnmf_bench_kernels [--benchmark_filter=Machine] [--benchmark_format=json]
// with OPENBLAS_NUM_THREADS=1 (one core per rank, as dnmf runs).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include "dnmf/core/csr.hpp"
#include "dnmf/core/matrix.hpp"
#include "dnmf/la/blas.hpp"
#include "dnmf/la/kernels.hpp"
#include "dnmf/la/simd_products.hpp"
#include "dnmf/la/sparse_kernels.hpp"

namespace {

using dnmf::Matrix;
namespace la = dnmf::la;

Matrix<double> random_matrix(std::int64_t rows, std::int64_t cols, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(0.01, 1.0);
  Matrix<double> m(rows, cols);
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = u(gen);
  return m;
}

/// A rows x cols CSR matrix with about nnz_per_row entries per row, at random columns.
dnmf::Csr<double> random_csr(std::int64_t rows, std::int64_t cols, std::int64_t nnz_per_row) {
  std::mt19937_64 gen(7);
  std::uniform_int_distribution<std::int64_t> col(0, cols - 1);
  dnmf::Csr<double> c;
  c.rows = rows;
  c.cols = cols;
  c.indptr.assign(1, 0);
  std::vector<std::int64_t> row;
  for (std::int64_t i = 0; i < rows; ++i) {
    row.clear();
    for (std::int64_t e = 0; e < nnz_per_row; ++e) row.push_back(col(gen));
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end()), row.end());
    for (std::int64_t j : row) {
      c.indices.push_back(j);
      c.values.push_back(0.5);
    }
    c.indptr.push_back(static_cast<std::int64_t>(c.indices.size()));
  }
  return c;
}

void ReadBandwidth(benchmark::State& state) {
  const std::size_t n = std::size_t{64} << 20;  // 512 MiB of doubles: far beyond any cache
  std::vector<double> a(n, 1.0);
  for (auto _ : state) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // independent sums keep the loads in flight
    for (std::size_t i = 0; i < n; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    benchmark::DoNotOptimize(s0 + s1 + s2 + s3);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * sizeof(double)));
}
BENCHMARK(ReadBandwidth)->Name("Machine/ReadBandwidth")->Unit(benchmark::kMillisecond);

void Dgemm(benchmark::State& state) {
  const std::int64_t m = 35000, n = 20, k = 784;
  const Matrix<double> a = random_matrix(m, k, 1), b = random_matrix(k, n, 2);
  Matrix<double> c(n, m);  // C^T = B^T A^T
  for (auto _ : state) {
    la::gemm(la::Op::trans, la::Op::trans, n, m, k, 1.0, b.data(), n, a.data(), k, 0.0, c.data(),
             m);
    benchmark::ClobberMemory();
  }
  state.counters["flop/s"] =
      benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(Dgemm)->Name("Machine/Dgemm")->Unit(benchmark::kMillisecond);

template <typename T>
Matrix<T> random_typed(std::int64_t rows, std::int64_t cols, unsigned seed) {
  const Matrix<double> d = random_matrix(rows, cols, seed);
  Matrix<T> m(rows, cols);
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(d.data()[i]);
  return m;
}

/// Counters of one product benchmark: flop/s, and the fraction of the measured peak of one
/// core (la::measure_peak_flops, widest path).
template <typename T>
void product_counters(benchmark::State& state, double flops) {
  static const double peak = la::measure_peak_flops<T>(la::best_simd_path(), 0.2);
  state.counters["flop/s"] =
      benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["of_peak"] =
      benchmark::Counter(flops / peak, benchmark::Counter::kIsIterationInvariantRate);
}

/// X_i H^T on a Fashion-MNIST-sized block (rows x 784, k = range(1)). Blas: OpenBLAS in its
/// fast orientation (Ht^T X^T, k x rows); Simd: la::product_abt (rows x k) on path range(2).
template <typename T>
void BlasXTimesHt(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = 784, k = state.range(1);
  const Matrix<T> x = random_typed<T>(rows, cols, 3), ht = random_typed<T>(cols, k, 4);
  Matrix<T> wide(k, rows);
  for (auto _ : state) {
    la::gemm(la::Op::trans, la::Op::trans, k, rows, cols, T(1), ht.data(), k, x.data(), cols, T(0),
             wide.data(), rows);
    benchmark::ClobberMemory();
  }
  product_counters<T>(state, 2.0 * rows * cols * k);
}
template <typename T>
void SimdXTimesHt(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = 784, k = state.range(1);
  const auto path = static_cast<la::SimdPath>(state.range(2));
  if (!la::simd_path_supported(path)) return state.SkipWithError("path not supported");
  const Matrix<T> x = random_typed<T>(rows, cols, 3), h = random_typed<T>(k, cols, 4);
  Matrix<T> out(rows, k);
  for (auto _ : state) {
    la::product_abt(path, rows, k, cols, x.data(), cols, h.data(), cols, out.data(), k);
    benchmark::ClobberMemory();
  }
  product_counters<T>(state, 2.0 * rows * cols * k);
  state.SetLabel(la::to_string(path));
}

/// The same through la::product_ab (X times Ht as stored, cols x k; Ht^T passed along).
template <typename T>
void SimdXTimesHtAb(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = 784, k = state.range(1);
  const auto path = static_cast<la::SimdPath>(state.range(2));
  if (!la::simd_path_supported(path)) return state.SkipWithError("path not supported");
  const Matrix<T> x = random_typed<T>(rows, cols, 3), h = random_typed<T>(k, cols, 4);
  Matrix<T> ht(cols, k);
  for (std::int64_t j = 0; j < cols; ++j)
    for (std::int64_t c = 0; c < k; ++c) ht(j, c) = h(c, j);
  Matrix<T> out(rows, k);
  for (auto _ : state) {
    la::product_ab(path, rows, k, cols, x.data(), cols, ht.data(), k, out.data(), k, h.data(),
                   cols);
    benchmark::ClobberMemory();
  }
  product_counters<T>(state, 2.0 * rows * cols * k);
  state.SetLabel(la::to_string(path));
}

/// W_i^T X_i (k x 784) on the same block.
template <typename T>
void BlasWtTimesX(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = 784, k = state.range(1);
  const Matrix<T> x = random_typed<T>(rows, cols, 3), w = random_typed<T>(rows, k, 5);
  Matrix<T> wide(k, cols);
  for (auto _ : state) {
    la::gemm(la::Op::trans, la::Op::none, k, cols, rows, T(1), w.data(), k, x.data(), cols, T(0),
             wide.data(), cols);
    benchmark::ClobberMemory();
  }
  product_counters<T>(state, 2.0 * rows * cols * k);
}
template <typename T>
void SimdWtTimesX(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = 784, k = state.range(1);
  const auto path = static_cast<la::SimdPath>(state.range(2));
  if (!la::simd_path_supported(path)) return state.SkipWithError("path not supported");
  const Matrix<T> x = random_typed<T>(rows, cols, 3), w = random_typed<T>(rows, k, 5);
  Matrix<T> wide(k, cols);
  for (auto _ : state) {
    wide.fill(T(0));
    la::product_atb_add(path, k, cols, rows, w.data(), k, x.data(), cols, wide.data(), cols);
    benchmark::ClobberMemory();
  }
  product_counters<T>(state, 2.0 * rows * cols * k);
  state.SetLabel(la::to_string(path));
}

/// Both products panel by panel as DistProducts::one_pass runs them (X_P Ht, then W_P^T X_P
/// while the panel is in cache), over rows x 784 with k = range(1); range(2) is the panel's
/// size in KiB of X.
template <typename T>
void SimdOnePass(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = 784, k = state.range(1);
  const std::int64_t panel = std::max<std::int64_t>(
      8, (state.range(2) << 10) / static_cast<std::int64_t>(cols * sizeof(T)));
  const Matrix<T> x = random_typed<T>(rows, cols, 3), h = random_typed<T>(k, cols, 4);
  const Matrix<T> w = random_typed<T>(rows, k, 5);
  Matrix<T> r(panel, k), wide(k, cols);
  for (auto _ : state) {
    wide.fill(T(0));
    for (std::int64_t p0 = 0; p0 < rows; p0 += panel) {
      const std::int64_t pr = std::min(panel, rows - p0);
      const T* xp = x.data() + p0 * cols;
      la::product_abt(pr, k, cols, xp, cols, h.data(), cols, r.data(), k);
      la::product_atb_add(k, cols, pr, w.data() + p0 * k, k, xp, cols, wide.data(), cols);
    }
    benchmark::ClobberMemory();
  }
  product_counters<T>(state, 4.0 * rows * cols * k);
}
BENCHMARK(SimdOnePass<double>)
    ->Name("Simd/OnePass/f64")
    ->ArgsProduct({{35000}, {20, 50, 100}, {256, 512, 1024}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(SimdOnePass<float>)
    ->Name("Simd/OnePass/f32")
    ->ArgsProduct({{35000}, {20, 50, 100}, {256, 512, 1024}})
    ->Unit(benchmark::kMillisecond);

// 35000 rows: one rank's block of Fashion-MNIST on 2 ranks (X from memory); 1344 rows: a
// block that stays in the last-level cache, the kernels' compute rate.
void BlasShapes(benchmark::internal::Benchmark* b) {
  for (int rows : {35000, 1344})
    for (int k : {20, 50, 100}) b->Args({rows, k});
  b->Unit(benchmark::kMillisecond);
}
void SimdShapes(benchmark::internal::Benchmark* b) {
  for (int rows : {35000, 1344})
    for (int k : {20, 50, 100})
      for (auto p : {la::SimdPath::avx512, la::SimdPath::avx2})
        b->Args({rows, k, static_cast<int>(p)});
  b->Unit(benchmark::kMillisecond);
}
BENCHMARK(BlasXTimesHt<double>)->Name("Blas/XTimesHt/f64")->Apply(BlasShapes);
BENCHMARK(SimdXTimesHt<double>)->Name("Simd/XTimesHt/f64")->Apply(SimdShapes);
BENCHMARK(SimdXTimesHtAb<double>)->Name("SimdAb/XTimesHt/f64")->Apply(SimdShapes);
BENCHMARK(SimdXTimesHtAb<float>)->Name("SimdAb/XTimesHt/f32")->Apply(SimdShapes);
BENCHMARK(BlasXTimesHt<float>)->Name("Blas/XTimesHt/f32")->Apply(BlasShapes);
BENCHMARK(SimdXTimesHt<float>)->Name("Simd/XTimesHt/f32")->Apply(SimdShapes);
BENCHMARK(BlasWtTimesX<double>)->Name("Blas/WtTimesX/f64")->Apply(BlasShapes);
BENCHMARK(SimdWtTimesX<double>)->Name("Simd/WtTimesX/f64")->Apply(SimdShapes);
BENCHMARK(BlasWtTimesX<float>)->Name("Blas/WtTimesX/f32")->Apply(BlasShapes);
BENCHMARK(SimdWtTimesX<float>)->Name("Simd/WtTimesX/f32")->Apply(SimdShapes);

/// The local terms of one Kullback-Leibler MU update (beta = 1) on rows x 784, k = 20: W H
/// panel by panel, X / (W H), and its product with Ht (side w, range(1) = 0) or W (side h).
/// flop/s counts the two products only (4 rows cols k).
void BetaMuProductsKl(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = 784, k = 20;
  const Matrix<double> x = random_matrix(rows, cols, 3), w = random_matrix(rows, k, 5),
                       ht = random_matrix(cols, k, 4);
  const auto side = state.range(1) == 0 ? la::MuSide::w : la::MuSide::h;
  Matrix<double> num(side == la::MuSide::w ? rows : cols, k), den(num.rows(), k);
  for (auto _ : state) {
    la::beta_mu_products(rows, cols, k, x.data(), cols, w.data(), ht.data(), 1.0, side, num.data(),
                         den.data());
    benchmark::ClobberMemory();
  }
  product_counters<double>(state, 4.0 * rows * cols * k);
}
BENCHMARK(BetaMuProductsKl)->Args({4096, 0})->Args({4096, 1})->Unit(benchmark::kMillisecond);

/// The Kullback-Leibler divergence's sums over rows x 784 (W H formed panel by panel, then
/// x log(x / y) per entry): the error evaluation of mu-KL.
void DivergenceSumsKl(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = 784, k = 20;
  const Matrix<double> x = random_matrix(rows, cols, 3), w = random_matrix(rows, k, 5),
                       ht = random_matrix(cols, k, 4);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        la::divergence_sums(rows, cols, k, x.data(), cols, w.data(), ht.data(), 1.0));
  }
  state.counters["entries/s"] = benchmark::Counter(static_cast<double>(rows * cols),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(DivergenceSumsKl)->Arg(4096)->Unit(benchmark::kMillisecond);

void Gram(benchmark::State& state) {
  const std::int64_t rows = state.range(0), k = 20;
  const Matrix<double> w = random_matrix(rows, k, 6);
  Matrix<double> g(k, k);
  for (auto _ : state) {
    la::gram(rows, k, 1.0, w.data(), k, 0.0, g.data(), k);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(Gram)->Arg(35000)->Unit(benchmark::kMicrosecond);

void MultiplicativeStep(benchmark::State& state) {
  const std::int64_t size = state.range(0) * 20;
  const Matrix<double> f0 = random_matrix(size, 1, 7), num0 = random_matrix(size, 1, 8);
  const Matrix<double> den = random_matrix(size, 1, 9);
  Matrix<double> f = f0, num = num0;
  for (auto _ : state) {
    state.PauseTiming();
    f = f0;
    num = num0;
    state.ResumeTiming();
    la::multiplicative_step(size, f.data(), num.data(), den.data(), 0.0, 0.0, 1e-16);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size * 3 * 8));
}
BENCHMARK(MultiplicativeStep)->Arg(35000)->Unit(benchmark::kMicrosecond);

void CdSweep(benchmark::State& state) {
  const std::int64_t rows = state.range(0), k = 20;
  const Matrix<double> a0 = random_matrix(rows, k, 10), r = random_matrix(rows, k, 11);
  Matrix<double> g = random_matrix(k, k, 12);
  for (std::int64_t c = 0; c < k; ++c) g(c, c) += k;  // a Gram-like, well-conditioned B^T B
  std::vector<std::int64_t> perm(static_cast<std::size_t>(k));
  for (std::int64_t c = 0; c < k; ++c) perm[static_cast<std::size_t>(c)] = c;
  Matrix<double> a = a0;
  for (auto _ : state) {
    state.PauseTiming();
    a = a0;
    state.ResumeTiming();
    benchmark::DoNotOptimize(la::cd_sweep(rows, k, a.data(), g.data(), r.data(), perm.data()));
  }
}
BENCHMARK(CdSweep)->Arg(35000)->Unit(benchmark::kMillisecond);

/// Sparse X_i H^T and X_i^T W_i: TF-IDF-like rows of ~10 entries over 1e5 columns.
void CsrTimesDense(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = 100000, k = 20;
  const dnmf::Csr<double> x = random_csr(rows, cols, 10);
  const Matrix<double> ht = random_matrix(cols, k, 13);
  Matrix<double> out(rows, k);
  for (auto _ : state) {
    la::csr_times_dense(x, k, ht.data(), out.data());
    benchmark::ClobberMemory();
  }
  state.counters["nnz/s"] = benchmark::Counter(static_cast<double>(x.nnz()),
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(CsrTimesDense)->Arg(500000)->Unit(benchmark::kMillisecond);

void CsrTransposeTimesDense(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = 100000, k = 20;
  const dnmf::Csr<double> x = random_csr(rows, cols, 10);
  const Matrix<double> w = random_matrix(rows, k, 14);
  Matrix<double> out(cols, k);
  for (auto _ : state) {
    la::csr_transpose_times_dense(x, k, w.data(), out.data());
    benchmark::ClobberMemory();
  }
  state.counters["nnz/s"] = benchmark::Counter(static_cast<double>(x.nnz()),
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(CsrTransposeTimesDense)->Arg(500000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
