// The two machine rates that bound an NMF iteration from below, measured with every rank at work
// at once (as dnmf runs), printed by rank 0 as one JSON line:
//   - peak_flops_f64 / peak_flops_f32: each rank's peak fused multiply-add rate on the widest
//     vectors its CPU has (la::measure_peak_flops: register-only independent FMA chains);
//   - read_bytes_per_s: each rank's share of the read bandwidth, every rank streaming through
//     its own array (far larger than any cache) at the same time, best of several passes.
// scripts/bench/compare.py turns them into the floor of an iteration:
//   max(bytes of X per rank / read rate, flops per rank / peak).
// Run: mpirun -n RANKS build/bin/dnmf_machine_floor [--mib 512] [--seconds 0.5]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "dnmf/la/simd_products.hpp"
#include "dnmf/mpi/comm.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// One pass of reads over `a`; integer sums may be reordered, so the compiler vectorises them and
// the loop is bound by the loads alone.
std::uint64_t read_pass(const std::vector<std::uint64_t>& a) {
  std::uint64_t s = 0;
  for (std::uint64_t v : a) s += v;
  return s;
}

std::string json_list(const std::vector<double>& v) {
  std::string out = "[";
  char buf[64];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.6g", i ? ", " : "", v[i]);
    out += buf;
  }
  return out + "]";
}

}  // namespace

int main(int argc, char** argv) {
  dnmf::mpi::Environment env(argc, argv);
  const dnmf::mpi::Comm world = env.world();
  double mib = 512, seconds = 0.5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--mib") == 0) mib = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
  }
  namespace la = dnmf::la;
  const la::SimdPath path = la::best_simd_path();

  world.barrier();
  const double f64 = la::measure_peak_flops<double>(path, seconds);
  world.barrier();
  const double f32 = la::measure_peak_flops<float>(path, seconds);

  const auto words = static_cast<std::size_t>(mib * (1 << 20) / sizeof(std::uint64_t));
  std::vector<std::uint64_t> a(words);
  for (std::size_t i = 0; i < words; ++i) a[i] = i;  // touch every page before timing
  double best = 0;
  std::uint64_t sink = 0;
  for (int pass = 0; pass < 5; ++pass) {
    world.barrier();  // every rank reads at the same time
    const auto t0 = Clock::now();
    sink += read_pass(a);
    const double dt = seconds_since(t0);
    best = std::max(best, static_cast<double>(words * sizeof(std::uint64_t)) / dt);
  }

  const int p = world.size();
  std::vector<double> mine = {f64, f32, best}, all(static_cast<std::size_t>(3 * p), 0.0);
  std::copy(mine.begin(), mine.end(), all.begin() + 3 * world.rank());
  world.allreduce_sum(all.data(), static_cast<std::int64_t>(all.size()));
  if (world.rank() == 0) {
    std::vector<double> pf64, pf32, bw;
    for (int r = 0; r < p; ++r) {
      pf64.push_back(all[3 * r]);
      pf32.push_back(all[3 * r + 1]);
      bw.push_back(all[3 * r + 2]);
    }
    std::printf(
        "{\"ranks\": %d, \"simd_path\": \"%s\", \"peak_flops_f64\": %s, \"peak_flops_f32\": %s, "
        "\"read_bytes_per_s\": %s, \"read_mib_per_rank\": %g, \"checksum\": %llu}\n",
        p, la::to_string(path), json_list(pf64).c_str(), json_list(pf32).c_str(),
        json_list(bw).c_str(), mib, static_cast<unsigned long long>(sink % 1000));
  }
  return 0;
}
