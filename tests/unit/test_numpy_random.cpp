// Tests of dnmf::rng::NumpyRandomState against numpy's legacy RandomState.
//
// Two groups:
//  * self-contained checks: the anchors of spec sklearn-nmf.md §3.5, std::mt19937 as an
//    independent MT19937, and the consistency of state save/restore and skipping;
//  * bit-exact comparisons with a reference file written by numpy itself
//    (tests/unit/numpy_random_reference.py), found through the environment variable
//    DNMF_NUMPY_REFERENCE. Without that variable these tests are skipped.

#include "dnmf/rng/numpy_random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace dnmf::rng {

// Short form for failure messages: GoogleTest would otherwise dump all 2.5 kB of the state.
void PrintTo(const NumpyRandomState::State& s, std::ostream* os) {
  *os << "{pos=" << s.pos << ", has_gauss=" << s.has_gauss << ", gauss=" << s.gauss
      << ", key[0..2]=" << s.key[0] << "," << s.key[1] << "," << s.key[2] << ",...}";
}

}  // namespace dnmf::rng

namespace {

using dnmf::rng::NumpyRandomState;

// The seeds the reference script writes; a test checks the file agrees.
const std::vector<std::uint32_t> kSeeds = {0U, 1U, 42U, 1900U, 4294967295U};

std::uint64_t bits_of(double x) {
  std::uint64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

double double_from_bits(std::uint64_t b) {
  double x = 0.0;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

// Compares element by element and reports only the first mismatch (with its index) plus the
// number of mismatches, instead of one failure per element.
testing::AssertionResult same_doubles(const std::vector<double>& actual,
                                      const std::vector<double>& expected) {
  if (actual.size() != expected.size()) {
    return testing::AssertionFailure()
           << "size " << actual.size() << " != expected size " << expected.size();
  }
  std::size_t mismatches = 0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (bits_of(actual[i]) != bits_of(expected[i]) && mismatches++ == 0) first = i;
  }
  if (mismatches == 0) return testing::AssertionSuccess();
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "[%zu]: got %.17g (0x%016" PRIx64 "), numpy %.17g (0x%016" PRIx64 ")", first,
                actual[first], bits_of(actual[first]), expected[first], bits_of(expected[first]));
  return testing::AssertionFailure()
         << mismatches << " of " << actual.size() << " values differ; first " << buf;
}

template <typename T, typename U>
testing::AssertionResult same_integers(const std::vector<T>& actual,
                                       const std::vector<U>& expected) {
  if (actual.size() != expected.size()) {
    return testing::AssertionFailure()
           << "size " << actual.size() << " != expected size " << expected.size();
  }
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (static_cast<std::uint64_t>(actual[i]) != static_cast<std::uint64_t>(expected[i])) {
      return testing::AssertionFailure()
             << "[" << i << "]: got " << actual[i] << ", numpy " << expected[i];
    }
  }
  return testing::AssertionSuccess();
}

