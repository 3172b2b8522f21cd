// The local kernels of the charged simulation build: each charges SMPI the time it takes on
// the calibrated core (rates.hpp) for its sizes, and computes nothing. The distributed code
// around them (products, solvers, collectives) is dnmf's own, unchanged; X's block and the
// factors hold no meaningful values, so only times and traffic are results.
#include <smpi/smpi.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "dnmf/core/error.hpp"
#include "dnmf/la/blas.hpp"
#include "dnmf/la/kernels.hpp"
#include "dnmf/la/nnls.hpp"
#include "dnmf/la/simd_products.hpp"
#include "dnmf/la/sparse_kernels.hpp"
#include "rates.hpp"

namespace dnmf::sim {

Rates read_rates(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read the kernel rates " + path + " (run dnmf_sim --calibrate)");
  std::map<std::string, double> v;
  std::string key;
  double value;
  while (in >> key >> value) v[key] = value;
  Rates r;
  const std::pair<const char*, double*> fields[] = {
      {"dense_ab", &r.dense_ab},   {"dense_atb", &r.dense_atb}, {"panel_ab", &r.panel_ab},
      {"panel_atb", &r.panel_atb}, {"small", &r.small},         {"csr_b", &r.csr_b},
      {"csrt_b", &r.csrt_b},       {"residual", &r.residual},   {"cd", &r.cd},
      {"nnls", &r.nnls},           {"nnls_k", &r.nnls_k},       {"elementwise", &r.elementwise}};
  for (const auto& [name, field] : fields) {
    auto it = v.find(name);
    if (it == v.end() || !(it->second > 0)) {
      throw IoError("kernel rates " + path + ": no positive value for " + name);
    }
    *field = it->second;
  }
  return r;
}

const Rates& rates() {
  static const Rates r = [] {
    const char* path = std::getenv("DNMF_SIM_RATES");
    if (!path) throw UsageError("dnmf_sim_charged needs DNMF_SIM_RATES (a rates file)");
    return read_rates(path);
  }();
  return r;
}

namespace {
void charge(double seconds) {
  if (seconds > 0) smpi_execute_flops(seconds * kFlopsPerCalibratedSecond);
}
double flops(std::int64_t a, std::int64_t b, std::int64_t c) {
  return 2.0 * static_cast<double>(a) * static_cast<double>(b) * static_cast<double>(c);
}
/// The rate of a product over an m x len block of X: the panel rate when it fits in cache.
template <typename T>
double x_rate(std::int64_t m, std::int64_t len, double streaming, double panel) {
  return static_cast<double>(m) * static_cast<double>(len) * sizeof(T) <= kCachedBytes ? panel
                                                                                       : streaming;
}
double nnz_of(std::int64_t rows, const std::int64_t* indptr) {
  return static_cast<double>(indptr[rows] - indptr[0]);
}
}  // namespace

}  // namespace dnmf::sim

