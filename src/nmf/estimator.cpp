#include "dnmf/nmf/estimator.hpp"

#include <cmath>
#include <random>

#include "dnmf/la/blas.hpp"
#include "dnmf/nmf/nndsvd.hpp"

namespace dnmf {
namespace {

/// A complete copy of masked dense X for NNDSVD's SVD only: each missing entry replaced by the
/// mean of its column's observed entries (0 for a column with none). Collective.
template <typename T>
DistMatrix<T> filled_for_svd(const DistMatrix<T>& x) {
  const Matrix<T>& l = x.local();
  const std::int64_t rows = l.rows(), cols = l.cols();
  std::vector<double> sums(static_cast<std::size_t>(2 * cols), 0.0);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      if (x.mask()[static_cast<std::size_t>(i * cols + j)]) {
        sums[j] += static_cast<double>(l(i, j));
        sums[cols + j] += 1.0;
      }
  x.grid().col_comm().allreduce_sum(sums.data(), static_cast<std::int64_t>(sums.size()));
  Matrix<T> block(rows, cols);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) {
      const bool seen = x.mask()[static_cast<std::size_t>(i * cols + j)] != 0;
      const double mean = sums[cols + j] > 0 ? sums[j] / sums[cols + j] : 0.0;
      block(i, j) = seen ? l(i, j) : static_cast<T>(mean);
    }
  return DistMatrix<T>(x.grid(), x.row_axis(), x.col_axis(), std::move(block));
}

}  // namespace

template <typename T>
NMF<T>::NMF(NmfParams params) : params_(std::move(params)) {
  params_.validate();
}

template <typename T>
std::uint32_t NMF<T>::resolve_seed(const ProcessGrid& grid) const {
  std::uint64_t seed = params_.random_state.value_or(0);
  if (!params_.random_state) {  // numpy's global RNG: unpredictable, but one seed for all ranks
    if (grid.rank() == 0) seed = std::random_device{}();
    grid.all().bcast(&seed, 1, 0);
  }
  return static_cast<std::uint32_t>(seed);
}

template <typename T>
DataSummary NMF<T>::validate_data(const DistMatrix<T>& x, const char* what) const {
  DataSummary data;
  mpi::agree(x.grid().all(), [&] {
    if (x.masked() && params_.solver == Solver::cd) {
      throw UsageError(
          "solver 'cd' does not handle missing entries (--missing / --mask); use --solver mu "
          "(any beta_loss) or --solver anls-bpp (Frobenius)");
    }
    data = summarize_data(x, what);
    if (params_.beta() <= 0 && data.min == 0) {
      throw InputError(
          "When beta_loss <= 0 and X contains zeros, the solver may diverge. Please add small "
          "values to X, or use a positive beta_loss.");
    }
  });
  return data;
}

template <typename T>
FitResult NMF<T>::solve(DistProducts<T>& products, DistFactor<T>& w, DistFactor<T>& ht,
                        bool update_h, std::int64_t n_samples, std::int64_t n_features,
                        const SolverState* resume) {
  const Penalties pen = scaled_penalties(params_, n_samples, n_features);
  SolverControl<T> control{observer_, resume, update_h ? hook_ : BoundaryHook{}};
  const std::int64_t bytes_before = mpi::bytes_received();
  switch (params_.solver) {
    case Solver::cd:
      last_run_ = fit_cd(products, w, ht, params_, pen, seed_used_, update_h, control);
      break;
    case Solver::mu:
      last_run_ = fit_mu(products, w, ht, params_, pen, update_h, control);
      break;
    case Solver::anls_bpp:
      last_run_ = fit_anls_bpp(products, w, ht, params_, pen, update_h, control);
      break;
  }
  last_run_.bytes_received = mpi::bytes_received() - bytes_before;
  return last_run_;
}

template <typename T>
void NMF<T>::finish_fit(DistFactor<T> ht) {
  n_components_ = ht.k();
  n_features_in_ = ht.global_rows();
  n_iter_ = last_run_.n_iter;
  reconstruction_err_ = last_run_.reconstruction_err;
  components_ = std::move(ht);
}

template <typename T>
DistFactor<T> NMF<T>::resume_fit(const DistMatrix<T>& x, DistFactor<T> w, DistFactor<T> ht,
                                 const SolverState& state, Init init_used, std::uint32_t seed) {
  validate_data(x, "X");
  init_used_ = init_used;
  seed_used_ = seed;
  w = w.relaid(x.row_axis());  // in X's layout (a plain copy when it is already)
  ht = ht.relaid(x.col_axis());
  DistProducts<T> products(x, &timers_);
  solve(products, w, ht, true, x.rows(), x.cols(), &state);
  finish_fit(std::move(ht));
  return w;
}

