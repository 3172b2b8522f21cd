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

/// A block-local (row, column) in one word, row in the high 32 bits: half the bytes of two
/// 64-bit indices, for entries in transit (see dist/entry_exchange.hpp). Both must be < 2^32.
inline std::uint64_t pack_position(std::int64_t row, std::int64_t col) {
  return (static_cast<std::uint64_t>(row) << 32) | static_cast<std::uint64_t>(col);
}
inline std::int64_t packed_row(std::uint64_t p) {
  return static_cast<std::int64_t>(p >> 32);
}
inline std::int64_t packed_col(std::uint64_t p) {
  return static_cast<std::int64_t>(p & 0xffffffffu);
}

/// Builds `out` (its rows and cols already set) from entries in any order: `positions` packed
/// by pack_position, `values` alongside. Each row is sorted by column, keeping the given order
/// among equal columns, and duplicates are summed in that order (scipy's canonical form). The
/// inputs are taken by value and released as soon as the entries are placed, so that a caller
/// moving them in never holds two copies. Local; no MPI.
///   rows 2, entries (1,0)=5 (0,2)=1 (1,0)=2 (0,1)=3 -> indptr {0 2 3}, indices {1 2 0},
///   values {3 1 7}
template <typename T>
void assemble_csr(std::vector<std::uint64_t> positions, std::vector<T> values, Csr<T>& out);

}  // namespace dnmf
