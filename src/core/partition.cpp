#include "dnmf/core/partition.hpp"

#include <algorithm>
#include <string>

#include "dnmf/core/error.hpp"

namespace dnmf {

Range block_range(std::int64_t n, int parts, int index) {
  if (parts < 1 || index < 0 || index >= parts || n < 0) {
    throw InternalError("block_range: invalid arguments");
  }
  const std::int64_t base = n / parts;
  const std::int64_t extra = n % parts;
  const std::int64_t begin = index * base + (index < extra ? index : extra);
  return {begin, base + (index < extra ? 1 : 0)};
}

std::vector<std::int64_t> block_sizes(std::int64_t n, int parts) {
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(parts));
  for (int p = 0; p < parts; ++p)
    sizes[static_cast<std::size_t>(p)] = block_range(n, parts, p).size;
  return sizes;
}

Axis::Axis(std::vector<std::int64_t> bounds) : bounds_(std::move(bounds)) {
  bool ok = bounds_.size() >= 2 && bounds_.front() == 0;
  for (std::size_t b = 1; ok && b < bounds_.size(); ++b) ok = bounds_[b] >= bounds_[b - 1];
  if (!ok) throw InternalError("Axis: block bounds must start at 0 and never decrease");
}

Axis Axis::uniform(std::int64_t n, int parts) {
  std::vector<std::int64_t> bounds(static_cast<std::size_t>(parts) + 1, 0);
  for (int b = 0; b < parts; ++b)
    bounds[static_cast<std::size_t>(b) + 1] = block_range(n, parts, b).end();
  return Axis(std::move(bounds));
}

Range Axis::block(int b) const {
  if (b < 0 || b >= parts()) throw InternalError("Axis::block: no block " + std::to_string(b));
  const auto i = static_cast<std::size_t>(b);
  return {bounds_[i], bounds_[i + 1] - bounds_[i]};
}

std::int64_t Axis::longest_block() const {
  std::int64_t longest = 0;
  for (int b = 0; b < parts(); ++b) longest = std::max(longest, block(b).size);
  return longest;
}

int Axis::block_of(std::int64_t i) const {
  // The last bound <= i; among equal bounds (empty blocks) the last one, which is non-empty.
  return static_cast<int>(std::upper_bound(bounds_.begin(), bounds_.end() - 1, i) -
                          bounds_.begin()) -
         1;
}

}  // namespace dnmf
