#include "dnmf/nmf/nndsvd.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "dnmf/core/error.hpp"
#include "dnmf/rng/numpy_random.hpp"

namespace dnmf {

// Steps B-D of NNDSVD. Every rank works on its own rows of W and of Ht; the only global facts
// are the norms of the positive and negative parts of each singular vector (one all-reduce of
// 4k sums) and, for nndsvdar, where each rank's zeros fall in scikit-learn's fill order (one
// all-gather of k + 3 counts per rank).
//
// Deliberate deviation (spec §3.3, "NaN defect"): scikit-learn divides by the norm of the
// chosen part even when it is zero, which gives NaN (e.g. X = [[0, 0.27027472], [0, 0]], k = 2,
// random_state = 1900: a zero singular value whose vectors have u >= 0 and v <= 0). Here a zero
// norm gives a zero vector; since sigma = 0 there, lam = 0 and W[:, j], H[j, :] are zero, as
// they are for every other pair with a zero product of norms. The variant's fill then treats
// them as any other zero (for nndsvdar the draws after that point shift against scikit-learn,
// whose NaNs are not zeros).
template <typename T>
void nndsvd_from_svd(const TruncatedSvd<T>& svd, Init variant, const DataSummary& data,
                     std::uint32_t seed, DistFactor<T>& w, DistFactor<T>& ht) {
  if (variant != Init::nndsvd && variant != Init::nndsvda && variant != Init::nndsvdar) {
    throw UsageError("nndsvd_init: init '" + to_string(variant) + "' is not an NNDSVD variant");
  }
  const std::int64_t k = w.k();
  const Matrix<T>& ul = svd.u.local();
  const Matrix<T>& vl = svd.v.local();
  if (ht.k() != k || svd.u.k() < k || svd.v.k() < k ||
      static_cast<std::int64_t>(svd.s.size()) < k || ul.rows() != w.local().rows() ||
      vl.rows() != ht.local().rows()) {
    throw InternalError("nndsvd: SVD and factor shapes do not match");
  }
  // Squared norms of the positive and negative parts of u_j and v_j.
  std::vector<double> sums(static_cast<std::size_t>(4 * k), 0.0);
  for (std::int64_t i = 0; i < ul.rows(); ++i)
    for (std::int64_t j = 0; j < k; ++j) {
      const double a = static_cast<double>(ul(i, j));
      sums[static_cast<std::size_t>(4 * j + (a > 0 ? 0 : 1))] += a * a;
    }
  for (std::int64_t i = 0; i < vl.rows(); ++i)
    for (std::int64_t j = 0; j < k; ++j) {
      const double a = static_cast<double>(vl(i, j));
      sums[static_cast<std::size_t>(4 * j + (a > 0 ? 2 : 3))] += a * a;
    }
  w.grid().all().allreduce_sum(sums.data(), static_cast<std::int64_t>(sums.size()));

  Matrix<T>& wl = w.local();
  Matrix<T>& hl = ht.local();
  {
    const T root = std::sqrt(static_cast<T>(svd.s[0]));
    for (std::int64_t i = 0; i < wl.rows(); ++i) wl(i, 0) = root * std::abs(ul(i, 0));
    for (std::int64_t i = 0; i < hl.rows(); ++i) hl(i, 0) = root * std::abs(vl(i, 0));
  }
  for (std::int64_t j = 1; j < k; ++j) {
    const auto norm = [&](int part) {
      return std::sqrt(static_cast<T>(sums[static_cast<std::size_t>(4 * j + part)]));
    };
    const T xp = norm(0), xn = norm(1), yp = norm(2), yn = norm(3);
    const T mp = xp * yp, mn = xn * yn;
    const bool positive = mp > mn;  // ties go to the negative parts, as in scikit-learn
    const T x_norm = positive ? xp : xn, y_norm = positive ? yp : yn;
    const T sigma = positive ? mp : mn;
    const T lam = std::sqrt(static_cast<T>(svd.s[static_cast<std::size_t>(j)]) * sigma);
    // The chosen part of a, divided by its norm (numpy order: part / norm, then * lam); a zero
    // norm gives zero (the NaN guard above).
    const auto scaled = [&](T a, T part_norm) {
      const T part = positive ? std::max(a, T(0)) : std::abs(std::min(a, T(0)));
      return part_norm > T(0) ? lam * (part / part_norm) : T(0);
    };
    for (std::int64_t i = 0; i < wl.rows(); ++i) wl(i, j) = scaled(ul(i, j), x_norm);
    for (std::int64_t i = 0; i < hl.rows(); ++i) hl(i, j) = scaled(vl(i, j), y_norm);
  }

  // Step C: absolute truncation.
  const T eps = static_cast<T>(1e-6);
  for (std::int64_t i = 0; i < wl.size(); ++i)
    if (wl.data()[i] < eps) wl.data()[i] = T(0);
  for (std::int64_t i = 0; i < hl.size(); ++i)
    if (hl.data()[i] < eps) hl.data()[i] = T(0);

  // Step D: fill the zeros.
  const T avg = static_cast<T>(data.mean());
  if (variant == Init::nndsvda) {
    for (std::int64_t i = 0; i < wl.size(); ++i)
      if (wl.data()[i] == T(0)) wl.data()[i] = avg;
    for (std::int64_t i = 0; i < hl.size(); ++i)
      if (hl.data()[i] == T(0)) hl.data()[i] = avg;
  } else if (variant == Init::nndsvdar) {
    // scikit-learn fills W's zeros in row-major order (sample, then component), then H's zeros
    // in row-major order of H (component, then feature), with consecutive normals of a fresh
    // RandomState(seed). My W rows are contiguous; my Ht rows are a contiguous run of
    // features, but ranks do not own features in rank order when pc > 1, so every rank
    // publishes where its runs start and how many zeros each holds, per component for H:
    //   [w begin, W zeros, ht begin, H zeros of component 0, ..., of component k-1].
    const mpi::Comm& all = w.grid().all();
    const int p = all.size();
    const std::int64_t width = k + 3;
    std::vector<std::int64_t> mine(static_cast<std::size_t>(width), 0);
    mine[0] = w.owned().begin;
    mine[2] = ht.owned().begin;
    for (std::int64_t i = 0; i < wl.size(); ++i) mine[1] += wl.data()[i] == T(0) ? 1 : 0;
    for (std::int64_t i = 0; i < hl.rows(); ++i)
      for (std::int64_t c = 0; c < k; ++c)
        mine[static_cast<std::size_t>(3 + c)] += hl(i, c) == T(0);
    std::vector<std::int64_t> every(static_cast<std::size_t>(width * p));
    all.allgatherv(mine.data(), every.data(), std::vector<std::int64_t>(p, width));
    auto at = [&](int rank, std::int64_t field) {
      return every[static_cast<std::size_t>(rank * width + field)];
    };
    // Offsets of my zeros in the stream: W zeros of ranks owning earlier rows come first; the
    // H zeros of component c start after all W zeros and the H zeros of components < c.
    std::int64_t w_offset = 0, w_total = 0;
    std::vector<std::int64_t> h_before(static_cast<std::size_t>(k), 0),
        h_total(static_cast<std::size_t>(k), 0);
    for (int rank = 0; rank < p; ++rank) {
      w_total += at(rank, 1);
      if (at(rank, 0) < mine[0]) w_offset += at(rank, 1);
      for (std::int64_t c = 0; c < k; ++c) {
        h_total[static_cast<std::size_t>(c)] += at(rank, 3 + c);
        if (at(rank, 2) < mine[2]) h_before[static_cast<std::size_t>(c)] += at(rank, 3 + c);
      }
    }
    rng::NumpyRandomState rs(seed);
    std::int64_t position = 0;  // normals consumed so far
    const auto fill = [&](T& entry, std::int64_t index) {
      rs.discard_normals(static_cast<std::uint64_t>(index - position));
      const double z = rs.standard_normal();
      position = index + 1;
      entry = static_cast<T>(std::abs(static_cast<double>(avg) * z / 100.0));
    };
    std::int64_t index = w_offset;
    for (std::int64_t i = 0; i < wl.size(); ++i)
      if (wl.data()[i] == T(0)) fill(wl.data()[i], index++);
    std::int64_t start = w_total;
    for (std::int64_t c = 0; c < k; ++c) {
      index = start + h_before[static_cast<std::size_t>(c)];
      for (std::int64_t i = 0; i < hl.rows(); ++i)
        if (hl(i, c) == T(0)) fill(hl(i, c), index++);
      start += h_total[static_cast<std::size_t>(c)];
    }
  }
}

template <typename T>
void nndsvd_init(DistProducts<T>& products, Init variant, const DataSummary& data,
                 std::uint32_t seed, DistFactor<T>& w, DistFactor<T>& ht) {
  if (variant != Init::nndsvd && variant != Init::nndsvda && variant != Init::nndsvdar) {
    throw UsageError("nndsvd_init: init '" + to_string(variant) + "' is not an NNDSVD variant");
  }
  const TruncatedSvd<T> svd = randomized_svd(products, w.k(), seed);
  if (w.permuted() || ht.permuted()) {  // nndsvdar fills zeros in item order: work in it
    const TruncatedSvd<T> ordered{svd.u.relaid(svd.u.natural_axis()), svd.s,
                                  svd.v.relaid(svd.v.natural_axis())};
    in_item_order(w, [&](DistFactor<T>& wn) {
      in_item_order(
          ht, [&](DistFactor<T>& hn) { nndsvd_from_svd(ordered, variant, data, seed, wn, hn); });
    });
    return;
  }
  nndsvd_from_svd(svd, variant, data, seed, w, ht);
}

template void nndsvd_init<double>(DistProducts<double>&, Init, const DataSummary&, std::uint32_t,
                                  DistFactor<double>&, DistFactor<double>&);
template void nndsvd_init<float>(DistProducts<float>&, Init, const DataSummary&, std::uint32_t,
                                 DistFactor<float>&, DistFactor<float>&);
template void nndsvd_from_svd<double>(const TruncatedSvd<double>&, Init, const DataSummary&,
                                      std::uint32_t, DistFactor<double>&, DistFactor<double>&);
template void nndsvd_from_svd<float>(const TruncatedSvd<float>&, Init, const DataSummary&,
                                     std::uint32_t, DistFactor<float>&, DistFactor<float>&);

}  // namespace dnmf
