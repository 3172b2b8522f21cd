#pragma once
/// @file Balancing X's blocks by stored entries. A sparse matrix with skewed row or column
/// lengths split by row counts leaves one rank with most of the work; these functions cut each
/// dimension into contiguous blocks of about equal entry counts instead. Everything is computed
/// from slices: no rank ever holds a per-row or per-column array of the whole matrix.

#include <cstdint>
#include <functional>
#include <vector>

#include "dnmf/core/partition.hpp"
#include "dnmf/mpi/comm.hpp"

namespace dnmf {

/// My slice of n items when `comm` shares them out evenly: block_range(n, size, rank).
Range my_slice(const mpi::Comm& comm, std::int64_t n);

/// Cuts n items into `parts` contiguous blocks of about equal total weight. For bound b (0 < b <
/// parts), the target is b/parts of the total; item i is the first whose prefix through it
/// reaches the target; the bound goes after item i when that prefix is strictly nearer to the
/// target than the prefix before it, else before item i. `slice_weights` are the weights of
/// my_slice(comm, n). All weights zero: the uniform split. Collective; every rank gets the same
/// Axis.
///   weights {5, 1, 1, 1, 1, 1}, parts 2: total 10, target 5 -> bounds {0, 1, 6}
Axis balanced_axis(const mpi::Comm& comm, std::int64_t n, int parts,
                   const std::vector<std::int64_t>& slice_weights);

/// How often each item of my_slice(comm, n) occurs in all ranks' `items` (each in [0, n)).
/// Memory stays proportional to the local list: it is sorted and sent as (item, count) runs.
/// Collective.
std::vector<std::int64_t> count_into_slices(const mpi::Comm& comm, std::int64_t n,
                                            std::vector<std::int64_t> items);

/// The summed weights of the items of my_slice(comm, n), from (item, weight) pairs that any rank
/// holds (stored flat: item, weight, item, weight, ...). Collective.
std::vector<std::int64_t> add_into_slices(const mpi::Comm& comm, std::int64_t n,
                                          const std::vector<std::int64_t>& pairs);

/// The cuts of a sparse matrix's major dimension (CSR rows, CSC columns) and minor dimension.
struct SparseCuts {
  Axis major, minor;
  double imbalance = 1;  ///< largest block's stored entries over the mean
};

/// What choose_cuts needs to know of the entries this rank holds, for given permutations:
///   line_weights(pm): flat (position, length) pairs of my major lines, position = pm(line);
///   minor_weights(pn): the entry counts of my_slice(comm, minor) of minor positions pn(index),
///                      summed over all ranks (collective);
///   block_counts(major, minor): my entries in each block, rank order of a grid whose rows
///                      follow the major cuts (for CSC the caller maps back: the vector is
///                      indexed major block * minor parts + minor block).
struct EntryCounts {
  std::function<std::vector<std::int64_t>(const Permutation&)> line_weights;
  std::function<std::vector<std::int64_t>(const Permutation&)> minor_weights;
  std::function<std::vector<std::int64_t>(const Axis&, const Axis&)> block_counts;
};

/// Cuts both dimensions into blocks of about equal stored entries. Contiguous cuts come first;
/// when they leave the largest block more than 5% above the mean (e.g. a block-diagonal matrix,
/// whose off-diagonal blocks stay empty however the cuts move), rows and columns are also
/// scattered by fixed-seed permutations, which is kept when it balances better. The outcome
/// depends only on the matrix and the grid, never on which rank read what. Collective.
SparseCuts choose_cuts(const mpi::Comm& comm, std::int64_t major, std::int64_t minor,
                       int major_parts, int minor_parts, const EntryCounts& counts);

/// max / mean of the per-rank counts (1 = perfect balance; 0 counts in total give 1).
double imbalance(const mpi::Comm& comm, std::int64_t local_count);

}  // namespace dnmf
