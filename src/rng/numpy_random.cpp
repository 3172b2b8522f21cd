#include "dnmf/rng/numpy_random.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace dnmf::rng {
namespace {

// MT19937 parameters (Matsumoto & Nishimura 1998).
constexpr std::size_t kN = NumpyRandomState::kStateWords;
constexpr std::size_t kM = 397;
constexpr std::uint32_t kMatrixA = 0x9908b0dfU;
constexpr std::uint32_t kUpperMask = 0x80000000U;
constexpr std::uint32_t kLowerMask = 0x7fffffffU;
constexpr std::uint32_t kSeedMultiplier = 1812433253U;

// Combines the top bit of `upper` with the low 31 bits of `lower` and applies the twist
// matrix: the recurrence step of MT19937.
inline std::uint32_t twist_word(std::uint32_t far, std::uint32_t upper, std::uint32_t lower) {
  const std::uint32_t y = (upper & kUpperMask) | (lower & kLowerMask);
  const std::uint32_t mag = (y & 1U) != 0U ? kMatrixA : 0U;
  return far ^ (y >> 1) ^ mag;
}

inline std::uint32_t temper(std::uint32_t y) {
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

// a*b rounded to double before anything else sees it. numpy computes x1*x1 + x2*x2 with two
// roundings; a compiler allowed to contract (GCC's default -ffp-contract=fast on FMA targets,
// e.g. -march=native) would fuse it into one FMA and change r2 in the last bit. The empty asm
// makes the product opaque, so no fusion can happen; it emits no instruction. The other
// multiply-adds here (a * 2^26 + b, 2u - 1) have exact products, so fusing them is harmless.
inline double rounded_product(double a, double b) {
  double p = a * b;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2_MATH__)
  __asm__("" : "+x"(p));
#elif defined(__GNUC__) && defined(__aarch64__)
  __asm__("" : "+w"(p));
#else
  // Other targets: a volatile round trip has the same effect at the cost of a store/load.
  volatile double v = p;
  p = v;
#endif
  return p;
}

// Smallest all-ones bit mask >= max.
inline std::uint64_t covering_mask(std::uint64_t max) {
  std::uint64_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  return mask;
}

void check_pos(std::uint32_t pos) {
  if (pos > kN) {
    throw std::invalid_argument("NumpyRandomState: state position " + std::to_string(pos) +
                                " is out of range [0, 624]");
  }
}

}  // namespace

bool operator==(const NumpyRandomState::State& a, const NumpyRandomState::State& b) {
  // The cached normal is compared by bit pattern: a checkpoint must restore it exactly.
  std::uint64_t ga = 0;
  std::uint64_t gb = 0;
  std::memcpy(&ga, &a.gauss, sizeof ga);
  std::memcpy(&gb, &b.gauss, sizeof gb);
  return a.key == b.key && a.pos == b.pos && a.has_gauss == b.has_gauss && ga == gb;
}

NumpyRandomState::NumpyRandomState(std::uint32_t seed) {
  // init_genrand: each word is a Knuth-style hash of the previous one plus its index.
  key_[0] = seed;
  for (std::size_t i = 1; i < kN; ++i) {
    const std::uint32_t prev = key_[i - 1];
    key_[i] = kSeedMultiplier * (prev ^ (prev >> 30)) + static_cast<std::uint32_t>(i);
  }
  pos_ = kN;  // numpy regenerates the block lazily, on the first draw
}

NumpyRandomState::NumpyRandomState(const State& state) {
  set_state(state);
}

void NumpyRandomState::reload() {
  std::size_t i = 0;
  for (; i < kN - kM; ++i) key_[i] = twist_word(key_[i + kM], key_[i], key_[i + 1]);
  // From here the "far" word wraps around to the already regenerated front of the block.
  for (; i < kN - 1; ++i) key_[i] = twist_word(key_[i + kM - kN], key_[i], key_[i + 1]);
  key_[kN - 1] = twist_word(key_[kM - 1], key_[kN - 1], key_[0]);
  pos_ = 0;
}

std::uint32_t NumpyRandomState::next_u32() {
  if (pos_ >= kN) reload();
  return temper(key_[pos_++]);
}

std::uint64_t NumpyRandomState::next_u64() {
  const std::uint64_t high = next_u32();
  const std::uint64_t low = next_u32();
  return (high << 32) | low;
}

