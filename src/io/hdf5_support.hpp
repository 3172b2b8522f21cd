#pragma once
/// @file Private to io/: what the HDF5 readers and writers share.

#include <cstdint>
#include <string>
#include <type_traits>

#include "hdf5_handle.hpp"

#ifndef H5_HAVE_PARALLEL
#error "dnmf needs the parallel (MPI) build of HDF5"
#endif

namespace dnmf::io::h5 {

/// Silences HDF5's own error stack printing once; we report errors ourselves.
void quiet();

/// The HDF5 memory type of T.
template <typename T>
hid_t native_type() {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float> ||
                std::is_same_v<T, std::int64_t>);
  if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
  return H5T_NATIVE_INT64;
}

/// True when every component of `object` exists as a link in the file.
bool object_exists(hid_t file, const std::string& object);

/// IoError unless `file` exists, is a readable regular file and is HDF5.
void check_readable_file(const std::string& file);

/// A string attribute of `obj` (fixed or variable length), or "" when absent.
std::string string_attribute(hid_t obj, const char* name);

/// Selects this rank's part of a collective transfer: the box of `count` at `start` in
/// `file_space` (`mem_space` is that box), or nothing in either when the box is empty, since
/// every rank must take part in a collective read or write, some with nothing to move.
void select_part(hid_t file_space, hid_t mem_space, int ndims, const hsize_t* start,
                 const hsize_t* count);

/// Sets the MPI-IO file access on `fapl` for `comm`, with a 4 MiB collective buffer per
/// aggregator (the "cb_buffer_size" hint) instead of Open MPI's 32 MiB: that buffer sits on
/// the aggregator ranks only (rank 0 first), which made rank 0 the largest rank by 24 MiB.
/// DNMF_CB_BUFFER_SIZE (bytes) overrides it.
void set_mpio_access(hid_t fapl, MPI_Comm comm);

}  // namespace dnmf::io::h5
