// Sending sparse entries to their block owners (dist/entry_exchange.hpp), at every rank count
// and grid shape, against the entries of each block picked out of the whole matrix.
#include <gtest/gtest.h>

#include <random>
#include <tuple>

#include "dnmf/core/csr.hpp"
#include "dnmf/dist/balance.hpp"
#include "dnmf/dist/entry_exchange.hpp"
#include "dnmf/dist/grid.hpp"
#include "test_helpers.hpp"

namespace dnmf {
namespace {

using Entry = std::tuple<std::int64_t, std::int64_t, double>;  // row, column, value

/// Lines of a rows x cols matrix, each a list of (cross index, value), duplicates allowed; the
/// same on every rank.
std::vector<std::vector<std::pair<std::int64_t, double>>> random_lines(std::int64_t lines,
                                                                       std::int64_t cross) {
  std::mt19937_64 gen(11);
  std::vector<std::vector<std::pair<std::int64_t, double>>> out(static_cast<std::size_t>(lines));
  for (auto& line : out) {
    const auto n = static_cast<int>(gen() % 5);
    for (int e = 0; e < n; ++e)
      line.emplace_back(static_cast<std::int64_t>(gen() % cross), static_cast<double>(gen() % 100));
  }
  return out;
}

/// Uneven cuts of n into `parts` blocks: block b gets about (b + 1) shares.
Axis uneven(std::int64_t n, int parts) {
  std::vector<std::int64_t> bounds{0};
  const std::int64_t shares = parts * (parts + 1) / 2;
  std::int64_t sum = 0;
  for (int b = 0; b < parts; ++b) {
    sum += b + 1;
    bounds.push_back(n * sum / shares);
  }
  return Axis(bounds);
}

TEST(EntryExchange, EveryEntryReachesItsBlockInSenderOrder) {
  const mpi::Comm comm = test::world_comm();
  for (const GridShape shape : test::all_grids(comm.size())) {
    for (const bool by_columns : {false, true}) {
      SCOPED_TRACE(std::to_string(shape.pr) + "x" + std::to_string(shape.pc) +
                   (by_columns ? " columns" : " rows"));
      const ProcessGrid grid(comm, shape);
      const std::int64_t m = 13, n = 7;
      const Axis rows = uneven(m, grid.pr()), cols = uneven(n, grid.pc());
      const std::int64_t n_lines = by_columns ? n : m;
      const auto lines = random_lines(n_lines, by_columns ? m : n);
      auto entry = [&](std::int64_t line, const std::pair<std::int64_t, double>& e) {
        return by_columns ? Entry{e.first, line, e.second} : Entry{line, e.first, e.second};
      };

      // Mine: my_slice of the lines, as a reader would hold them.
      const Range slice = my_slice(comm, n_lines);
      LineEntries<double> mine;
      mine.lines_are_columns = by_columns;
      mine.line_start.push_back(0);
      for (std::int64_t l = slice.begin; l < slice.end(); ++l) {
        mine.line_pos.push_back(l);
        for (const auto& e : lines[static_cast<std::size_t>(l)]) {
          mine.cross_pos.push_back(e.first);
          mine.values.push_back(e.second);
        }
        mine.line_start.push_back(static_cast<std::int64_t>(mine.values.size()));
      }
      const BlockEntries<double> got = send_entries_to_blocks(grid, rows, cols, std::move(mine));

      // Expected: the entries of my block, by sending rank, then line, then order in the line.
      const Range my_rows = rows.block(grid.my_row()), my_cols = cols.block(grid.my_col());
      std::vector<Entry> want;
      for (int r = 0; r < comm.size(); ++r) {
        const Range s = block_range(n_lines, comm.size(), r);
        for (std::int64_t l = s.begin; l < s.end(); ++l) {
          for (const auto& e : lines[static_cast<std::size_t>(l)]) {
            const auto [i, j, v] = entry(l, e);
            if (my_rows.begin <= i && i < my_rows.end() && my_cols.begin <= j && j < my_cols.end())
              want.emplace_back(i - my_rows.begin, j - my_cols.begin, v);
          }
        }
      }
      std::vector<Entry> have;
      for (std::size_t e = 0; e < got.values.size(); ++e) {
        have.emplace_back(packed_row(got.positions[e]), packed_col(got.positions[e]),
                          got.values[e]);
      }
      EXPECT_EQ(have, want);
    }
  }
}

}  // namespace
}  // namespace dnmf