double NumpyRandomState::random_double() {
  // 27 bits from the first word and 26 from the second fill the 53-bit mantissa.
  const std::uint32_t a = next_u32() >> 5;
  const std::uint32_t b = next_u32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

NumpyRandomState::PolarPair NumpyRandomState::draw_polar_pair() {
  PolarPair p{};
  do {
    p.x1 = 2.0 * random_double() - 1.0;
    p.x2 = 2.0 * random_double() - 1.0;
    p.r2 = rounded_product(p.x1, p.x1) + rounded_product(p.x2, p.x2);
  } while (p.r2 >= 1.0 || p.r2 == 0.0);
  return p;
}

double NumpyRandomState::standard_normal() {
  if (has_gauss_) {
    has_gauss_ = false;
    const double cached = gauss_;
    gauss_ = 0.0;  // numpy clears it too; keeps state() equal to numpy's get_state()
    return cached;
  }
  const PolarPair p = draw_polar_pair();
  const double f = std::sqrt(-2.0 * std::log(p.r2) / p.r2);
  gauss_ = f * p.x1;
  has_gauss_ = true;
  return f * p.x2;
}

void NumpyRandomState::standard_normal(double* out, std::size_t count) {
  if (count > 0 && out == nullptr) {
    throw std::invalid_argument("NumpyRandomState::standard_normal: null output pointer");
  }
  for (std::size_t i = 0; i < count; ++i) out[i] = standard_normal();
}

std::uint64_t NumpyRandomState::random_interval(std::uint64_t max) {
  if (max == 0) return 0;
  const std::uint64_t mask = covering_mask(max);
  std::uint64_t value = 0;
  if (max <= 0xffffffffU) {
    const auto mask32 = static_cast<std::uint32_t>(mask);
    do {
      value = next_u32() & mask32;
    } while (value > max);
  } else {
    do {
      value = next_u64() & mask;
    } while (value > max);
  }
  return value;
}

void NumpyRandomState::shuffle(std::int64_t* values, std::size_t count) {
  if (count > 0 && values == nullptr) {
    throw std::invalid_argument("NumpyRandomState::shuffle: null data pointer");
  }
  for (std::size_t i = count > 0 ? count - 1 : 0; i > 0; --i) {
    const auto j = static_cast<std::size_t>(random_interval(i));
    std::swap(values[i], values[j]);
  }
}

std::vector<std::int64_t> NumpyRandomState::permutation(std::int64_t k) {
  if (k < 0) {
    throw std::invalid_argument("NumpyRandomState::permutation: k must be >= 0, got " +
                                std::to_string(k));
  }
  std::vector<std::int64_t> perm(static_cast<std::size_t>(k));
  for (std::int64_t i = 0; i < k; ++i) perm[static_cast<std::size_t>(i)] = i;
  shuffle(perm.data(), perm.size());
  return perm;
}

void NumpyRandomState::discard(std::uint64_t n) {
  const std::uint64_t left_in_block = kN - pos_;
  if (n <= left_in_block) {
    pos_ += static_cast<std::uint32_t>(n);
    return;
  }
  n -= left_in_block;
  // Tempering only affects the outputs, not the state, so skipped blocks need only the twist.
  while (n > kN) {
    reload();
    n -= kN;
  }
  reload();
  pos_ = static_cast<std::uint32_t>(n);  // 1 <= n <= 624
}

void NumpyRandomState::discard_normals(std::uint64_t n) {
  if (n == 0) return;
  if (has_gauss_) {
    has_gauss_ = false;
    gauss_ = 0.0;
    --n;
  }
  // Both halves of these pairs are consumed, so their values are never needed.
  for (; n >= 2; n -= 2) draw_polar_pair();
  if (n == 1) standard_normal();  // its cached half survives: compute it in full
}

NumpyRandomState::State NumpyRandomState::state() const {
  State s;
  s.key = key_;
  s.pos = pos_;
  s.has_gauss = has_gauss_;
  s.gauss = gauss_;
  return s;
}

void NumpyRandomState::set_state(const State& state) {
  check_pos(state.pos);
  key_ = state.key;
  pos_ = state.pos;
  has_gauss_ = state.has_gauss;
  gauss_ = state.gauss;
}

}  // namespace dnmf::rng
