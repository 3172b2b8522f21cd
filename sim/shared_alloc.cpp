// The charged build's buffers: every allocation of 1 MiB or more (X's block, gathered factor
// blocks, partial products) goes to SMPI's shared memory, where all simulated ranks' buffers
// map onto the same physical pages. Their contents are meaningless in this build (charged_la.cpp
// computes nothing), so thousands of ranks fit in one machine's memory. Smaller allocations
// (indices, counts, CSR row pointers the charges read) stay private.
#include <smpi/smpi.h>

#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

bool dnmf_sim_share_allocations = true;

namespace {
/// The smallest shared allocation: $DNMF_SIM_SHARED_FROM bytes, default 1 MiB.
std::size_t shared_from() {
  static const std::size_t from = [] {
    const char* v = std::getenv("DNMF_SIM_SHARED_FROM");
    return v ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : std::size_t{1} << 20;
  }();
  return from;
}

bool shared(void* p) {
  if (!p) return false;
  std::vector<std::pair<std::size_t, std::size_t>> private_blocks;
  std::size_t offset = 0;
  return smpi_is_shared(p, private_blocks, &offset) != 0;
}
}  // namespace

void* operator new(std::size_t size) {
  void* p = dnmf_sim_share_allocations && size >= shared_from() ? SMPI_SHARED_MALLOC(size)
                                                                : std::malloc(size ? size : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept {
  if (shared(p)) {
    SMPI_SHARED_FREE(p);
  } else {
    std::free(p);
  }
}
void operator delete(void* p, std::size_t) noexcept {
  operator delete(p);
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void operator delete[](void* p) noexcept {
  operator delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  operator delete(p);
}
