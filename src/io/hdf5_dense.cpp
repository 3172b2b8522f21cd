// Dense I/O: collective hyperslab reads and writes of 2-D blocks and 1-D ranges, and the small
// string lists (feature names) read on rank 0 and written by rank 0.
#include <algorithm>
#include <type_traits>

#include "dnmf/io/hdf5.hpp"
#include "hdf5_support.hpp"

namespace dnmf::io {
namespace {

/// Whether `dset` is contiguous with no storage in the file (created, never written): HDF5 then
/// returns its fill value for every element. It is read from the dataset's metadata, so every
/// rank that opened the file gets the same answer.
bool unallocated_contiguous(hid_t dset) {
  h5::PropList dcpl(H5Dget_create_plist(dset));
  if (H5Pget_layout(dcpl.get()) != H5D_CONTIGUOUS || H5Pget_external_count(dcpl.get()) != 0) {
    return false;  // external files hold data although the HDF5 file has no storage for it
  }
  H5D_space_status_t status = H5D_SPACE_STATUS_ERROR;
  return H5Dget_space_status(dset, &status) >= 0 && status == H5D_SPACE_STATUS_NOT_ALLOCATED;
}

}  // namespace

template <typename T>
void read_block(const mpi::Comm& comm, const ObjectPath& path, Range rows, Range cols,
                Matrix<T>& out) {
  h5::quiet();
  out.resize(rows.size, cols.size);
  h5::PropList fapl(H5Pcreate(H5P_FILE_ACCESS));
  h5::set_mpio_access(fapl.get(), comm.get());
  h5::File file(H5Fopen(path.file.c_str(), H5F_ACC_RDONLY, fapl.get()));
  // H5Fopen is collective: every rank sees the same failure.
  if (!file.ok()) throw IoError("cannot open '" + path.file + "' for a parallel read");
  h5::Dataset dset(H5Dopen2(file.get(), path.object.c_str(), H5P_DEFAULT));
  if (!dset.ok()) throw InputError("cannot open dataset '" + path.str() + "'");
  // A contiguous dataset that was never written has no storage: HDF5 1.10 fills a non-empty
  // selection with the fill value without any I/O, but sends an empty one down the collective
  // I/O path, where it fails (one process) or waits for ranks that never come (several). Every
  // rank sees the same metadata, so all take this branch together and fill their own block.
  if (unallocated_contiguous(dset.get())) {
    h5::PropList dcpl(H5Dget_create_plist(dset.get()));
    T fill = 0;
    const bool ok = H5Pget_fill_value(dcpl.get(), h5::native_type<T>(), &fill) >= 0;
    if (ok) std::fill(out.data(), out.data() + out.size(), fill);
    mpi::raise_if_any(
        comm, ok ? std::exception_ptr()
                 : std::make_exception_ptr(InputError(
                       "'" + path.str() + "' was never written and has no fill value: no data")));
    return;
  }
  h5::Dataspace filespace(H5Dget_space(dset.get()));
  const hsize_t mdims[2] = {static_cast<hsize_t>(rows.size), static_cast<hsize_t>(cols.size)};
  h5::Dataspace memspace(H5Screate_simple(2, mdims, nullptr));
  const hsize_t start[2] = {static_cast<hsize_t>(rows.begin), static_cast<hsize_t>(cols.begin)};
  h5::select_part(filespace.get(), memspace.get(), 2, start, mdims);
  h5::PropList dxpl(H5Pcreate(H5P_DATASET_XFER));
  H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE);
  const herr_t rc = H5Dread(dset.get(), h5::native_type<T>(), memspace.get(), filespace.get(),
                            dxpl.get(), out.data());
  // A failed collective read (e.g. a truncated file) fails on every rank that touched it; agree
  // so that all ranks leave together.
  mpi::raise_if_any(comm, rc < 0 ? std::make_exception_ptr(IoError("cannot read '" + path.str() +
                                                                   "' (truncated file?)"))
                                 : std::exception_ptr());
}

template <typename T>
void read_block_in_slices(const mpi::Comm& comm, const ObjectPath& path, Range rows, Range cols,
                          const std::function<void(std::int64_t, const Matrix<T>&)>& use,
                          std::int64_t max_entries) {
  const std::int64_t slice =
      std::max<std::int64_t>(1, max_entries / std::max<std::int64_t>(1, cols.size));
  const std::int64_t calls = comm.allreduce_max((rows.size + slice - 1) / slice);
  Matrix<T> part;
  for (std::int64_t c = 0; c < calls; ++c) {
    const std::int64_t r0 = std::min(rows.size, c * slice);
    const std::int64_t nr = std::min(slice, rows.size - r0);
    read_block(comm, path, Range{rows.begin + r0, nr}, cols, part);
    use(r0, part);
  }
}

template void read_block<double>(const mpi::Comm&, const ObjectPath&, Range, Range,
                                 Matrix<double>&);
template void read_block<float>(const mpi::Comm&, const ObjectPath&, Range, Range, Matrix<float>&);