template <typename T>
DistFactor<T> NMF<T>::fit_transform(const DistMatrix<T>& x, const DistFactor<T>* w0,
                                    const DistFactor<T>* ht0) {
  const ProcessGrid& grid = x.grid();
  const std::int64_t n = x.rows(), p = x.cols();
  std::int64_t k = 0;
  mpi::agree(grid.all(), [&] {
    k = resolve_n_components(params_, p, ht0 ? ht0->k() : 0);
    init_used_ = resolve_init(params_, k, n, p);
    if (init_used_ == Init::custom) {
      if (!w0 || !ht0) throw UsageError("init 'custom' needs both W and H");
      auto dims = [&](const char* name, std::int64_t rows, std::int64_t cols, std::int64_t want_r,
                      std::int64_t want_c) {
        const char* which = rows != want_r ? "first" : "second";
        if (rows != want_r || cols != want_c) {
          throw InputError(std::string("Array with wrong ") + which +
                           " dimension passed to NMF (input " + name + "). Expected " +
                           std::to_string(rows != want_r ? want_r : want_c) + ", but got " +
                           std::to_string(rows != want_r ? rows : cols));
        }
      };
      dims("H", ht0->k(), ht0->global_rows(), k, p);  // H is k x p; checked before W, as sklearn
      dims("W", w0->global_rows(), w0->k(), n, k);
    }
  });
  const DataSummary data = validate_data(x, "X");

  seed_used_ = resolve_seed(grid);

  DistFactor<T> w = DistFactor<T>::like(x, FactorSide::samples, k);
  DistFactor<T> ht = DistFactor<T>::like(x, FactorSide::features, k);
  DistProducts<T> products(x, &timers_);
  {
    auto t = timers_.scope(Phase::init);
    if (init_used_ == Init::custom) {
      w = w0->relaid(x.row_axis());  // a copy in X's layout
      ht = ht0->relaid(x.col_axis());
      mpi::agree(grid.all(), [&] {
        check_custom_factor(ht, "H");
        check_custom_factor(w, "W");
      });
    } else if (init_used_ == Init::random) {
      random_init(data, seed_used_, w, ht);
    } else {
      // Its own timers: the SVD's products belong to the init phase, not to the iterations.
      PhaseTimers init_timers;
      if (x.masked()) {  // the SVD needs a complete matrix: missing entries get column means
        mpi::agree(grid.all(), [&] {
          if (x.sparse()) {
            throw UsageError("init '" + to_string(init_used_) +
                             "' needs a complete matrix; with sparse X and missing entries use "
                             "--init random or custom");
          }
        });
        const DistMatrix<T> filled = filled_for_svd(x);
        DistProducts<T> init_products(filled, &init_timers);
        nndsvd_init(init_products, init_used_, summarize_data(filled, "X"), seed_used_, w, ht);
      } else {
        DistProducts<T> init_products(x, &init_timers);
        nndsvd_init(init_products, init_used_, data, seed_used_, w, ht);
      }
    }
  }
  solve(products, w, ht, true, n, p);
  finish_fit(std::move(ht));
  return w;
}

template <typename T>
DistFactor<T> NMF<T>::transform(const DistMatrix<T>& x) {
  const DistFactor<T>& h = components();
  mpi::agree(x.grid().all(), [&] {
    if (x.cols() != n_features_in_) {
      throw InputError("X has " + std::to_string(x.cols()) + " features, but NMF is expecting " +
                       std::to_string(n_features_in_) + " features as input");
    }
    if (&x.grid() != &h.grid()) {
      throw UsageError("transform: X must be distributed on the grid the model's components use");
    }
  });
  const DataSummary data = validate_data(x, "X");
  DistFactor<T> w = DistFactor<T>::like(x, FactorSide::samples, n_components_);
  if (params_.solver == Solver::mu) {  // MU cannot move zeros, so sklearn starts from a constant
    w.local().fill(static_cast<T>(std::sqrt(data.mean() / static_cast<double>(n_components_))));
  }
  seed_used_ = resolve_seed(x.grid());
  // The solver takes H mutable (with update_h = false it stays unchanged), in X's layout.
  DistFactor<T> ht = h.relaid(x.col_axis());
  DistProducts<T> products(x, &timers_);
  solve(products, w, ht, false, x.rows(), x.cols());
  return w;
}

template <typename T>
DistMatrix<T> NMF<T>::inverse_transform(const DistFactor<T>& w) const {
  const DistFactor<T>& h = components();
  const ProcessGrid& grid = w.grid();
  if (&grid != &h.grid()) {
    throw UsageError("inverse_transform: W must be distributed on the grid of the components");
  }
  DistMatrix<T> x(grid, w.layout().axis, h.layout().axis, Storage::dense);
  Matrix<T> w_block, ht_block;
  w.gather_block(w_block);   // W rows R_i
  h.gather_block(ht_block);  // Ht rows C_j
  Matrix<T>& xl = x.local();
  la::gemm(la::Op::none, la::Op::trans, xl.rows(), xl.cols(), n_components_, T(1), w_block.data(),
           n_components_, ht_block.data(), n_components_, T(0), xl.data(), xl.cols());
  return x;
}

template <typename T>
void NMF<T>::set_components(DistFactor<T> ht) {
  n_components_ = ht.k();
  n_features_in_ = ht.global_rows();
  components_ = std::move(ht);
}

template <typename T>
const DistFactor<T>& NMF<T>::components() const {
  if (!components_) throw UsageError("This NMF instance is not fitted yet");
  return *components_;
}

template class NMF<double>;
template class NMF<float>;

}  // namespace dnmf
