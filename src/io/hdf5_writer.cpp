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

AtomicFileWriter::AtomicFileWriter(const mpi::Comm& comm, std::string target, bool keep_previous,
                                   std::int64_t data_bytes)
    : comm_(comm), target_(std::move(target)), keep_previous_(keep_previous) {
  h5::quiet();
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
    if (data_bytes > 0) claim_space(temp_ + ".space", target_, data_bytes + hdf5_overhead_bytes);
  });
  comm_.bcast(temp_, 0);
  h5::PropList fapl(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_fapl_mpio(fapl.get(), comm_.get(), MPI_INFO_NULL);
  const hid_t f = H5Fcreate(temp_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  if (f < 0) throw IoError("cannot create '" + temp_ + "' next to '" + target_ + "'");
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
  h5::Group g(
      H5Gcreate2(static_cast<hid_t>(file_), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!g.ok()) throw IoError("cannot create group '" + name + "' in '" + temp_ + "'");
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
