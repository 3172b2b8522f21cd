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

/// The grid with pr * pc == p that moves the fewest words per iteration (ties: more rows).
GridShape choose_grid(std::int64_t m, std::int64_t n, std::int64_t k, int p);

/// Parses "PRxPC"; throws UsageError naming `option` when malformed.
GridShape parse_grid(const std::string& text, const std::string& option);

}  // namespace dnmf
