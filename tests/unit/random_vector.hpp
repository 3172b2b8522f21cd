#pragma once
// Inputs for the unit tests of local kernels: uniform [0, 1) values from a fixed seed.

#include <cstddef>
#include <random>
#include <vector>

namespace dnmf::la {

inline std::vector<double> random_vector(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = u(gen);
  return v;
}

}  // namespace dnmf::la
