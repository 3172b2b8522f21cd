#pragma once
/// @file Balanced contiguous block partitions. Every count and offset used to distribute rows or
/// columns comes from `block_range`, so all layers agree on who owns what.

#include <cstdint>
#include <vector>

namespace dnmf {

/// A half-open index range [begin, begin + size).
struct Range {
  std::int64_t begin = 0;
  std::int64_t size = 0;
  std::int64_t end() const { return begin + size; }
  bool operator==(const Range& o) const { return begin == o.begin && size == o.size; }
};

/// Part `index` of `n` items split into `parts` contiguous blocks whose sizes differ by at most
/// one; the first `n % parts` blocks get the extra item. Example: n=7, parts=3 -> 3, 2, 2.
Range block_range(std::int64_t n, int parts, int index);

/// The sizes of all `parts` blocks of `block_range(n, parts, .)`.
std::vector<std::int64_t> block_sizes(std::int64_t n, int parts);

}  // namespace dnmf
