#pragma once
/// @file Reading a sparse HDF5 group (CSR or CSC) into X's 2-D blocks.

#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/io/hdf5.hpp"

namespace dnmf::io {

/// Collective over x's grid. Every byte of the file is read once in total:
///   CSR: the pc ranks of grid row i split R_i's rows; each reads its slice of indptr, then the
///        matching indices and data, and sends every entry to the rank of its grid row that
///        owns the entry's column block (all-to-all within the row communicator);
///   CSC: the mirror image, by columns within grid columns.
/// The structure is validated on the way (indptr starting at 0, monotone, ending at nnz;
/// indices in range), agreed on every rank: InputError naming the group and the problem.
/// Duplicate entries are summed; each local row ends up sorted by column.
template <typename T>
void read_sparse(const DatasetInfo& info, DistMatrix<T>& x);

/// Stored entries in each block of a pr x pc grid (rank order), read by streaming the file on
/// one process (for `dnmf info`).
std::vector<std::int64_t> sparse_block_counts(const DatasetInfo& info, int pr, int pc);

}  // namespace dnmf::io