std::vector<std::string> read_strings(const mpi::Comm& comm, const ObjectPath& path) {
  std::vector<std::string> values;
  std::string joined;
  mpi::agree(comm, [&] {
    if (comm.rank() != 0) return;
    h5::quiet();
    h5::check_readable_file(path.file);
    h5::File f(H5Fopen(path.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!f.ok()) throw IoError("cannot open '" + path.file + "' as HDF5");
    if (!h5::object_exists(f.get(), path.object)) return;
    h5::Dataset d(H5Dopen2(f.get(), path.object.c_str(), H5P_DEFAULT));
    h5::Datatype type(H5Dget_type(d.get()));
    h5::Dataspace space(H5Dget_space(d.get()));
    if (!d.ok() || H5Tget_class(type.get()) != H5T_STRING ||
        H5Sget_simple_extent_ndims(space.get()) != 1) {
      throw InputError("'" + path.str() + "' must be a 1-D dataset of strings");
    }
    const auto count = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
    if (H5Tis_variable_str(type.get()) > 0) {
      std::vector<char*> ptrs(count, nullptr);
      h5::Datatype mem(H5Tcopy(H5T_C_S1));
      H5Tset_size(mem.get(), H5T_VARIABLE);
      H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
      if (H5Dread(d.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) {
        throw IoError("cannot read '" + path.str() + "'");
      }
      for (char* p : ptrs) values.emplace_back(p ? p : "");
      H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    } else {
      const std::size_t size = H5Tget_size(type.get());
      std::vector<char> buf(count * size);
      if (H5Dread(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) {
        throw IoError("cannot read '" + path.str() + "'");
      }
      for (std::size_t i = 0; i < count; ++i) {
        const char* s = buf.data() + i * size;
        std::size_t len = 0;
        while (len < size && s[len] != '\0') ++len;
        values.emplace_back(s, len);
      }
    }
    for (const auto& v : values) joined += std::to_string(v.size()) + ":" + v;
  });
  comm.bcast(joined, 0);
  if (comm.rank() != 0) {
    std::size_t pos = 0;
    while (pos < joined.size()) {
      const std::size_t colon = joined.find(':', pos);
      const std::size_t len = std::stoull(joined.substr(pos, colon - pos));
      values.push_back(joined.substr(colon + 1, len));
      pos = colon + 1 + len;
    }
  }
  return values;
}

NameList read_feature_names(const mpi::Comm& comm, const std::string& file) {
  NameList names;
  names.path.file = file;
  std::string header;  // object, strings flag, length, type: rank 0 looks, all get it
  mpi::agree(comm, [&] {
    if (comm.rank() != 0) return;
    h5::quiet();
    h5::check_readable_file(file);
    h5::File f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!f.ok()) throw IoError("cannot open '" + file + "' as HDF5");
    std::string object;
    if (h5::object_exists(f.get(), "/feature_names")) {
      object = "/feature_names";  // dnmf's own convention wins over an AnnData index
    } else if (h5::object_exists(f.get(), "/var")) {
      h5::Group var(H5Gopen2(f.get(), "/var", H5P_DEFAULT));
      const std::string index = var.ok() ? h5::string_attribute(var.get(), "_index") : "";
      if (!index.empty() && index.find('/') == std::string::npos &&
          h5::object_exists(f.get(), "/var/" + index)) {
        object = "/var/" + index;
      }
    }
    if (object.empty()) return;
    const std::string where = file + ":" + object;
    h5::Dataset d(H5Dopen2(f.get(), object.c_str(), H5P_DEFAULT));
    if (!d.ok()) throw InputError("'" + where + "' must be a 1-D dataset of strings");
    h5::Datatype type(H5Dget_type(d.get()));
    h5::Dataspace space(H5Dget_space(d.get()));
    const H5T_class_t cls = H5Tget_class(type.get());
    const bool strings = cls == H5T_STRING;
    if (strings && H5Sget_simple_extent_ndims(space.get()) != 1) {
      throw InputError("'" + where + "' must be a 1-D dataset of strings");
    }
    const std::string kind = cls == H5T_INTEGER ? "integer" : cls == H5T_FLOAT ? "float" : "other";
    header = object + "\n" + (strings ? "1" : "0") + "\n" +
             std::to_string(H5Sget_simple_extent_npoints(space.get())) + "\n" + kind;
  });
  comm.bcast(header, 0);
  if (header.empty()) return names;
  std::vector<std::string> parts;
  std::size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    const std::size_t nl = header.find('\n', pos);
    parts.push_back(header.substr(pos, nl - pos));
    pos = nl + 1;
  }
  names.path.object = parts[0];
  names.strings = parts[1] == "1";
  names.length = std::stoll(parts[2]);
  if (names.strings) {
    names.values = read_strings(comm, names.path);
  } else {
    names.type = header.substr(pos);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------

template <typename T>
void AtomicFileWriter::write_block(const std::string& name, std::int64_t rows, std::int64_t cols,
                                   Range my_rows, Range my_cols, const T* data) {
  const hid_t file = static_cast<hid_t>(file_);
  const hsize_t dims[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)};
  h5::Dataspace filespace(H5Screate_simple(2, dims, nullptr));
  h5::Dataset dset(H5Dcreate2(file, name.c_str(), h5::native_type<T>(), filespace.get(),
                              H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!dset.ok()) throw IoError("cannot create dataset '" + name + "' in '" + temp_ + "'");
  const hsize_t mdims[2] = {static_cast<hsize_t>(my_rows.size), static_cast<hsize_t>(my_cols.size)};
  h5::Dataspace memspace(H5Screate_simple(2, mdims, nullptr));
  const hsize_t start[2] = {static_cast<hsize_t>(my_rows.begin),
                            static_cast<hsize_t>(my_cols.begin)};
  h5::select_part(filespace.get(), memspace.get(), 2, start, mdims);
  h5::PropList dxpl(H5Pcreate(H5P_DATASET_XFER));
  H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE);
  const herr_t rc =
      H5Dwrite(dset.get(), h5::native_type<T>(), memspace.get(), filespace.get(), dxpl.get(), data);
  mpi::raise_if_any(
      comm_, rc < 0 ? std::make_exception_ptr(IoError("cannot write dataset '" + name + "' to '" +
                                                      temp_ + "' (disk full?)"))
                    : std::exception_ptr());
}

void AtomicFileWriter::write_strings(const std::string& name,
                                     const std::vector<std::string>& values) {
  std::size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  h5::Datatype type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), width);
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  const hsize_t dims[1] = {values.size()};
  h5::Dataspace space(H5Screate_simple(1, dims, nullptr));
  h5::Dataset dset(H5Dcreate2(static_cast<hid_t>(file_), name.c_str(), type.get(), space.get(),
                              H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!dset.ok()) throw IoError("cannot create dataset '" + name + "' in '" + temp_ + "'");
  std::vector<char> buf(values.size() * width, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) values[i].copy(buf.data() + i * width, width);
  // Rank 0 writes the whole (small) dataset; the others take part with an empty selection.
  if (comm_.rank() != 0) H5Sselect_none(space.get());
  h5::Dataspace mem(H5Scopy(space.get()));
  h5::PropList dxpl(H5Pcreate(H5P_DATASET_XFER));
  H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE);
  const herr_t rc =
      H5Dwrite(dset.get(), type.get(), mem.get(), space.get(), dxpl.get(), buf.data());
  mpi::raise_if_any(comm_, rc < 0 ? std::make_exception_ptr(IoError("cannot write '" + name + "'"))
                                  : std::exception_ptr());
}

