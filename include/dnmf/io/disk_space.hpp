#pragma once
/// @file Making sure an output fits before any rank writes it. Parallel HDF5 reports a full disk
/// unreliably: a failed write inside H5Fclose's metadata flush leaves the ranks in different
/// collectives (a hang on 3 or more ranks). So a writer first claims the space the file will need
/// with a real allocation, and all ranks agree on the answer before the file is created.

#include <cstdint>
#include <string>

namespace dnmf::io {

/// HDF5's own bytes for a file of a few datasets and attributes, added to the data's bytes.
inline constexpr std::int64_t hdf5_overhead_bytes = std::int64_t{1} << 20;

/// Allocates `bytes` in a scratch file `scratch` (which must not exist) and removes it again.
/// Throws IoError naming `target` and the sizes when the file system cannot provide them
/// ("disk full?" on ENOSPC or EDQUOT). Called by one rank; the caller agrees on the outcome.
/// File systems that cannot preallocate (EOPNOTSUPP) are checked by statvfs instead.
void claim_space(const std::string& scratch, const std::string& target, std::int64_t bytes);

}  // namespace dnmf::io
