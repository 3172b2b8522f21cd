#include "dnmf/dist/entry_exchange.hpp"

#include <algorithm>
#include <numeric>

#include "dnmf/core/csr.hpp"
#include "dnmf/core/error.hpp"

namespace dnmf {

template <typename T>
BlockEntries<T> send_entries_to_blocks(const ProcessGrid& grid, const Axis& rows, const Axis& cols,
                                       LineEntries<T> mine) {
  if (std::max(rows.longest_block(), cols.longest_block()) > max_packed_extent) {
    throw InternalError("send_entries_to_blocks: a block is too long for a packed position");
  }
  const bool by_columns = mine.lines_are_columns;
  const Axis& line_axis = by_columns ? cols : rows;
  const Axis& cross_axis = by_columns ? rows : cols;
  const int pc = grid.pc();
  auto owner = [&](int line_block, int cross_block) {
    return by_columns ? block_owner(cross_block, line_block, pc)
                      : block_owner(line_block, cross_block, pc);
  };
  const std::int64_t lines = static_cast<std::int64_t>(mine.line_pos.size());
  const std::vector<std::int64_t>& start = mine.line_start;
  const std::vector<std::int64_t>& cross = mine.cross_pos;

  // Counts per destination, then each entry packed at its destination's next slot.
  std::vector<std::int64_t> counts(static_cast<std::size_t>(grid.all().size()), 0);
  for (std::int64_t line = 0; line < lines; ++line) {
    for (std::int64_t e = start[line]; e < start[line + 1]; ++e) {
      ++counts[static_cast<std::size_t>(
          owner(line_axis.block_of(mine.line_pos[line]), cross_axis.block_of(cross[e])))];
    }
  }
  std::vector<std::int64_t> cursor(counts.size(), 0);
  std::partial_sum(counts.begin(), counts.end() - 1, cursor.begin() + 1);
  const std::size_t n = mine.values.size();
  std::vector<std::uint64_t> send_pos(n);
  std::vector<T> send_val(n);
  for (std::int64_t line = 0; line < lines; ++line) {
    const int a = line_axis.block_of(mine.line_pos[line]);
    const std::int64_t line_local = mine.line_pos[line] - line_axis.block(a).begin;
    for (std::int64_t e = start[line]; e < start[line + 1]; ++e) {
      const int b = cross_axis.block_of(cross[e]);
      const std::int64_t cross_local = cross[e] - cross_axis.block(b).begin;
      const std::int64_t at = cursor[static_cast<std::size_t>(owner(a, b))]++;
      send_pos[at] = by_columns ? pack_position(cross_local, line_local)
                                : pack_position(line_local, cross_local);
      send_val[at] = mine.values[e];
    }
  }
  // What was read is no longer needed once packed: release it before the exchange.
  std::vector<std::int64_t>().swap(mine.cross_pos);
  std::vector<T>().swap(mine.values);
  BlockEntries<T> got;
  got.positions = grid.all().alltoallv(send_pos.data(), counts);
  std::vector<std::uint64_t>().swap(send_pos);
  got.values = grid.all().alltoallv(send_val.data(), counts);
  return got;
}

template BlockEntries<double> send_entries_to_blocks<double>(const ProcessGrid&, const Axis&,
                                                             const Axis&, LineEntries<double>);
template BlockEntries<float> send_entries_to_blocks<float>(const ProcessGrid&, const Axis&,
                                                           const Axis&, LineEntries<float>);

}  // namespace dnmf
