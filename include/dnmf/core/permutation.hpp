#pragma once
/// @file A seeded pseudo-random permutation of [0, n) that needs no table: a balanced Feistel
/// network over the smallest domain of 4^h >= n items, cycle-walked back into [0, n) (a
/// walk from an item below n ends at the next item below n on its cycle, after 4 steps at
/// most on average). Every rank computes any item's position, and back, in O(1) memory, so a
/// permuted layout of X's rows or columns costs nothing to share.

#include <cstdint>

namespace dnmf {

class Permutation {
 public:
  /// The identity.
  Permutation() = default;
  /// A pseudo-random bijection of [0, n) determined by `seed`; the same on every rank.
  Permutation(std::int64_t n, std::uint64_t seed);

  bool is_identity() const { return identity_; }
  std::uint64_t seed() const { return seed_; }
  /// Where item i goes (0 <= i < n).
  std::int64_t position(std::int64_t i) const;
  /// The item at position p (0 <= p < n): item(position(i)) == i.
  std::int64_t item(std::int64_t p) const;

  bool operator==(const Permutation& o) const {
    return identity_ == o.identity_ && (identity_ || (n_ == o.n_ && seed_ == o.seed_));
  }
  bool operator!=(const Permutation& o) const { return !(*this == o); }

 private:
  std::uint64_t round_key(int round, std::uint64_t half) const;
  std::uint64_t encrypt(std::uint64_t x) const;
  std::uint64_t decrypt(std::uint64_t x) const;

  bool identity_ = true;
  std::int64_t n_ = 0;
  std::uint64_t seed_ = 0;
  int half_bits_ = 1;
  std::uint64_t half_mask_ = 1;
};

}  // namespace dnmf
