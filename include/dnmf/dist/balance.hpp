#pragma once
/// @file Balancing X's blocks by stored entries. A sparse matrix with skewed row or column
/// lengths split by row counts leaves one rank with most of the work; these functions cut each
/// dimension into contiguous blocks of about equal entry counts instead. Everything is computed
/// from slices: no rank ever holds a per-row or per-column array of the whole matrix.

#include <cstdint>
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

/// max / mean of the per-rank counts (1 = perfect balance; 0 counts in total give 1).
double imbalance(const mpi::Comm& comm, std::int64_t local_count);

}  // namespace dnmf