template <typename T>
void AtomicFileWriter::write_vector(const std::string& name, std::int64_t total,
                                    std::int64_t offset, std::int64_t count, const T* data) {
  const hid_t type = h5::native_type<T>();
  const hsize_t dims = static_cast<hsize_t>(total);
  h5::Dataspace filespace(H5Screate_simple(1, &dims, nullptr));
  h5::Dataset dset(H5Dcreate2(static_cast<hid_t>(file_), name.c_str(), type, filespace.get(),
                              H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!dset.ok()) throw IoError("cannot create dataset '" + name + "' in '" + temp_ + "'");
  const hsize_t n = static_cast<hsize_t>(count);
  h5::Dataspace memspace(H5Screate_simple(1, &n, nullptr));
  const hsize_t start = static_cast<hsize_t>(offset);
  h5::select_part(filespace.get(), memspace.get(), 1, &start, &n);
  h5::PropList dxpl(H5Pcreate(H5P_DATASET_XFER));
  H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE);
  const herr_t rc = H5Dwrite(dset.get(), type, memspace.get(), filespace.get(), dxpl.get(), data);
  mpi::raise_if_any(comm_, rc < 0 ? std::make_exception_ptr(
                                        IoError("cannot write '" + name + "' to '" + temp_ + "'"))
                                  : std::exception_ptr());
}

template void AtomicFileWriter::write_vector<double>(const std::string&, std::int64_t, std::int64_t,
                                                     std::int64_t, const double*);
template void AtomicFileWriter::write_vector<float>(const std::string&, std::int64_t, std::int64_t,
                                                    std::int64_t, const float*);
template void AtomicFileWriter::write_vector<std::int64_t>(const std::string&, std::int64_t,
                                                           std::int64_t, std::int64_t,
                                                           const std::int64_t*);

template void AtomicFileWriter::write_block<double>(const std::string&, std::int64_t, std::int64_t,
                                                    Range, Range, const double*);
template void AtomicFileWriter::write_block<float>(const std::string&, std::int64_t, std::int64_t,
                                                   Range, Range, const float*);

template void read_block_in_slices<double>(
    const mpi::Comm&, const ObjectPath&, Range, Range,
    const std::function<void(std::int64_t, const Matrix<double>&)>&, std::int64_t);
template void read_block_in_slices<float>(
    const mpi::Comm&, const ObjectPath&, Range, Range,
    const std::function<void(std::int64_t, const Matrix<float>&)>&, std::int64_t);

}  // namespace dnmf::io
