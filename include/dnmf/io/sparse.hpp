#pragma once
/// @file Reading a sparse HDF5 group (CSR or CSC) into X's 2-D blocks.

#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/io/hdf5.hpp"

namespace dnmf::io {

/// X on `grid`, with rows and columns cut into blocks of about equal stored-entry counts
/// (dist/balance.hpp), so that a skewed matrix does not leave one rank most of the work.
/// Collective over grid.all(). Every byte of the file is read once in total: the major lines
/// (CSR rows, CSC columns) are shared out evenly over all ranks; each reads its slice of indptr,
/// then the matching indices and data, and sends every entry to the rank owning its row and
/// column blocks (one all-to-all). The structure is validated on the way (indptr starting at 0,
/// monotone, ending at nnz; indices in range), agreed on every rank: InputError naming the group
/// and the problem. Duplicate entries are summed; each local row ends up sorted by column.
template <typename T>
DistMatrix<T> read_sparse(const DatasetInfo& info, const ProcessGrid& grid);

/// The entries of a matrix of X's shape on X's layout (its axes `rows` and `cols`, which may
/// be permuted): my block's part as a block-local CSR, rows sorted by column, duplicates summed.
/// A sparse group gives its stored entries, a dense dataset its nonzero ones (read in row
/// slices of about 2^20 entries, so memory is the entries kept, not the dataset). For masks
/// (app/missing.hpp). Collective over grid.all(); InputError/IoError as read_sparse.
template <typename T>
Csr<T> read_entries_on(const DatasetInfo& info, const ProcessGrid& grid, const Axis& rows,
                       const Axis& cols);

/// The blocks read_sparse would make on a pr x pc grid, and the stored entries of each block
/// (rank order). Streams the file on one process (for `dnmf info`); memory O(rows + cols).
struct SparseLayout {
  Axis rows, cols;
  std::vector<std::int64_t> block_nnz;
};
SparseLayout sparse_layout(const DatasetInfo& info, int pr, int pc);

}  // namespace dnmf::io
