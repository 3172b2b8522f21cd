#pragma once
// Missing entries of X (issue #16): which entries are observed, read next to X and kept as a
// byte per entry of a rank's dense block, or as "the stored entries" of a sparse block.
#include <string>

#include "dnmf/app/config.hpp"
#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/io/hdf5.hpp"

namespace dnmf::app {

/// Applies `--missing` / `--mask` to X just read: NaN entries (dense X, or stored values of
/// sparse X, which then move to DistMatrix::holes()) become missing, the unstored entries of
/// sparse X become unknown, and a mask (a dense dataset or a sparse group of X's shape, nonzero
/// = observed) hides the rest. Dense X keeps a byte per entry of its block, its missing entries
/// set to 0 (their value is never read). Sparse X with a mask keeps the mask's observed entries
/// as its stored ones (X's value there, or an observed 0; with --missing unstored only those X
/// stores), so the cost follows the observed count. A mask that hides nothing is dropped, so
/// that the fit takes today's path bit for bit. Refused: --missing unstored on dense X
/// (UsageError, exit 2); a mask of another shape than X, and a row (with `check_columns` also a
/// column) of X without any observed entry (InputError, exit 3). Collective.
template <typename T>
void apply_missing(const MissingSpec& spec, const io::DatasetInfo& xinfo, DistMatrix<T>& x,
                   bool check_columns);

/// InputError unless every row of X (and with `check_columns` every column) has an observed
/// entry under x's current mask (`where` names X in the message). Collective.
template <typename T>
void check_coverage(DistMatrix<T>& x, const std::string& where, bool check_columns);

/// The largest number of bytes the mask needs on one rank for X's plan (dense X: one byte per
/// entry of the block; sparse X: none, its observed entries replace the stored ones).
std::int64_t mask_bytes_per_rank(const MissingSpec& spec, const io::DatasetInfo& xinfo,
                                 std::int64_t block_entries);

}  // namespace dnmf::app