namespace dnmf::la {
using sim::charge;
using sim::flops;
using sim::rates;

bool simd_path_supported(SimdPath) {
  return true;
}
SimdPath best_simd_path() {
  return SimdPath::portable;
}
const char* to_string(SimdPath) {
  return "charged";
}

template <typename T>
void product_abt(SimdPath, std::int64_t m, std::int64_t n, std::int64_t len, const T*, std::int64_t,
                 const T*, std::int64_t, T*, std::int64_t) {
  charge(flops(m, n, len) *
         (n <= len ? sim::x_rate<T>(m, len, rates().dense_ab, rates().panel_ab) : rates().small));
}
template <typename T>
void product_abt(std::int64_t m, std::int64_t n, std::int64_t len, const T* a, std::int64_t lda,
                 const T* b, std::int64_t ldb, T* c, std::int64_t ldc) {
  product_abt(SimdPath::portable, m, n, len, a, lda, b, ldb, c, ldc);
}
template <typename T>
void product_ab(SimdPath, std::int64_t m, std::int64_t n, std::int64_t len, const T*, std::int64_t,
                const T*, std::int64_t, T*, std::int64_t, const T*, std::int64_t) {
  // X_P Ht has a long inner dimension (X's columns); F G (k x k) a short one.
  charge(flops(m, n, len) *
         (len > n ? sim::x_rate<T>(m, len, rates().dense_ab, rates().panel_ab) : rates().small));
}
template <typename T>
void product_ab(std::int64_t m, std::int64_t n, std::int64_t len, const T* a, std::int64_t lda,
                const T* b, std::int64_t ldb, T* c, std::int64_t ldc, const T* bt,
                std::int64_t ldbt) {
  product_ab(SimdPath::portable, m, n, len, a, lda, b, ldb, c, ldc, bt, ldbt);
}
template <typename T>
void product_atb_add(SimdPath, std::int64_t m, std::int64_t n, std::int64_t len, const T*,
                     std::int64_t, const T*, std::int64_t, T*, std::int64_t) {
  // W_P^T X_P has a wide B (X's columns); W_P^T W_P a k-wide one.
  charge(flops(m, n, len) *
         (n > m ? sim::x_rate<T>(len, n, rates().dense_atb, rates().panel_atb) : rates().small));
}
template <typename T>
void product_atb_add(std::int64_t m, std::int64_t n, std::int64_t len, const T* a, std::int64_t lda,
                     const T* b, std::int64_t ldb, T* c, std::int64_t ldc) {
  product_atb_add(SimdPath::portable, m, n, len, a, lda, b, ldb, c, ldc);
}
template <typename T>
void product_csr_b(SimdPath, std::int64_t rows, const std::int64_t* indptr, const std::int64_t*,
                   const T*, std::int64_t k, const T*, std::int64_t, T*, std::int64_t) {
  charge(sim::nnz_of(rows, indptr) * static_cast<double>(k) * rates().csr_b);
}
template <typename T>
void product_csrt_b_add(SimdPath, std::int64_t rows, const std::int64_t* indptr,
                        const std::int64_t*, const T*, std::int64_t k, const T*, std::int64_t, T*,
                        std::int64_t) {
  charge(sim::nnz_of(rows, indptr) * static_cast<double>(k) * rates().csrt_b);
}
template <typename T>
void ratio_clipped(SimdPath, std::int64_t n, const T*, T*, T) {
  charge(static_cast<double>(n) * rates().elementwise);
}

template <typename T>
void gemm(Op, Op, std::int64_t m, std::int64_t n, std::int64_t k, T, const T*, std::int64_t,
          const T*, std::int64_t, T, T*, std::int64_t) {
  charge(flops(m, n, k) * rates().small);
}
template <typename T>
void gram(std::int64_t rows, std::int64_t k, T, const T*, std::int64_t, T, T*, std::int64_t) {
  charge(flops(rows, k, k) / 2 * rates().small);
}

template <typename T>
double squared_residual(std::int64_t rows, std::int64_t cols, std::int64_t k, const T*,
                        std::int64_t, const T*, const T*) {
  charge(flops(rows, cols, k) * rates().residual);
  return 0.0;
}
template <typename T>
void multiplicative_step(std::int64_t size, T*, T*, const T*, double, double, T, double) {
  charge(static_cast<double>(size) * rates().elementwise);
}
// beta != 2 (not part of the studies): charged as two residual-like passes over the block.
template <typename T>
void beta_mu_products(std::int64_t rows, std::int64_t cols, std::int64_t k, const T*, std::int64_t,
                      const T*, const T*, double, MuSide, T*, T*) {
  charge(3 * flops(rows, cols, k) * rates().residual);
}
template <typename T>
DivergenceSums divergence_sums(std::int64_t rows, std::int64_t cols, std::int64_t k, const T*,
                               std::int64_t, const T*, const T*, double) {
  charge(flops(rows, cols, k) * rates().residual);
  return {};
}
template <typename T>
T cd_sweep(std::int64_t rows, std::int64_t k, T*, const T*, const T*, const std::int64_t*) {
  charge(static_cast<double>(rows) * static_cast<double>(k * k) * rates().cd);
  return T(1);  // a violation that never reaches tol = 0: the run does all its iterations
}
template <typename T>
void nnls_bpp(std::int64_t rows, std::int64_t k, const T*, const T*, T*) {
  const double scale = std::pow(static_cast<double>(k) / rates().nnls_k, 3.0);
  charge(static_cast<double>(rows) * rates().nnls * scale);
}

template <typename T>
void csr_times_dense(const Csr<T>& x, std::int64_t k, const T*, T*) {
  charge(static_cast<double>(x.nnz()) * static_cast<double>(k) * rates().csr_b);
}
template <typename T>
void csr_transpose_times_dense(const Csr<T>& x, std::int64_t k, const T*, T*) {
  charge(static_cast<double>(x.nnz()) * static_cast<double>(k) * rates().csrt_b);
}
template <typename T>
void csr_beta_numerator(const Csr<T>& x, std::int64_t k, const T*, const T*, double, MuSide, T*) {
  charge(2.0 * static_cast<double>(x.nnz()) * static_cast<double>(k) * rates().csr_b);
}
template <typename T>
void beta_denominator(std::int64_t rows, std::int64_t cols, std::int64_t k, const T*, const T*,
                      double, MuSide, T*) {
  charge(2 * flops(rows, cols, k) * rates().residual);
}
template <typename T>
double wh_power_sum(std::int64_t rows, std::int64_t cols, std::int64_t k, const T*, const T*,
                    double) {  // the masked kernels' sparse-NaN path (not part of the studies)
  charge(flops(rows, cols, k) * rates().residual);
  return 0.0;
}
template <typename T>
DivergenceSums csr_divergence_sums(const Csr<T>& x, std::int64_t k, const T*, const T*, double) {
  charge(static_cast<double>(x.nnz()) * static_cast<double>(k) * rates().csr_b);
  return {};
}
template <typename T>
SparseFrobeniusSums csr_frobenius_sums(const Csr<T>& x, std::int64_t k, const T*, const T*) {
  charge(static_cast<double>(x.nnz()) * static_cast<double>(k) * rates().csr_b);
  return {};
}

#define DNMF_CHARGED(T)                                                                            \
  template void product_abt<T>(SimdPath, std::int64_t, std::int64_t, std::int64_t, const T*,       \
                               std::int64_t, const T*, std::int64_t, T*, std::int64_t);            \
  template void product_abt<T>(std::int64_t, std::int64_t, std::int64_t, const T*, std::int64_t,   \
                               const T*, std::int64_t, T*, std::int64_t);                          \
  template void product_ab<T>(SimdPath, std::int64_t, std::int64_t, std::int64_t, const T*,        \
                              std::int64_t, const T*, std::int64_t, T*, std::int64_t, const T*,    \
                              std::int64_t);                                                       \
  template void product_ab<T>(std::int64_t, std::int64_t, std::int64_t, const T*, std::int64_t,    \
                              const T*, std::int64_t, T*, std::int64_t, const T*, std::int64_t);   \
  template void product_atb_add<T>(SimdPath, std::int64_t, std::int64_t, std::int64_t, const T*,   \
                                   std::int64_t, const T*, std::int64_t, T*, std::int64_t);        \
  template void product_atb_add<T>(std::int64_t, std::int64_t, std::int64_t, const T*,             \
                                   std::int64_t, const T*, std::int64_t, T*, std::int64_t);        \
  template void product_csr_b<T>(SimdPath, std::int64_t, const std::int64_t*, const std::int64_t*, \
                                 const T*, std::int64_t, const T*, std::int64_t, T*,               \
                                 std::int64_t);                                                    \
  template void product_csrt_b_add<T>(SimdPath, std::int64_t, const std::int64_t*,                 \
                                      const std::int64_t*, const T*, std::int64_t, const T*,       \
                                      std::int64_t, T*, std::int64_t);                             \
  template void ratio_clipped<T>(SimdPath, std::int64_t, const T*, T*, T);                         \
  template void gemm<T>(Op, Op, std::int64_t, std::int64_t, std::int64_t, T, const T*,             \
                        std::int64_t, const T*, std::int64_t, T, T*, std::int64_t);                \
  template void gram<T>(std::int64_t, std::int64_t, T, const T*, std::int64_t, T, T*,              \
                        std::int64_t);                                                             \
  template double squared_residual<T>(std::int64_t, std::int64_t, std::int64_t, const T*,          \
                                      std::int64_t, const T*, const T*);                           \
  template void multiplicative_step<T>(std::int64_t, T*, T*, const T*, double, double, T, double); \
  template void beta_mu_products<T>(std::int64_t, std::int64_t, std::int64_t, const T*,            \
                                    std::int64_t, const T*, const T*, double, MuSide, T*, T*);     \
  template DivergenceSums divergence_sums<T>(std::int64_t, std::int64_t, std::int64_t, const T*,   \
                                             std::int64_t, const T*, const T*, double);            \
  template T cd_sweep<T>(std::int64_t, std::int64_t, T*, const T*, const T*, const std::int64_t*); \
  template void nnls_bpp<T>(std::int64_t, std::int64_t, const T*, const T*, T*);                   \
  template void csr_times_dense<T>(const Csr<T>&, std::int64_t, const T*, T*);                     \
  template void csr_transpose_times_dense<T>(const Csr<T>&, std::int64_t, const T*, T*);           \
  template void csr_beta_numerator<T>(const Csr<T>&, std::int64_t, const T*, const T*, double,     \
                                      MuSide, T*);                                                 \
  template void beta_denominator<T>(std::int64_t, std::int64_t, std::int64_t, const T*, const T*,  \
                                    double, MuSide, T*);                                           \
  template double wh_power_sum<T>(std::int64_t, std::int64_t, std::int64_t, const T*, const T*,    \
                                  double);                                                         \
  template DivergenceSums csr_divergence_sums<T>(const Csr<T>&, std::int64_t, const T*, const T*,  \
                                                 double);                                          \
  template SparseFrobeniusSums csr_frobenius_sums<T>(const Csr<T>&, std::int64_t, const T*,        \
                                                     const T*);
DNMF_CHARGED(double)
DNMF_CHARGED(float)
#undef DNMF_CHARGED

}  // namespace dnmf::la
