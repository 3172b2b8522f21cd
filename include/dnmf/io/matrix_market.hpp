#pragma once
/// @file Matrix Market coordinate files (real, integer or pattern; general or symmetric).

#include <cstdint>
#include <string>

#include "dnmf/core/csr.hpp"

namespace dnmf::io {

/// The most rows or columns a Matrix Market file may announce: 2^31 - 1. The reader allocates
/// the row pointers (8 bytes per row) from the size line, before any entry is read, so a bound
/// must come first; dnmf's factors are dense (W is rows x k, H is k x cols), so even at this
/// bound every component of a factor takes 16 GiB. Real matrices stay far below it (the largest
/// of the SuiteSparse collection have a few hundred million rows).
inline constexpr std::int64_t matrix_market_max_dim = (std::int64_t{1} << 31) - 1;

/// What a Matrix Market header and size line say.
struct MatrixMarketHeader {
  std::int64_t rows = 0, cols = 0, entries = 0;
  bool pattern = false;    ///< no values: every entry is 1
  bool symmetric = false;  ///< entries below the diagonal stand for both (i, j) and (j, i)
};

/// Whether the file's first line is a Matrix Market banner ("%%MatrixMarket ..."), whatever the
/// file is called; gzip-compressed files are looked at uncompressed. IoError when unreadable.
bool is_matrix_market(const std::string& path);

/// Parses a Matrix Market coordinate file (plain or gzip-compressed) into CSR, reading the text
/// twice (once to count each row's entries, once to place them) so that it is never held in memory:
/// only the CSR arrays are. Rows end up sorted by column with duplicates summed. InputError names
/// the line of any malformed content, and the size line when it announces more than
/// matrix_market_max_dim rows or columns or a matrix that does not fit in memory; IoError when the
/// file cannot be read.
Csr<double> read_matrix_market(const std::string& path, MatrixMarketHeader* header = nullptr);

/// Parses from text already in memory (used by the fuzzer and the tests).
Csr<double> parse_matrix_market(const std::string& text, MatrixMarketHeader* header = nullptr);

}  // namespace dnmf::io
