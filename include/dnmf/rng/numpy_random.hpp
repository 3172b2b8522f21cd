/// @file
/// Bit-exact port of numpy's legacy `RandomState` (MT19937), as far as scikit-learn's NMF
/// needs it: raw words, uniform doubles, standard normals and permutations (spec
/// sklearn-nmf.md §3.5). Checked against numpy 1.24.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dnmf::rng {

/// numpy's legacy `numpy.random.RandomState` seeded with an integer.
///
/// The same seed gives the same stream of raw words, doubles, normals and permutations as
/// numpy, bit for bit, as long as the calls are made in the same order. One object is one
/// sequential stream: it is not thread-safe and it is local to the calling process (no MPI).
///
/// Covered numpy calls and their equivalents here:
/// | numpy (`rs = RandomState(seed)`)             | here                         |
/// |----------------------------------------------|------------------------------|
/// | `rs.randint(0, 2**32, dtype=np.uint32)`      | `next_u32()`                 |
/// | `rs.random_sample()`                         | `random_double()`            |
/// | `rs.standard_normal(size)` (row-major fill)  | `standard_normal(out, count)`|
/// | `rs.permutation(k)` for an integer k         | `permutation(k)`             |
/// | `rs.get_state()` / `rs.set_state(...)`       | `state()` / `set_state()`    |
class NumpyRandomState {
 public:
  /// Number of 32-bit words in the MT19937 state.
  static constexpr std::size_t kStateWords = 624;

  /// Complete generator state, for checkpoints. Its fields are those of numpy's
  /// `get_state()` tuple: `('MT19937', key, pos, has_gauss, cached_gaussian)`.
  struct State {
    /// The MT19937 state words.
    std::array<std::uint32_t, kStateWords> key{};
    /// Index of the next word of `key` to temper, in [0, 624]; 624 means the block is used up
    /// and the next draw regenerates it.
    std::uint32_t pos = kStateWords;
    /// Whether the second value of the last polar Box–Muller pair is still unused.
    bool has_gauss = false;
    /// That cached value (0 when `has_gauss` is false, as numpy stores it).
    double gauss = 0.0;

    friend bool operator==(const State& a, const State& b);
    friend bool operator!=(const State& a, const State& b) { return !(a == b); }
  };

  /// Same stream as `numpy.random.RandomState(seed)`: MT19937 `init_genrand(seed)` (Knuth's
  /// multiplier 1812433253), empty normal cache. Every seed numpy accepts as an integer,
  /// 0 ≤ seed < 2^32, is representable.
  explicit NumpyRandomState(std::uint32_t seed);

  /// Resumes from a saved state (see `set_state()`).
  /// @throws std::invalid_argument if `state.pos > 624`.
  explicit NumpyRandomState(const State& state);

  /// Next raw tempered MT19937 output.
  std::uint32_t next_u32();

  /// Two raw outputs combined as numpy's legacy 64-bit draw: the first one is the high half.
  std::uint64_t next_u64();

  /// Uniform double in [0, 1) from two raw outputs a, b: ((a >> 5) * 2^26 + (b >> 6)) / 2^53,
  /// as `random_sample()`.
  double random_double();

  /// One N(0, 1) sample by numpy's legacy polar Box–Muller method (`legacy_gauss`).
  ///
  /// Each accepted pair (x1, x2) = (2u - 1, 2u - 1) with 0 < r2 = x1² + x2² < 1 gives
  /// f = sqrt(-2 ln(r2) / r2); f·x2 is returned and f·x1 is cached for the next call. The
  /// cache is part of the state and survives calls to the other members.
  double standard_normal();

  /// Fills `out[0 .. count)` with consecutive `standard_normal()` values, i.e. what
  /// `rs.standard_normal(size)` returns in row-major (C) order for `count` = prod(size).
  void standard_normal(double* out, std::size_t count);

  /// Uniform integer in [0, max] by numpy's legacy masked rejection (`random_interval`):
  /// draws are ANDed with the smallest all-ones mask ≥ max and redrawn while above max.
  /// Uses 32-bit draws when max < 2^32, `next_u64()` draws otherwise; max = 0 draws nothing.
  std::uint64_t random_interval(std::uint64_t max);

  /// Shuffles `values[0 .. count)` in place as numpy's legacy `shuffle` does for a 1-D array:
  /// Fisher–Yates from the last position down to 1, j = `random_interval(i)`, swap i and j.
  void shuffle(std::int64_t* values, std::size_t count);

  /// `rs.permutation(k)`: 0 .. k-1 shuffled by `shuffle()`. k = 0 or 1 draws nothing.
  /// @throws std::invalid_argument if k < 0 (numpy returns an empty array there; a negative
  ///         count is always a caller bug for us).
  std::vector<std::int64_t> permutation(std::int64_t k);

  /// Skips `n` raw outputs, as if `next_u32()` had been called n times. Whole 624-word blocks
  /// are regenerated without tempering, so this is several times cheaper than drawing.
  void discard(std::uint64_t n);

  /// Skips `n` normals, as if `standard_normal()` had been called n times, leaving exactly
  /// the same state (cache included). The pairs are still drawn, because rejection makes
  /// their raw-word cost unknowable in advance, but the logarithm and square root are only
  /// computed for a pair whose cached half outlives the skip.
  void discard_normals(std::uint64_t n);

  /// Snapshot of the full state.
  State state() const;

  /// Restores a snapshot taken by `state()` or converted from numpy's `get_state()`.
  /// @throws std::invalid_argument if `state.pos > 624`.
  void set_state(const State& state);

 private:
  /// Regenerates all 624 state words (the MT19937 "twist") and rewinds `pos_` to 0.
  void reload();

  /// One accepted polar pair (x1, x2) and its r2 = x1² + x2².
  struct PolarPair {
    double x1;
    double x2;
    double r2;
  };
  PolarPair draw_polar_pair();

  std::array<std::uint32_t, kStateWords> key_{};
  std::uint32_t pos_ = kStateWords;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

}  // namespace dnmf::rng
