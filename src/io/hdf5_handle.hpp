#pragma once
/// @file Private to io/ (and the fuzz targets): an HDF5 identifier that closes itself.

#include <hdf5.h>

#include <utility>

namespace dnmf::io::h5 {

/// Owns one HDF5 identifier and releases it with `Close`, the H5*close of its kind, when it
/// leaves scope. A negative identifier (what a failed H5*open or H5*create returns) owns nothing,
/// so a handle can be made straight from the call and tested with ok(). Movable, not copyable.
template <herr_t (*Close)(hid_t)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) noexcept : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }
  /// Closes what it holds and takes `id` instead.
  void reset(hid_t id = -1) noexcept {
    if (id_ >= 0) Close(id_);
    id_ = id;
  }
  /// Gives up ownership: the caller closes the identifier.
  hid_t release() noexcept { return std::exchange(id_, -1); }

 private:
  hid_t id_ = -1;
};

using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Dataspace = Handle<H5Sclose>;
using Datatype = Handle<H5Tclose>;
using Attr = Handle<H5Aclose>;
using PropList = Handle<H5Pclose>;
using Object = Handle<H5Oclose>;  ///< from H5Oopen: a group, dataset or named datatype

}  // namespace dnmf::io::h5
