#pragma once
/// @file Sending sparse entries to the ranks that own their blocks of X. A reader shares out X's
/// lines (the rows of a CSR file, the columns of a CSC file) evenly by count, which ignores the
/// 2-D blocks; this one all-to-all moves every entry from the rank that read it to the rank that
/// holds its block. Only entries move; no rank ever holds a per-row or per-column array of the
/// whole matrix.

#include <cstdint>
#include <vector>

#include "dnmf/core/partition.hpp"
#include "dnmf/dist/grid.hpp"

namespace dnmf {

/// The rank of a grid of `pc` columns that holds X's block (row block i, column block j): the
/// ProcessGrid order, row-major.
inline int block_owner(int row_block, int col_block, int pc) {
  return row_block * pc + col_block;
}

/// The longest block (in rows or columns) a packed position can address: 2^32 - 1.
constexpr std::int64_t max_packed_extent = 0xffffffff;

/// The entries one rank holds, in whole lines, with positions on X's axes (after the axes'
/// permutations): line l's entries are [line_start[l], line_start[l + 1]) of `cross_pos` (the
/// position of each entry on the other axis) and `values`.
template <typename T>
struct LineEntries {
  bool lines_are_columns = false;        ///< lines are X's columns (a CSC file), else its rows
  std::vector<std::int64_t> line_pos;    ///< each line's position on its axis
  std::vector<std::int64_t> line_start;  ///< line_pos.size() + 1 offsets from 0 (none if no lines)
  std::vector<std::int64_t> cross_pos;
  std::vector<T> values;
};

/// The entries of my block of X: each one's block-local row and column packed into one word
/// (core/csr.hpp's pack_position), its value alongside; ordered by sending rank, then in the
/// sender's order (line by line).
template <typename T>
struct BlockEntries {
  std::vector<std::uint64_t> positions;
  std::vector<T> values;
};

/// Sends every entry of `mine` to the rank that owns its block of X, cut by `rows` (pr blocks)
/// and `cols` (pc blocks): one all-to-all of packed positions, then one of values, so that each
/// entry travels as 8 bytes plus its value (the exchange sets a sparse reader's peak memory).
/// `mine` is taken by value and its entries released once packed. Precondition: no block longer
/// than max_packed_extent (InternalError otherwise). Collective over grid.all().
///   X 4 x 2 on a 2 x 1 grid, rows cut {0, 1, 4}; the file's rows were read evenly, {0, 1} by
///   rank 0 and {2, 3} by rank 1 (global positions):
///     before: rank 0 (0,1)=a (1,0)=b                  rank 1 (2,1)=c (3,0)=d
///   after (block-local rows and columns; rank 1's block is rows 1-3):
///     after:  rank 0 (0,1)=a                          rank 1 (0,0)=b (1,1)=c (2,0)=d
template <typename T>
BlockEntries<T> send_entries_to_blocks(const ProcessGrid& grid, const Axis& rows, const Axis& cols,
                                       LineEntries<T> mine);

}  // namespace dnmf
