#pragma once
/// @file A local sparse block in compressed sparse row form, with 64-bit indices throughout so
/// that blocks with more than 2^31 entries work.

#include <cstdint>
#include <vector>

namespace dnmf {

/// rows x cols sparse matrix: row i's entries are indices/values[indptr[i] .. indptr[i+1]),
/// column indices increasing within a row, no duplicates.
template <typename T>
struct Csr {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::int64_t> indptr{0};
  std::vector<std::int64_t> indices;
  std::vector<T> values;
  std::int64_t nnz() const { return static_cast<std::int64_t>(values.size()); }
};

}  // namespace dnmf
