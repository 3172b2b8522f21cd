#pragma once
/// @file The kernel rates of the machine the simulator was calibrated on (`dnmf_sim
/// --calibrate`), which the charged build (charged_la.cpp) turns into simulated time.

#include <string>

namespace dnmf::sim {

/// Seconds per unit of work of each local kernel class, measured on one core of this machine.
struct Rates {
  double dense_ab = 0;   ///< X Ht (product_ab / product_abt), per flop (2 rows cols k)
  double dense_atb = 0;  ///< W^T X (product_atb_add with a wide B), per flop
  /// The same two products on a panel of X that fits in cache (about 1 MiB, as
  /// DistProducts::one_pass visits X: X_P Ht, then W_P^T X_P on the panel just read), per flop
  double panel_ab = 0, panel_atb = 0;
  double small = 0;     ///< k-column products: Grams, F G (gemm, gram, W^T W), per flop
  double csr_b = 0;     ///< sparse X Ht, per stored entry and column (nnz k)
  double csrt_b = 0;    ///< sparse X^T W, per nnz k
  double residual = 0;  ///< ||X - W H||^2 of a dense block, per flop (2 rows cols k)
  double cd = 0;        ///< one cd sweep, per row and k^2
  double nnls = 0;      ///< one BPP solve, per row at k = nnls_k (charged as (k / nnls_k)^3)
  double nnls_k = 50;
  double elementwise = 0;  ///< the MU step, per entry
};

/// Blocks of X up to this size are charged the panel rates (they stay in cache).
constexpr double kCachedBytes = 2.0 * (1 << 20);

/// Reads `key value` lines; every rate must be present and positive.
Rates read_rates(const std::string& path);
/// Writes them in the same form.
std::string format_rates(const Rates& r);

/// The rates the charged kernels use (read from $DNMF_SIM_RATES on first use).
const Rates& rates();

/// What one second on the calibrated core is in simulated flops: platform files give each
/// core a speed in these units (this machine: 1 Gf; another: scaled by its peak per core).
constexpr double kFlopsPerCalibratedSecond = 1e9;

}  // namespace dnmf::sim
