#pragma once
/// @file Balanced contiguous block partitions. Every count and offset used to distribute rows or
/// columns comes from `block_range`, so all layers agree on who owns what.

#include <cstdint>
#include <vector>

#include "dnmf/core/permutation.hpp"

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

/// How one dimension of X (its rows or its columns) is cut into the contiguous blocks of one grid
/// dimension: block b is [bounds[b], bounds[b + 1]) of *positions*. Uniform (block_range) for
/// dense input; balanced by stored entries for sparse input (dist/balance.hpp), where blocks may
/// differ in length and may even be empty. Example: bounds {0, 2, 2, 7}: blocks [0,2), [2,2),
/// [2,7). Positions are the items themselves unless the axis carries a permutation: then
/// position p holds item permutation().item(p), which lets a skewed matrix be balanced by
/// scattering its heavy rows or columns; inputs and outputs are read and written by item.
class Axis {
 public:
  Axis() : bounds_{0} {}
  /// Throws InternalError unless bounds start at 0 and never decrease (at least one block).
  explicit Axis(std::vector<std::int64_t> bounds);
  /// The block_range split of n items into `parts` blocks.
  static Axis uniform(std::int64_t n, int parts);

  std::int64_t size() const { return bounds_.back(); }
  int parts() const { return static_cast<int>(bounds_.size()) - 1; }
  Range block(int b) const;
  /// The size of the largest block.
  std::int64_t longest_block() const;
  /// The block holding item i (0 <= i < size()).
  int block_of(std::int64_t i) const;
  const std::vector<std::int64_t>& bounds() const { return bounds_; }
  /// The same cuts with `perm` deciding which item sits at which position.
  Axis permuted(const Permutation& perm) const {
    Axis a = *this;
    a.perm_ = perm;
    return a;
  }
  const Permutation& permutation() const { return perm_; }
  std::int64_t position(std::int64_t item) const { return perm_.position(item); }
  std::int64_t item(std::int64_t position) const { return perm_.item(position); }
  bool operator==(const Axis& o) const { return bounds_ == o.bounds_ && perm_ == o.perm_; }
  bool operator!=(const Axis& o) const { return !(*this == o); }

 private:
  std::vector<std::int64_t> bounds_;
  Permutation perm_;
};

}  // namespace dnmf
