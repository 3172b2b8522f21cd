#include "dnmf/nmf/init.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "dnmf/la/kernels.hpp"
#include "dnmf/la/sparse_kernels.hpp"
#include "dnmf/rng/numpy_random.hpp"

namespace dnmf {

namespace {
/// The statistics of a dense block's observed entries (mask byte 1): the others are not data.
template <typename T>
la::BlockStats observed_stats(const DistMatrix<T>& x) {
  const Matrix<T>& l = x.local();
  std::vector<T> values;
  values.reserve(static_cast<std::size_t>(l.size()));
  for (std::int64_t e = 0; e < l.size(); ++e)
    if (x.mask()[static_cast<std::size_t>(e)]) values.push_back(l.data()[e]);
  return la::block_stats(static_cast<std::int64_t>(values.size()), values.data());
}
}  // namespace

template <typename T>
DataSummary summarize_data(const DistMatrix<T>& x, const std::string& name) {
  const bool dense_mask = x.observed() == Observed::masked;
  const la::BlockStats s = x.sparse()   ? la::csr_block_stats(x.csr())
                           : dense_mask ? observed_stats(x)
                                        : la::block_stats(x.local().size(), x.local().data());
  const mpi::Comm& all = x.grid().all();
  std::int64_t counts[2] = {s.nonfinite, s.negative};
  all.allreduce_sum(counts, 2);
  if (counts[0] > 0) {
    throw InputError("Input " + name + " contains NaN or infinity (" + std::to_string(counts[0]) +
                     " entries)");
  }
  if (counts[1] > 0) {
    throw InputError("Negative values in data passed to NMF (input " + name +
                     "): " + std::to_string(counts[1]) + " entries are < 0");
  }
  DataSummary d;
  d.rows = x.rows();
  d.cols = x.cols();
  d.sum = all.allreduce_sum(s.sum);
  d.min = all.allreduce_min(s.min);
  if (x.masked()) {  // the mean and the minimum of the observed entries only
    double count = 0;
    if (x.observed() == Observed::holes) {
      count = static_cast<double>(x.csr().rows) * static_cast<double>(x.csr().cols) -
              static_cast<double>(x.holes().nnz());
    } else if (x.sparse()) {
      count = static_cast<double>(x.csr().nnz());
    } else {
      for (const std::uint8_t m : x.mask()) count += m;
    }
    d.observed = all.allreduce_sum(count);
    if (x.sparse()) {  // csr_block_stats counts the implicit zeros in the minimum
      double mn = std::numeric_limits<double>::infinity();
      for (const T v : x.csr().values) mn = std::min(mn, static_cast<double>(v));
      // With holes, the implicit zeros that are not holes are observed zeros.
      if (x.observed() == Observed::holes &&
          x.csr().nnz() + x.holes().nnz() < x.csr().rows * x.csr().cols)
        mn = std::min(mn, 0.0);
      d.min = all.allreduce_min(mn);
    }
  }
  return d;
}

std::int64_t resolve_n_components(const NmfParams& p, std::int64_t n_features,
                                  std::int64_t custom_h_rows) {
  if (p.n_components) return *p.n_components;
  if (p.n_components_none) return n_features;
  if (p.init == Init::custom && custom_h_rows > 0) return custom_h_rows;
  return n_features;
}

Init resolve_init(const NmfParams& p, std::int64_t k, std::int64_t n_samples,
                  std::int64_t n_features) {
  const std::int64_t limit = std::min(n_samples, n_features);
  if (p.init == Init::automatic) return k <= limit ? Init::nndsvda : Init::random;
  if ((p.init == Init::nndsvd || p.init == Init::nndsvda || p.init == Init::nndsvdar) &&
      k > limit) {
    throw UsageError("init = '" + to_string(p.init) +
                     "' can only be used when n_components <= min(n_samples, n_features) = " +
                     std::to_string(limit) + ", got n_components = " + std::to_string(k));
  }
  return p.init;
}

template <typename T>
void random_init(const DataSummary& data, std::uint32_t seed, DistFactor<T>& w, DistFactor<T>& ht) {
  if (w.permuted() || ht.permuted()) {  // the stream runs in item order: draw in that order
    in_item_order(w, [&](DistFactor<T>& wn) {
      in_item_order(ht, [&](DistFactor<T>& hn) { random_init(data, seed, wn, hn); });
    });
    return;
  }
  const std::int64_t k = w.k();
  const double avg = std::sqrt(data.mean() / static_cast<double>(k));
  rng::NumpyRandomState rs(seed);
  // H (k x n_features) is drawn first, row-major; this rank keeps the columns it owns (its rows
  // of Ht). Then W (n_samples x k), row-major; it keeps its rows.
  // numpy casts the normals to X's dtype, then multiplies by avg cast to that dtype too.
  const T avg_t = static_cast<T>(avg);
  auto draw = [&](double z) { return std::abs(avg_t * static_cast<T>(z)); };
  const Range hcols = ht.owned();
  Matrix<T>& hl = ht.local();
  for (std::int64_t c = 0; c < k; ++c) {
    for (std::int64_t j = 0; j < ht.global_rows(); ++j) {
      const double z = rs.standard_normal();
      if (j >= hcols.begin && j < hcols.end()) hl(j - hcols.begin, c) = draw(z);
    }
  }
  const Range wrows = w.owned();
  Matrix<T>& wl = w.local();
  for (std::int64_t i = 0; i < wrows.end(); ++i) {  // rows past mine are never needed
    for (std::int64_t c = 0; c < k; ++c) {
      const double z = rs.standard_normal();
      if (i >= wrows.begin) wl(i - wrows.begin, c) = draw(z);
    }
  }
}

template <typename T>
void check_custom_factor(const DistFactor<T>& f, const std::string& name) {
  const Matrix<T>& l = f.local();
  const la::BlockStats s = la::block_stats(l.size(), l.data());
  const mpi::Comm& all = f.grid().all();
  std::int64_t counts[2] = {s.nonfinite, s.negative};
  all.allreduce_sum(counts, 2);
  double max_local = 0;
  for (std::int64_t i = 0; i < l.size(); ++i) max_local = std::max(max_local, double(l.data()[i]));
  const double max = all.allreduce_max(max_local);
  if (counts[0] > 0) throw InputError("Input " + name + " (custom init) contains NaN or infinity");
  if (counts[1] > 0) throw InputError("Negative values in data passed to NMF (input " + name + ")");
  if (max == 0) throw InputError("Array passed to NMF (input " + name + ") is full of zeros");
}

template DataSummary summarize_data<double>(const DistMatrix<double>&, const std::string&);
template DataSummary summarize_data<float>(const DistMatrix<float>&, const std::string&);
template void random_init<double>(const DataSummary&, std::uint32_t, DistFactor<double>&,
                                  DistFactor<double>&);
template void random_init<float>(const DataSummary&, std::uint32_t, DistFactor<float>&,
                                 DistFactor<float>&);
template void check_custom_factor<double>(const DistFactor<double>&, const std::string&);
template void check_custom_factor<float>(const DistFactor<float>&, const std::string&);

}  // namespace dnmf