std::vector<double> draw_normals(NumpyRandomState& rs, std::size_t count) {
  std::vector<double> out(count);
  rs.standard_normal(out.data(), out.size());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Self-contained checks
// ---------------------------------------------------------------------------------------------

TEST(NumpyRandomStateAnchors, StandardNormalSeed0) {
  NumpyRandomState rs(0);
  EXPECT_EQ(rs.standard_normal(), 1.764052345967664);
  EXPECT_EQ(rs.standard_normal(), 0.4001572083672233);
  EXPECT_EQ(rs.standard_normal(), 0.9787379841057392);
}

TEST(NumpyRandomStateAnchors, PermutationSeed0) {
  NumpyRandomState rs(0);
  EXPECT_EQ(rs.permutation(5), (std::vector<std::int64_t>{2, 0, 1, 3, 4}));
}

// std::mt19937 is seeded by the same init_genrand, so it is an independent MT19937.
TEST(NumpyRandomStateEngine, RawWordsMatchStdMt19937) {
  for (std::uint32_t seed : {0U, 1U, 5489U, 1900U, 4294967295U}) {
    NumpyRandomState rs(seed);
    std::mt19937 reference(seed);
    for (int i = 0; i < 5000; ++i) {
      const auto expected = static_cast<std::uint32_t>(reference());
      ASSERT_EQ(rs.next_u32(), expected) << "seed " << seed << ", draw " << i;
    }
  }
}

TEST(NumpyRandomStateEngine, TenThousandthWordOfDefaultSeed) {
  // The value the C++ standard requires of a default-constructed std::mt19937.
  NumpyRandomState rs(5489);
  rs.discard(9999);
  EXPECT_EQ(rs.next_u32(), 4123659995U);
}

TEST(NumpyRandomStateEngine, U64IsHighWordFirst) {
  NumpyRandomState a(7);
  NumpyRandomState b(7);
  const std::uint64_t high = b.next_u32();
  const std::uint64_t low = b.next_u32();
  EXPECT_EQ(a.next_u64(), (high << 32) | low);
}

TEST(NumpyRandomStateEngine, DoubleUsesTwoWords) {
  NumpyRandomState a(3);
  NumpyRandomState b(3);
  const std::uint32_t hi = b.next_u32() >> 5;
  const std::uint32_t lo = b.next_u32() >> 6;
  const double u = a.random_double();
  EXPECT_EQ(u, (hi * 67108864.0 + lo) / 9007199254740992.0);
  EXPECT_GE(u, 0.0);
  EXPECT_LT(u, 1.0);
  EXPECT_EQ(a.state(), b.state());
}

TEST(NumpyRandomStateInterval, ZeroDrawsNothing) {
  NumpyRandomState rs(11);
  const NumpyRandomState::State before = rs.state();
  EXPECT_EQ(rs.random_interval(0), 0U);
  EXPECT_EQ(rs.state(), before);
}

TEST(NumpyRandomStateInterval, StaysInRange) {
  NumpyRandomState rs(12);
  for (std::uint64_t max : {1ULL, 2ULL, 3ULL, 6ULL, 1023ULL, 1024ULL, 0xffffffffULL, 0x100000000ULL,
                            0xffffffffffffffffULL}) {
    for (int i = 0; i < 200; ++i) ASSERT_LE(rs.random_interval(max), max) << "max " << max;
  }
}

TEST(NumpyRandomStatePermutation, NegativeSizeThrows) {
  NumpyRandomState rs(0);
  EXPECT_THROW(rs.permutation(-1), std::invalid_argument);
}

TEST(NumpyRandomStatePermutation, SizesZeroAndOneDrawNothing) {
  NumpyRandomState rs(0);
  const NumpyRandomState::State before = rs.state();
  EXPECT_TRUE(rs.permutation(0).empty());
  EXPECT_EQ(rs.permutation(1), (std::vector<std::int64_t>{0}));
  EXPECT_EQ(rs.state(), before);
}

TEST(NumpyRandomStatePermutation, IsAPermutation) {
  NumpyRandomState rs(5);
  std::vector<std::int64_t> perm = rs.permutation(777);
  std::sort(perm.begin(), perm.end());
  std::vector<std::int64_t> identity(777);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(perm, identity);
}

TEST(NumpyRandomStateNormal, FillEqualsRepeatedCalls) {
  NumpyRandomState a(21);
  NumpyRandomState b(21);
  a.standard_normal();  // start with a full cache
  b.standard_normal();
  std::vector<double> expected(99);
  for (double& x : expected) x = b.standard_normal();
  EXPECT_TRUE(same_doubles(draw_normals(a, 99), expected));
  EXPECT_EQ(a.state(), b.state());
}

TEST(NumpyRandomStateNormal, NullOutputWithCountThrows) {
  NumpyRandomState rs(0);
  EXPECT_THROW(rs.standard_normal(nullptr, 1), std::invalid_argument);
  EXPECT_NO_THROW(rs.standard_normal(nullptr, 0));
}

TEST(NumpyRandomStateState, RestoreReplaysTheStreamIncludingTheCache) {
  NumpyRandomState rs(1900);
  draw_normals(rs, 3);  // odd: the cache is full
  const NumpyRandomState::State saved = rs.state();
  ASSERT_TRUE(saved.has_gauss);
  const std::vector<double> first = draw_normals(rs, 10);
  const std::vector<std::int64_t> first_perm = rs.permutation(9);

  rs.set_state(saved);
  EXPECT_TRUE(same_doubles(draw_normals(rs, 10), first));
  EXPECT_EQ(rs.permutation(9), first_perm);

  NumpyRandomState copy(saved);
  EXPECT_TRUE(same_doubles(draw_normals(copy, 10), first));
}

TEST(NumpyRandomStateState, FreshStateLooksLikeNumpys) {
  const NumpyRandomState::State s = NumpyRandomState(0).state();
  EXPECT_EQ(s.pos, 624U);
  EXPECT_FALSE(s.has_gauss);
  EXPECT_EQ(s.gauss, 0.0);
  EXPECT_EQ(s.key[0], 0U);
  EXPECT_EQ(s.key[1], 1U);
  EXPECT_EQ(s.key[2], 1812433255U);
}

TEST(NumpyRandomStateState, BadPositionThrows) {
  NumpyRandomState::State s = NumpyRandomState(0).state();
  s.pos = 625;
  NumpyRandomState rs(0);
  EXPECT_THROW(rs.set_state(s), std::invalid_argument);
  EXPECT_THROW(NumpyRandomState{s}, std::invalid_argument);
}

TEST(NumpyRandomStateSkip, DiscardEqualsDrawing) {
  for (std::uint64_t warmup : {0ULL, 1ULL, 300ULL, 623ULL, 624ULL}) {
    for (std::uint64_t n : {0ULL, 1ULL, 323ULL, 324ULL, 325ULL, 623ULL, 624ULL, 625ULL, 1247ULL,
                            1248ULL, 1249ULL, 5000ULL}) {
      NumpyRandomState skipped(77);
      NumpyRandomState drawn(77);
      skipped.discard(warmup);
      for (std::uint64_t i = 0; i < warmup; ++i) drawn.next_u32();
      skipped.discard(n);
      for (std::uint64_t i = 0; i < n; ++i) drawn.next_u32();
      ASSERT_EQ(skipped.state(), drawn.state()) << "warmup " << warmup << ", n " << n;
      ASSERT_EQ(skipped.next_u32(), drawn.next_u32()) << "warmup " << warmup << ", n " << n;
    }
  }
}

TEST(NumpyRandomStateSkip, DiscardNormalsEqualsDrawing) {
  for (std::uint64_t warmup : {0ULL, 1ULL, 2ULL}) {
    for (std::uint64_t n : {0ULL, 1ULL, 2ULL, 3ULL, 4ULL, 5ULL, 1000ULL, 1001ULL}) {
      NumpyRandomState skipped(4242);
      NumpyRandomState drawn(4242);
      draw_normals(skipped, warmup);
      draw_normals(drawn, warmup);
      skipped.discard_normals(n);
      draw_normals(drawn, n);
      ASSERT_EQ(skipped.state(), drawn.state()) << "warmup " << warmup << ", n " << n;
      ASSERT_EQ(skipped.standard_normal(), drawn.standard_normal());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Comparisons with numpy's own output
// ---------------------------------------------------------------------------------------------

// The reference file: named records of integers or double bit patterns (format documented in
// numpy_random_reference.py).
class Reference {
 public:
  explicit Reference(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open numpy reference file '" + path + "'");
    std::string magic;
    int version = 0;
    std::string numpy_version;
    in >> magic >> version >> numpy_version;
    if (magic != "dnmf-numpy-random-reference" || version != 1) {
      throw std::runtime_error("'" + path + "' is not a version-1 numpy reference file");
    }
    numpy_version_ = numpy_version;
    std::string name;
    while (in >> name) {
      if (name == "end") return;
      Record rec;
      std::size_t count = 0;
      if (!(in >> rec.type >> count)) break;
      rec.tokens.resize(count);
      for (std::string& tok : rec.tokens) {
        if (!(in >> tok)) throw std::runtime_error("truncated record '" + name + "'");
      }
      records_[name] = std::move(rec);
    }
    throw std::runtime_error("numpy reference file '" + path + "' has no end marker");
  }

  const std::string& numpy_version() const { return numpy_version_; }

  std::vector<double> f64(const std::string& name) const {
    std::vector<double> out;
    for (const std::string& tok : get(name, "f64")) {
      out.push_back(double_from_bits(std::stoull(tok, nullptr, 16)));
    }
    return out;
  }

  std::vector<std::uint64_t> u64(const std::string& name) const {
    std::vector<std::uint64_t> out;
    for (const std::string& tok : get(name, "")) out.push_back(std::stoull(tok));
    return out;
  }

  std::vector<std::int64_t> i64(const std::string& name) const {
    std::vector<std::int64_t> out;
    for (const std::string& tok : get(name, "i64")) out.push_back(std::stoll(tok));
    return out;
  }

  // numpy's get_state() as written by Writer.state() in the script.
  NumpyRandomState::State state(const std::string& name) const {
    NumpyRandomState::State s;
    const std::vector<std::uint64_t> key = u64(name + ".key");
    if (key.size() != s.key.size()) throw std::runtime_error("bad key size in '" + name + "'");
    for (std::size_t i = 0; i < key.size(); ++i) s.key[i] = static_cast<std::uint32_t>(key[i]);
    s.pos = static_cast<std::uint32_t>(i64(name + ".pos").at(0));
    s.has_gauss = i64(name + ".has_gauss").at(0) != 0;
    s.gauss = f64(name + ".gauss").at(0);
    return s;
  }

 private:
  struct Record {
    std::string type;
    std::vector<std::string> tokens;
  };

  // Empty `type` accepts any integer record.
  const std::vector<std::string>& get(const std::string& name, const std::string& type) const {
    const auto it = records_.find(name);
    if (it == records_.end()) throw std::runtime_error("no record '" + name + "' in reference");
    const bool type_ok = type.empty() ? it->second.type != "f64" : it->second.type == type;
    if (!type_ok) {
      throw std::runtime_error("record '" + name + "' has type " + it->second.type);
    }
    return it->second.tokens;
  }

  std::string numpy_version_;
  std::map<std::string, Record> records_;
};

// Loaded once per process. Returns nullptr (and sets *why) when it is not available.
const Reference* load_reference(std::string* why) {
  static std::string error;
  static const std::unique_ptr<Reference> reference = []() -> std::unique_ptr<Reference> {
    const char* path = std::getenv("DNMF_NUMPY_REFERENCE");
    if (path == nullptr || *path == '\0') {
      error = "DNMF_NUMPY_REFERENCE is not set";
      return nullptr;
    }
    try {
      return std::make_unique<Reference>(path);
    } catch (const std::exception& e) {
      error = e.what();
      return nullptr;
    }
  }();
  *why = error;
  return reference.get();
}

class NumpyReference : public testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ref_ = load_reference(&why);
    if (ref_ != nullptr) return;
    // Unset variable: the test is run outside CTest's fixture, skip. Set but unusable: fail.
    if (std::getenv("DNMF_NUMPY_REFERENCE") == nullptr) GTEST_SKIP() << why;
    FAIL() << why;
  }
  const Reference* ref_ = nullptr;
};

class NumpyReferenceSeed : public NumpyReference,
                           public testing::WithParamInterface<std::uint32_t> {
 protected:
  std::string key(const std::string& what) const {
    return "s" + std::to_string(GetParam()) + "." + what;
  }
};

TEST_F(NumpyReference, CoversTheCompiledInSeeds) {
  EXPECT_TRUE(same_integers(ref_->u64("seeds"), kSeeds));
  RecordProperty("numpy_version", ref_->numpy_version());
}

TEST_P(NumpyReferenceSeed, RawWords) {
  NumpyRandomState rs(GetParam());
  const std::vector<std::uint64_t> expected = ref_->u64(key("raw"));
  std::vector<std::uint32_t> actual(expected.size());
  for (std::uint32_t& w : actual) w = rs.next_u32();
  EXPECT_TRUE(same_integers(actual, expected));
}

TEST_P(NumpyReferenceSeed, RandomSample) {
  NumpyRandomState rs(GetParam());
  const std::vector<double> expected = ref_->f64(key("uniform"));
  std::vector<double> actual(expected.size());
  for (double& u : actual) u = rs.random_double();
  EXPECT_TRUE(same_doubles(actual, expected));
}

TEST_P(NumpyReferenceSeed, StandardNormalAndFinalState) {
  NumpyRandomState rs(GetParam());
  const std::vector<double> expected = ref_->f64(key("normal"));
  EXPECT_TRUE(same_doubles(draw_normals(rs, expected.size()), expected));
  EXPECT_EQ(rs.state(), ref_->state(key("normal.after")));
}

TEST_P(NumpyReferenceSeed, NormalCacheSurvivesPermutation) {
  NumpyRandomState rs(GetParam());
  const std::vector<double> n1 = ref_->f64(key("inter.n1"));
  const std::vector<std::int64_t> perm = ref_->i64(key("inter.perm"));
  const std::vector<double> n2 = ref_->f64(key("inter.n2"));
  EXPECT_TRUE(same_doubles(draw_normals(rs, n1.size()), n1));
  EXPECT_TRUE(same_integers(rs.permutation(static_cast<std::int64_t>(perm.size())), perm));
  EXPECT_TRUE(same_doubles(draw_normals(rs, n2.size()), n2));
  EXPECT_EQ(rs.state(), ref_->state(key("inter.after")));
}

TEST_P(NumpyReferenceSeed, Permutation) {
  for (std::int64_t k : ref_->i64("perm_sizes")) {
    NumpyRandomState rs(GetParam());
    EXPECT_TRUE(same_integers(rs.permutation(k), ref_->i64(key("perm" + std::to_string(k)))))
        << "k = " << k;
  }
}

TEST_P(NumpyReferenceSeed, ConsecutivePermutations) {
  const std::vector<std::int64_t> expected = ref_->i64(key("perm_chain"));
  constexpr std::int64_t kSize = 7;
  NumpyRandomState rs(GetParam());
  std::vector<std::int64_t> actual;
  while (actual.size() < expected.size()) {
    const std::vector<std::int64_t> perm = rs.permutation(kSize);
    actual.insert(actual.end(), perm.begin(), perm.end());
  }
  EXPECT_TRUE(same_integers(actual, expected));
}

TEST_P(NumpyReferenceSeed, RandomInterval) {
  for (std::uint64_t max : ref_->u64("interval_maxes")) {
    const std::vector<std::uint64_t> expected = ref_->u64(key("interval" + std::to_string(max)));
    NumpyRandomState rs(GetParam());
    std::vector<std::uint64_t> actual(expected.size());
    for (std::uint64_t& v : actual) v = rs.random_interval(max);
    EXPECT_TRUE(same_integers(actual, expected)) << "max = " << max;
  }
}

// sklearn's init='random' draws H (k x p) and then W (n x k) from one stream (spec §3.2).
TEST_P(NumpyReferenceSeed, SklearnRandomInitDraws) {
  const std::vector<std::int64_t> shape = ref_->i64("sklearn_shape");
  const auto k = static_cast<std::size_t>(shape.at(0));
  const auto n_features = static_cast<std::size_t>(shape.at(1));
  const auto n_samples = static_cast<std::size_t>(shape.at(2));
  NumpyRandomState rs(GetParam());
  EXPECT_TRUE(same_doubles(draw_normals(rs, k * n_features), ref_->f64(key("sklearn.H"))));
  EXPECT_TRUE(same_doubles(draw_normals(rs, n_samples * k), ref_->f64(key("sklearn.W"))));
}

TEST_P(NumpyReferenceSeed, ResumesFromNumpyState) {
  NumpyRandomState rs(ref_->state(key("resume")));
  EXPECT_TRUE(same_doubles(draw_normals(rs, 5), ref_->f64(key("resume.normal"))));
  std::vector<std::uint32_t> raw(5);
  for (std::uint32_t& w : raw) w = rs.next_u32();
  EXPECT_TRUE(same_integers(raw, ref_->u64(key("resume.raw"))));

  // The same point reached by drawing from the seed, and by skipping to it.
  NumpyRandomState drawn(GetParam());
  draw_normals(drawn, 627);
  EXPECT_EQ(drawn.state(), ref_->state(key("resume")));
  NumpyRandomState skipped(GetParam());
  skipped.discard_normals(627);
  EXPECT_EQ(skipped.state(), ref_->state(key("resume")));
}

INSTANTIATE_TEST_SUITE_P(Seeds, NumpyReferenceSeed, testing::ValuesIn(kSeeds),
                         [](const testing::TestParamInfo<std::uint32_t>& param_info) {
                           return "seed_" + std::to_string(param_info.param);
                         });

}  // namespace
