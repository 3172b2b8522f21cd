// The atomic writer: a file written collectively under a temporary name in the target's folder
// and renamed over the target only on commit. Its datasets are written in hdf5_dense.cpp, its
// attributes in hdf5_attributes.cpp.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "dnmf/io/disk_space.hpp"
#include "dnmf/io/hdf5.hpp"
#include "hdf5_support.hpp"

namespace dnmf::io {
namespace fs = std::filesystem;

bool file_has_object(const std::string& file, const std::string& object) {
  h5::quiet();
  std::error_code ec;
  if (!fs::exists(file, ec)) return false;
  h5::check_readable_file(file);
  h5::File f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.ok()) throw IoError("cannot open '" + file + "' as HDF5");
  return h5::object_exists(f.get(), object);
}

AtomicFileWriter::AtomicFileWriter(const mpi::Comm& comm, std::string target, bool keep_previous,
                                   std::int64_t data_bytes, Start start)
    : comm_(comm), target_(std::move(target)), keep_previous_(keep_previous) {
  h5::quiet();
  std::int64_t copied = 0;
  mpi::agree(comm_, [&] {
    if (comm_.rank() != 0) return;
    const fs::path t(target_);
    const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      throw IoError("cannot write '" + target_ + "': folder '" + dir.string() + "' does not exist");
    }
    if (fs::is_directory(t, ec)) throw IoError("cannot write '" + target_ + "': it is a directory");
    if (::access(dir.c_str(), W_OK) != 0) {
      throw IoError("cannot write '" + target_ + "': folder '" + dir.string() +
                    "' is not writable");
    }
    temp_ = (dir / ("." + t.filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
    std::int64_t existing = 0;
    copied = start == Start::copy_of_target && fs::exists(t, ec) ? 1 : 0;
    if (copied) {
      // Its other objects must survive: only an HDF5 file can be added to.
      h5::check_readable_file(target_);
      existing = static_cast<std::int64_t>(fs::file_size(t, ec));
      if (ec) throw IoError("cannot read the size of '" + target_ + "': " + ec.message());
    }
    if (data_bytes > 0) {  // the copy takes room too
      claim_space(temp_ + ".space", target_, data_bytes + existing + hdf5_overhead_bytes);
    }
    if (copied) {
      fs::copy_file(t, temp_, fs::copy_options::overwrite_existing, ec);
      if (ec) {
        std::remove(temp_.c_str());
        throw IoError("cannot copy '" + target_ + "' to '" + temp_ + "': " + ec.message() +
                      (ec == std::errc::no_space_on_device ? " (disk full?)" : ""));
      }
    }
  });
  comm_.bcast(temp_, 0);
  comm_.bcast(&copied, 1, 0);
  h5::PropList fapl(H5Pcreate(H5P_FILE_ACCESS));
  h5::set_mpio_access(fapl.get(), comm_.get());
  const hid_t f = copied ? H5Fopen(temp_.c_str(), H5F_ACC_RDWR, fapl.get())
                         : H5Fcreate(temp_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  if (f < 0) {
    // H5Fopen / H5Fcreate are collective: every rank fails alike.
    if (copied && comm_.rank() == 0) std::remove(temp_.c_str());
    throw IoError("cannot " + std::string(copied ? "open the copy '" : "create '") + temp_ +
                  "' next to '" + target_ + "'");
  }
  file_ = f;
}

AtomicFileWriter::~AtomicFileWriter() {
  if (committed_) return;
  close();
  if (comm_.rank() == 0 && !temp_.empty()) std::remove(temp_.c_str());
}

void AtomicFileWriter::close() {
  if (file_ >= 0) {
    H5Fclose(static_cast<hid_t>(file_));
    file_ = -1;
  }
}

void AtomicFileWriter::create_group(const std::string& name) {
  h5::PropList lcpl(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(lcpl.get(), 1);  // file.h5:/data/M creates /data
  h5::Group g(
      H5Gcreate2(static_cast<hid_t>(file_), name.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!g.ok()) throw IoError("cannot create group '" + name + "' in '" + temp_ + "'");
}

bool AtomicFileWriter::has_object(const std::string& name) const {
  return h5::object_exists(static_cast<hid_t>(file_), name);
}

void AtomicFileWriter::remove_object(const std::string& name) {
  if (H5Ldelete(static_cast<hid_t>(file_), name.c_str(), H5P_DEFAULT) < 0) {
    throw IoError("cannot remove '" + name + "' from '" + temp_ + "'");
  }
}

void AtomicFileWriter::commit() {
  close();
  comm_.barrier();
  mpi::agree(comm_, [&] {
    if (comm_.rank() != 0) return;
    // Flush the data to stable storage before the rename makes the file visible.
    const int fd = ::open(temp_.c_str(), O_RDONLY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
    std::error_code ec;
    if (keep_previous_ && fs::exists(target_, ec)) {
      fs::rename(target_, target_ + ".prev", ec);
      if (ec) throw IoError("cannot keep the previous '" + target_ + "': " + ec.message());
    }
    fs::rename(temp_, target_, ec);
    if (ec) throw IoError("cannot rename '" + temp_ + "' to '" + target_ + "': " + ec.message());
  });
  committed_ = true;
}

}  // namespace dnmf::io
