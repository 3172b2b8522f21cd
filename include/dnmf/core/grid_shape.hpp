#pragma once
/// @file Choosing the PR x PC process grid. MPI-free, so it can be used to plan runs for any P.

#include <cstdint>
#include <string>

namespace dnmf {

/// A PR x PC process grid shape; rank r sits at grid row r / pc, grid column r % pc.
struct GridShape {
  int pr = 1;
  int pc = 1;
  int size() const { return pr * pc; }
  std::string str() const { return std::to_string(pr) + "x" + std::to_string(pc); }
};

/// Words (matrix entries) one rank sends or receives per alternating iteration with the
/// MPI-FAUN schedule for an m x n matrix and rank k: the all-gather and reduce-scatter of W
/// within a grid row and of H within a grid column, plus the two k x k Gram all-reduces.
double words_per_iteration(std::int64_t m, std::int64_t n, std::int64_t k, GridShape g);

/// How much slower moving a byte between ranks is taken to be than reading one from memory
/// (e.g. 5 GB/s of network per core against 20 GB/s of memory bandwidth): the weight of the
/// communicated bytes against the passes over X in iteration_cost.
constexpr double kNetworkPerMemoryByte = 4.0;

/// What one iteration on grid g costs, in bytes of memory traffic: the words moved (8 bytes
/// each, weighted by kNetworkPerMemoryByte) plus the passes over the rank's block of X, of
/// `x_bytes` in total: one pass when `one_pass` and ranks hold whole rows (g.pc == 1,
/// DistProducts::one_pass), else two.
double iteration_cost(std::int64_t m, std::int64_t n, std::int64_t k, GridShape g, double x_bytes,
                      bool one_pass);

/// The grid with pr * pc == p of least iteration_cost (ties: more rows). With x_bytes = 0 that
/// is the grid moving the fewest words.
GridShape choose_grid(std::int64_t m, std::int64_t n, std::int64_t k, int p, double x_bytes = 0,
                      bool one_pass = false);

/// Parses "PRxPC"; throws UsageError naming `option` when malformed.
GridShape parse_grid(const std::string& text, const std::string& option);

}  // namespace dnmf
