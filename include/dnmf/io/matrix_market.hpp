#pragma once
/// @file Matrix Market coordinate files (real, integer or pattern; general or symmetric).

#include <cstdint>
#include <string>

#include "dnmf/core/csr.hpp"

namespace dnmf::io {

/// What a Matrix Market header and size line say.
struct MatrixMarketHeader {
  std::int64_t rows = 0, cols = 0, entries = 0;
  bool pattern = false;    ///< no values: every entry is 1
  bool symmetric = false;  ///< entries below the diagonal stand for both (i, j) and (j, i)
};

/// Parses a Matrix Market coordinate file into CSR, reading the text twice (once to count each
/// row's entries, once to place them) so that it is never held in memory: only the CSR arrays
/// are. Rows end up sorted by column with duplicates summed. InputError names the line of any
/// malformed content; IoError when the file cannot be read.
Csr<double> read_matrix_market(const std::string& path, MatrixMarketHeader* header = nullptr);

/// Parses from text already in memory (used by the fuzzer and the tests).
Csr<double> parse_matrix_market(const std::string& text, MatrixMarketHeader* header = nullptr);

}  // namespace dnmf::io
