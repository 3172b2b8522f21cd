#include "dnmf/core/csr.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

namespace dnmf {

template <typename T>
void assemble_csr(std::vector<std::uint64_t> positions, std::vector<T> values, Csr<T>& out) {
  // Count per row, place each entry in its row, then sort each row by column and sum duplicates,
  // all in the output arrays.
  const std::int64_t n_in = static_cast<std::int64_t>(values.size());
  out.indptr.assign(static_cast<std::size_t>(out.rows) + 1, 0);
  for (std::int64_t e = 0; e < n_in; ++e) ++out.indptr[packed_row(positions[e]) + 1];
  std::partial_sum(out.indptr.begin(), out.indptr.end(), out.indptr.begin());
  out.indices.assign(static_cast<std::size_t>(n_in), 0);
  out.values.assign(static_cast<std::size_t>(n_in), T(0));
  {
    std::vector<std::int64_t> fill(out.indptr.begin(), out.indptr.end() - 1);
    for (std::int64_t e = 0; e < n_in; ++e) {
      const std::int64_t at = fill[packed_row(positions[e])]++;
      out.indices[at] = packed_col(positions[e]);
      out.values[at] = values[e];
    }
  }
  std::vector<std::uint64_t>().swap(positions);
  std::vector<T>().swap(values);
  std::vector<std::pair<std::int64_t, T>> row;  // one row at a time
  std::int64_t kept = 0;
  for (std::int64_t r = 0; r < out.rows; ++r) {
    const std::int64_t b = out.indptr[r], e = out.indptr[r + 1];
    row.clear();
    for (std::int64_t i = b; i < e; ++i) row.emplace_back(out.indices[i], out.values[i]);
    std::stable_sort(row.begin(), row.end(),
                     [](const auto& u, const auto& v) { return u.first < v.first; });
    out.indptr[r] = kept;
    for (const auto& [col, val] : row) {
      if (kept > out.indptr[r] && out.indices[kept - 1] == col) {
        out.values[kept - 1] += val;  // a duplicate entry: scipy's canonical form sums them
      } else {
        out.indices[kept] = col;
        out.values[kept] = val;
        ++kept;
      }
    }
  }
  out.indptr[out.rows] = kept;
  out.indices.resize(static_cast<std::size_t>(kept));
  out.values.resize(static_cast<std::size_t>(kept));
}

template void assemble_csr<double>(std::vector<std::uint64_t>, std::vector<double>, Csr<double>&);
template void assemble_csr<float>(std::vector<std::uint64_t>, std::vector<float>, Csr<float>&);

}  // namespace dnmf
