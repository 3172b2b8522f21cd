#include "dnmf/core/partition.hpp"

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

}  // namespace dnmf
