#include "dnmf/core/permutation.hpp"

#include "dnmf/core/error.hpp"

namespace dnmf {
namespace {
constexpr int kRounds = 4;  // four rounds of a good round function give a pseudo-random bijection

/// splitmix64's finaliser: a fast, well-mixed 64-bit hash.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

Permutation::Permutation(std::int64_t n, std::uint64_t seed)
    : identity_(n <= 1), n_(n), seed_(seed) {
  if (n < 0) throw InternalError("Permutation: negative size");
  while ((std::uint64_t{1} << (2 * half_bits_)) < static_cast<std::uint64_t>(n)) ++half_bits_;
  half_mask_ = (std::uint64_t{1} << half_bits_) - 1;
}

std::uint64_t Permutation::round_key(int round, std::uint64_t half) const {
  return mix(seed_ ^ mix(static_cast<std::uint64_t>(round) * 0x632be59bd9b4e019ULL + half)) &
         half_mask_;
}

std::uint64_t Permutation::encrypt(std::uint64_t x) const {
  std::uint64_t left = x >> half_bits_, right = x & half_mask_;
  for (int r = 0; r < kRounds; ++r) {
    const std::uint64_t next = left ^ round_key(r, right);
    left = right;
    right = next;
  }
  return (left << half_bits_) | right;
}

std::uint64_t Permutation::decrypt(std::uint64_t x) const {
  std::uint64_t left = x >> half_bits_, right = x & half_mask_;
  for (int r = kRounds - 1; r >= 0; --r) {
    const std::uint64_t prev = right ^ round_key(r, left);
    right = left;
    left = prev;
  }
  return (left << half_bits_) | right;
}

std::int64_t Permutation::position(std::int64_t i) const {
  if (identity_) return i;
  std::uint64_t x = static_cast<std::uint64_t>(i);
  do x = encrypt(x);
  while (x >= static_cast<std::uint64_t>(n_));
  return static_cast<std::int64_t>(x);
}

std::int64_t Permutation::item(std::int64_t p) const {
  if (identity_) return p;
  std::uint64_t x = static_cast<std::uint64_t>(p);
  do x = decrypt(x);
  while (x >= static_cast<std::uint64_t>(n_));
  return static_cast<std::int64_t>(x);
}

}  // namespace dnmf
