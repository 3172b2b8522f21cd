#include "dnmf/io/hdf5.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <type_traits>

#ifndef H5_HAVE_PARALLEL
#error "dnmf needs the parallel (MPI) build of HDF5"
#endif

namespace dnmf::io {
namespace fs = std::filesystem;

namespace {

/// Silences HDF5's own error stack printing once; we report errors ourselves.
void quiet_hdf5() {
  static const bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

/// Closes an HDF5 identifier with the matching H5*close when it leaves scope.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() {
    if (id_ >= 0) closer_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  Closer closer_;
};

template <typename T>
hid_t native_type() {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  return std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
}

/// True when every component of `object` exists as a link in the file.
bool object_exists(hid_t file, const std::string& object) {
  std::string prefix;
  std::size_t pos = 0;
  while (pos < object.size()) {
    std::size_t next = object.find('/', pos + 1);
    if (next == std::string::npos) next = object.size();
    prefix = object.substr(0, next);
    if (prefix != "/" && H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    pos = next;
  }
  return true;
}

void check_readable_file(const std::string& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) throw IoError("cannot read '" + file + "': no such file");
  if (fs::is_directory(file, ec)) throw IoError("cannot read '" + file + "': it is a directory");
  if (::access(file.c_str(), R_OK) != 0)
    throw IoError("cannot read '" + file + "': permission denied");
  const htri_t is = H5Fis_hdf5(file.c_str());
  if (is <= 0) throw IoError("cannot read '" + file + "': not an HDF5 file (or truncated)");
}

ElementType element_type(hid_t dset, const std::string& what) {
  Handle type(H5Dget_type(dset), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_FLOAT) {
    return H5Tget_size(type.get()) == 4 ? ElementType::float32 : ElementType::float64;
  }
  if (cls == H5T_INTEGER) return ElementType::integer;
  throw InputError("'" + what + "' must hold numbers (float or integer)");
}

/// The most chunks a dense dataset may have. HDF5 1.10 sizes a table by the dataset's chunk count
/// for a read whose selection is empty - which a rank makes when its block is empty (more ranks
/// than rows or columns) - 8 bytes per chunk whether the chunks exist or not (measured with
/// 1.10.8): 2^28 chunks make 2 GiB per rank. No dataset anyone writes comes near it (h5py's
/// automatic chunks hold 8 KiB to 1 MiB, so 2^28 of them would be 2 TiB at the least); a file can
/// still declare 10^12 tiny chunks of a dataset it never writes, for which HDF5 asks for 8 TB.
constexpr hsize_t max_chunks = hsize_t{1} << 28;

/// InputError when `dset` is chunked into more than max_chunks chunks.
void check_chunk_count(hid_t dset, const std::string& what, const hsize_t* dims, int ndims) {
  Handle dcpl(H5Dget_create_plist(dset), H5Pclose);
  if (H5Pget_layout(dcpl.get()) != H5D_CHUNKED) return;
  std::vector<hsize_t> chunk(static_cast<std::size_t>(ndims), 0);
  if (H5Pget_chunk(dcpl.get(), ndims, chunk.data()) != ndims) {
    throw IoError("cannot read the chunk shape of '" + what + "' (corrupted file?)");
  }
  hsize_t chunks = 1;  // saturates at max_chunks + 1
  std::string shape, chunk_shape;
  for (int d = 0; d < ndims; ++d) {
    const hsize_t c = std::max<hsize_t>(chunk[d], 1);
    const hsize_t n = dims[d] == 0 ? 0 : (dims[d] - 1) / c + 1;
    chunks = n != 0 && chunks > max_chunks / n ? max_chunks + 1 : chunks * n;
    shape += (d == 0 ? "" : " x ") + std::to_string(dims[d]);
    chunk_shape += (d == 0 ? "" : " x ") + std::to_string(chunk[d]);
  }
  if (chunks > max_chunks) {
    throw InputError("'" + what + "' (" + shape + ") is stored in chunks of " + chunk_shape +
                     ": more than 2^28 chunks, too many for HDF5 1.10, which needs 8 bytes per "
                     "chunk on every rank with an empty block; rechunk it with larger chunks "
                     "(h5repack -l)");
  }
}

/// Whether `dset` is contiguous with no storage in the file (created, never written): HDF5 then
/// returns its fill value for every element. It is read from the dataset's metadata, so every
/// rank that opened the file gets the same answer.
bool unallocated_contiguous(hid_t dset) {
  Handle dcpl(H5Dget_create_plist(dset), H5Pclose);
  if (H5Pget_layout(dcpl.get()) != H5D_CONTIGUOUS || H5Pget_external_count(dcpl.get()) != 0) {
    return false;  // external files hold data although the HDF5 file has no storage for it
  }
  H5D_space_status_t status = H5D_SPACE_STATUS_ERROR;
  return H5Dget_space_status(dset, &status) >= 0 && status == H5D_SPACE_STATUS_NOT_ALLOCATED;
}

/// A string attribute of `obj` (fixed or variable length), or "" when absent.
std::string string_attribute(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  std::string text;
  if (H5Tis_variable_str(type.get()) > 0) {
    char* v = nullptr;
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));  // no conversion between character sets
    if (H5Aread(attr.get(), mem.get(), &v) >= 0 && v) {
      text = v;
      H5free_memory(v);
    }
  } else {
    std::vector<char> buf(H5Tget_size(type.get()) + 1, '\0');
    H5Aread(attr.get(), type.get(), buf.data());
    text = buf.data();
  }
  return text;
}

/// An integer array attribute of `obj`, or empty when absent.
std::vector<std::int64_t> integer_attribute(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  std::vector<std::int64_t> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  if (H5Aread(attr.get(), H5T_NATIVE_INT64, v.data()) < 0) return {};
  return v;
}

/// Length of a 1-D dataset `name` inside group `g`; InputError when missing or not 1-D.
std::int64_t vector_length(hid_t g, const std::string& group, const char* name) {
  if (H5Lexists(g, name, H5P_DEFAULT) <= 0) {
    throw InputError("sparse group '" + group + "' has no dataset '" + name + "'");
  }
  Handle d(H5Dopen2(g, name, H5P_DEFAULT), H5Dclose);
  Handle space(H5Dget_space(d.get()), H5Sclose);
  if (!d.ok() || H5Sget_simple_extent_ndims(space.get()) != 1) {
    throw InputError("'" + group + "/" + name + "' must be a 1-D dataset");
  }
  return static_cast<std::int64_t>(H5Sget_simple_extent_npoints(space.get()));
}

DatasetInfo probe_sparse_group(hid_t g, const ObjectPath& path) {
  std::string encoding = string_attribute(g, "encoding-type");
  std::vector<std::int64_t> shape = integer_attribute(g, "shape");
  if (encoding.empty()) {  // the older h5sparse convention
    const std::string f = string_attribute(g, "h5sparse_format");
    if (!f.empty()) encoding = f + "_matrix";
    shape = integer_attribute(g, "h5sparse_shape");
  }
  if (encoding != "csr_matrix" && encoding != "csc_matrix") {
    throw InputError("'" + path.str() +
                     "' is a group but not a sparse matrix (needs attribute encoding-type = "
                     "csr_matrix or csc_matrix, or h5sparse_format)");
  }
  if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0) {
    throw InputError("sparse group '" + path.str() + "' needs a 'shape' attribute [rows, cols]");
  }
  DatasetInfo info;
  info.path = path;
  info.sparse = true;
  info.csc = encoding == "csc_matrix";
  info.rows = shape[0];
  info.cols = shape[1];
  const std::int64_t major = info.csc ? info.cols : info.rows;
  const std::int64_t n_data = vector_length(g, path.str(), "data");
  const std::int64_t n_indices = vector_length(g, path.str(), "indices");
  const std::int64_t n_indptr = vector_length(g, path.str(), "indptr");
  if (n_data != n_indices) {
    throw InputError("sparse group '" + path.str() + "': data has " + std::to_string(n_data) +
                     " entries but indices has " + std::to_string(n_indices));
  }
  if (n_indptr != major + 1) {
    throw InputError("sparse group '" + path.str() + "': indptr has " + std::to_string(n_indptr) +
                     " entries, expected " + std::to_string(major + 1) + " for shape " +
                     std::to_string(info.rows) + " x " + std::to_string(info.cols));
  }
  info.nnz = n_data;
  for (const char* name : {"indices", "indptr"}) {
    Handle d(H5Dopen2(g, name, H5P_DEFAULT), H5Dclose);
    if (element_type(d.get(), path.str() + "/" + name) != ElementType::integer) {
      throw InputError("'" + path.str() + "/" + name + "' must hold integers");
    }
  }
  Handle d(H5Dopen2(g, "data", H5P_DEFAULT), H5Dclose);
  info.type = element_type(d.get(), path.str() + "/data");
  return info;
}

DatasetInfo probe_local(const ObjectPath& path, bool allow_sparse) {
  quiet_hdf5();
  check_readable_file(path.file);
  Handle file(H5Fopen(path.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok())
    throw IoError("cannot open '" + path.file + "' as HDF5 (corrupted or truncated?)");
  if (!object_exists(file.get(), path.object)) {
    throw InputError("'" + path.file + "' has no object '" + path.object + "'");
  }
  // A link can exist and still point nowhere (a dangling soft link): that is a missing object.
  if (path.object != "/" && H5Oexists_by_name(file.get(), path.object.c_str(), H5P_DEFAULT) <= 0) {
    throw InputError("'" + path.file + "': '" + path.object + "' is a link to nothing");
  }
  Handle obj(H5Oopen(file.get(), path.object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!obj.ok()) throw IoError("cannot open '" + path.str() + "' (corrupted file?)");
  const H5I_type_t kind = H5Iget_type(obj.get());
  if (kind == H5I_GROUP) {
    if (!allow_sparse) throw InputError("'" + path.str() + "' must be a dense 2-D dataset");
    return probe_sparse_group(obj.get(), path);
  }
  if (kind != H5I_DATASET) throw InputError("'" + path.str() + "' is not a dataset");
  Handle space(H5Dget_space(obj.get()), H5Sclose);
  const int ndims = H5Sget_simple_extent_ndims(space.get());
  if (ndims != 2) {
    throw InputError("'" + path.str() + "' must be a 2-D dataset, but it has " +
                     std::to_string(ndims) + " dimension(s)");
  }
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  DatasetInfo info;
  info.path = path;
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  if (dims[0] > static_cast<hsize_t>(max) || dims[1] > static_cast<hsize_t>(max) ||
      __builtin_mul_overflow(static_cast<std::int64_t>(dims[0]), static_cast<std::int64_t>(dims[1]),
                             &info.nnz)) {
    throw InputError("'" + path.str() + "' is " + std::to_string(dims[0]) + " x " +
                     std::to_string(dims[1]) + ": more elements than a 64-bit count holds");
  }
  info.rows = static_cast<std::int64_t>(dims[0]);
  info.cols = static_cast<std::int64_t>(dims[1]);
  info.type = element_type(obj.get(), path.str());
  check_chunk_count(obj.get(), path.str(), dims, 2);
  return info;
}

/// Runs a probe on rank 0 and shares the result (or its error) with every rank.
DatasetInfo probe_shared(const mpi::Comm& comm, const ObjectPath& path, bool allow_sparse) {
  DatasetInfo info;
  mpi::agree(comm, [&] {
    if (comm.rank() == 0) info = probe_local(path, allow_sparse);
  });
  std::int64_t meta[6] = {info.rows,   info.cols, static_cast<std::int64_t>(info.type),
                          info.sparse, info.csc,  info.nnz};
  comm.bcast(meta, 6, 0);
  info.path = path;
  info.rows = meta[0];
  info.cols = meta[1];
  info.type = static_cast<ElementType>(meta[2]);
  info.sparse = meta[3] != 0;
  info.csc = meta[4] != 0;
  info.nnz = meta[5];
  return info;
}

}  // namespace

ObjectPath parse_object_path(const std::string& spec, const std::string& default_object) {
  const std::size_t pos = spec.rfind(":/");
  if (pos == std::string::npos) return {spec, default_object};
  return {spec.substr(0, pos), spec.substr(pos + 1)};
}

std::string to_string(ElementType t) {
  switch (t) {
    case ElementType::float32:
      return "float32";
    case ElementType::float64:
      return "float64";
    case ElementType::integer:
      return "integer";
  }
  return "?";
}

DatasetInfo probe_dense(const mpi::Comm& comm, const ObjectPath& path) {
  return probe_shared(comm, path, false);
}

DatasetInfo probe_matrix(const mpi::Comm& comm, const ObjectPath& path) {
  return probe_shared(comm, path, true);
}

template <typename T>
void read_block(const mpi::Comm& comm, const ObjectPath& path, Range rows, Range cols,
                Matrix<T>& out) {
  quiet_hdf5();
  out.resize(rows.size, cols.size);
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fapl_mpio(fapl.get(), comm.get(), MPI_INFO_NULL);
  Handle file(H5Fopen(path.file.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
  // H5Fopen is collective: every rank sees the same failure.
  if (!file.ok()) throw IoError("cannot open '" + path.file + "' for a parallel read");
  Handle dset(H5Dopen2(file.get(), path.object.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dset.ok()) throw InputError("cannot open dataset '" + path.str() + "'");
  // A contiguous dataset that was never written has no storage: HDF5 1.10 fills a non-empty
  // selection with the fill value without any I/O, but sends an empty one down the collective
  // I/O path, where it fails (one process) or waits for ranks that never come (several). Every
  // rank sees the same metadata, so all take this branch together and fill their own block.
  if (unallocated_contiguous(dset.get())) {
    Handle dcpl(H5Dget_create_plist(dset.get()), H5Pclose);
    T fill = 0;
    const bool ok = H5Pget_fill_value(dcpl.get(), native_type<T>(), &fill) >= 0;
    if (ok) std::fill(out.data(), out.data() + out.size(), fill);
    mpi::raise_if_any(
        comm, ok ? std::exception_ptr()
                 : std::make_exception_ptr(InputError(
                       "'" + path.str() + "' was never written and has no fill value: no data")));
    return;
  }
  Handle filespace(H5Dget_space(dset.get()), H5Sclose);
  const hsize_t mdims[2] = {static_cast<hsize_t>(rows.size), static_cast<hsize_t>(cols.size)};
  Handle memspace(H5Screate_simple(2, mdims, nullptr), H5Sclose);
  if (rows.size == 0 || cols.size == 0) {
    H5Sselect_none(filespace.get());
    H5Sselect_none(memspace.get());
  } else {
    const hsize_t start[2] = {static_cast<hsize_t>(rows.begin), static_cast<hsize_t>(cols.begin)};
    H5Sselect_hyperslab(filespace.get(), H5S_SELECT_SET, start, nullptr, mdims, nullptr);
  }
  Handle dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
  H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE);
  const herr_t rc = H5Dread(dset.get(), native_type<T>(), memspace.get(), filespace.get(),
                            dxpl.get(), out.data());
  // A failed collective read (e.g. a truncated file) fails on every rank that touched it; agree
  // so that all ranks leave together.
  mpi::raise_if_any(comm, rc < 0 ? std::make_exception_ptr(IoError("cannot read '" + path.str() +
                                                                   "' (truncated file?)"))
                                 : std::exception_ptr());
}

template void read_block<double>(const mpi::Comm&, const ObjectPath&, Range, Range,
                                 Matrix<double>&);
template void read_block<float>(const mpi::Comm&, const ObjectPath&, Range, Range, Matrix<float>&);

namespace {
/// Serialises attributes for a broadcast: kind, name, value per line (names have no newline).
std::string encode(const std::vector<Attribute>& attrs) {
  std::string out;
  char buf[64];
  for (const Attribute& a : attrs) {
    // Names and texts are length-prefixed: they may hold any character, line breaks included.
    out += std::to_string(static_cast<int>(a.kind)) + "\n" + std::to_string(a.name.size()) + ":" +
           a.name + "\n";
    if (a.kind == Attribute::Kind::real) {
      std::snprintf(buf, sizeof buf, "%.17g", a.real);
      out += buf;
    } else if (a.kind == Attribute::Kind::integer) {
      out += std::to_string(a.integer);
    } else {
      out += std::to_string(a.text.size()) + ":" + a.text;
    }
    out += "\n";
  }
  return out;
}

std::vector<Attribute> decode(const std::string& text) {
  std::vector<Attribute> out;
  std::size_t pos = 0;
  auto line = [&] {
    const std::size_t end = text.find('\n', pos);
    std::string l = text.substr(pos, end - pos);
    pos = end + 1;
    return l;
  };
  while (pos < text.size()) {
    const auto kind = static_cast<Attribute::Kind>(std::stoi(line()));
    const std::size_t name_colon = text.find(':', pos);
    const std::size_t name_len = std::stoull(text.substr(pos, name_colon - pos));
    Attribute a{kind, text.substr(name_colon + 1, name_len), 0, 0, {}, {}};
    pos = name_colon + 1 + name_len + 1;
    if (a.kind == Attribute::Kind::text) {
      const std::size_t colon = text.find(':', pos);
      const std::size_t len = std::stoull(text.substr(pos, colon - pos));
      a.text = text.substr(colon + 1, len);
      pos = colon + 1 + len + 1;
    } else if (a.kind == Attribute::Kind::real) {
      a.real = std::strtod(line().c_str(), nullptr);
    } else {
      a.integer = std::stoll(line());
    }
    out.push_back(std::move(a));
  }
  return out;
}

herr_t collect_attribute(hid_t loc, const char* name, const H5A_info_t*, void* data) {
  auto* out = static_cast<std::vector<Attribute>*>(data);
  Handle attr(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) return 0;
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return 0;  // scalars only
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  switch (H5Tget_class(type.get())) {
    case H5T_FLOAT: {
      double v = 0;
      H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &v);
      out->push_back(Attribute::of(name, v));
      break;
    }
    case H5T_INTEGER: {
      std::int64_t v = 0;
      H5Aread(attr.get(), H5T_NATIVE_INT64, &v);
      out->push_back(Attribute::of(name, v));
      break;
    }
    case H5T_STRING:
      out->push_back(Attribute::of(name, string_attribute(loc, name)));
      break;
    default:
      break;
  }
  return 0;
}
}  // namespace

std::vector<Attribute> read_root_attributes(const mpi::Comm& comm, const std::string& file) {
  std::vector<Attribute> attrs;
  std::string encoded;
  mpi::agree(comm, [&] {
    if (comm.rank() != 0) return;
    quiet_hdf5();
    check_readable_file(file);
    Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.ok()) throw IoError("cannot open '" + file + "' as HDF5 (corrupted or truncated?)");
    H5Aiterate2(f.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attribute, &attrs);
    encoded = encode(attrs);
  });
  comm.bcast(encoded, 0);
  return decode(encoded);
}

std::vector<std::string> read_strings(const mpi::Comm& comm, const ObjectPath& path) {
  std::vector<std::string> values;
  std::string joined;
  mpi::agree(comm, [&] {
    if (comm.rank() != 0) return;
    quiet_hdf5();
    check_readable_file(path.file);
    Handle f(H5Fopen(path.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.ok()) throw IoError("cannot open '" + path.file + "' as HDF5");
    if (!object_exists(f.get(), path.object)) return;
    Handle d(H5Dopen2(f.get(), path.object.c_str(), H5P_DEFAULT), H5Dclose);
    Handle type(H5Dget_type(d.get()), H5Tclose);
    Handle space(H5Dget_space(d.get()), H5Sclose);
    if (!d.ok() || H5Tget_class(type.get()) != H5T_STRING ||
        H5Sget_simple_extent_ndims(space.get()) != 1) {
      throw InputError("'" + path.str() + "' must be a 1-D dataset of strings");
    }
    const auto count = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
    if (H5Tis_variable_str(type.get()) > 0) {
      std::vector<char*> ptrs(count, nullptr);
      Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
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

// ---------------------------------------------------------------------------------------------

AtomicFileWriter::AtomicFileWriter(const mpi::Comm& comm, std::string target, bool keep_previous)
    : comm_(comm), target_(std::move(target)), keep_previous_(keep_previous) {
  quiet_hdf5();
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
  });
  comm_.bcast(temp_, 0);
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
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

template <typename T>
void AtomicFileWriter::write_block(const std::string& name, std::int64_t rows, std::int64_t cols,
                                   Range my_rows, Range my_cols, const T* data) {
  const hid_t file = static_cast<hid_t>(file_);
  const hsize_t dims[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)};
  Handle filespace(H5Screate_simple(2, dims, nullptr), H5Sclose);
  Handle dset(H5Dcreate2(file, name.c_str(), native_type<T>(), filespace.get(), H5P_DEFAULT,
                         H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose);
  if (!dset.ok()) throw IoError("cannot create dataset '" + name + "' in '" + temp_ + "'");
  const hsize_t mdims[2] = {static_cast<hsize_t>(my_rows.size), static_cast<hsize_t>(my_cols.size)};
  Handle memspace(H5Screate_simple(2, mdims, nullptr), H5Sclose);
  if (my_rows.size == 0 || my_cols.size == 0) {
    H5Sselect_none(filespace.get());
    H5Sselect_none(memspace.get());
  } else {
    const hsize_t start[2] = {static_cast<hsize_t>(my_rows.begin),
                              static_cast<hsize_t>(my_cols.begin)};
    H5Sselect_hyperslab(filespace.get(), H5S_SELECT_SET, start, nullptr, mdims, nullptr);
  }
  Handle dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
  H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE);
  const herr_t rc =
      H5Dwrite(dset.get(), native_type<T>(), memspace.get(), filespace.get(), dxpl.get(), data);
  mpi::raise_if_any(
      comm_, rc < 0 ? std::make_exception_ptr(IoError("cannot write dataset '" + name + "' to '" +
                                                      temp_ + "' (disk full?)"))
                    : std::exception_ptr());
}

void AtomicFileWriter::write_strings(const std::string& name,
                                     const std::vector<std::string>& values) {
  std::size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), width);
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  const hsize_t dims[1] = {values.size()};
  Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  Handle dset(H5Dcreate2(static_cast<hid_t>(file_), name.c_str(), type.get(), space.get(),
                         H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose);
  if (!dset.ok()) throw IoError("cannot create dataset '" + name + "' in '" + temp_ + "'");
  std::vector<char> buf(values.size() * width, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) values[i].copy(buf.data() + i * width, width);
  // Rank 0 writes the whole (small) dataset; the others take part with an empty selection.
  if (comm_.rank() != 0) H5Sselect_none(space.get());
  Handle mem(H5Scopy(space.get()), H5Sclose);
  Handle dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
  H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE);
  const herr_t rc =
      H5Dwrite(dset.get(), type.get(), mem.get(), space.get(), dxpl.get(), buf.data());
  mpi::raise_if_any(comm_, rc < 0 ? std::make_exception_ptr(IoError("cannot write '" + name + "'"))
                                  : std::exception_ptr());
}

void AtomicFileWriter::write_attributes(const std::vector<Attribute>& attrs,
                                        const std::string& object) {
  Handle loc(H5Oopen(static_cast<hid_t>(file_), object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!loc.ok()) throw IoError("cannot open '" + object + "' in '" + temp_ + "'");
  Handle scalar(H5Screate(H5S_SCALAR), H5Sclose);
  Handle str_type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(str_type.get(), H5T_VARIABLE);
  H5Tset_cset(str_type.get(), H5T_CSET_UTF8);
  for (const Attribute& a : attrs) {
    const hid_t type = a.kind == Attribute::Kind::real   ? H5T_NATIVE_DOUBLE
                       : a.kind == Attribute::Kind::text ? str_type.get()
                                                         : H5T_NATIVE_INT64;
    const hsize_t n = a.integers.size();
    Handle array_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    const hid_t space = a.kind == Attribute::Kind::integers ? array_space.get() : scalar.get();
    Handle attr(H5Acreate2(loc.get(), a.name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose);
    if (!attr.ok()) throw IoError("cannot create attribute '" + a.name + "' in '" + temp_ + "'");
    const char* text = a.text.c_str();
    const void* buf = a.kind == Attribute::Kind::real      ? static_cast<const void*>(&a.real)
                      : a.kind == Attribute::Kind::integer ? static_cast<const void*>(&a.integer)
                      : a.kind == Attribute::Kind::text
                          ? static_cast<const void*>(&text)
                          : static_cast<const void*>(a.integers.data());
    if (H5Awrite(attr.get(), type, buf) < 0)
      throw IoError("cannot write attribute '" + a.name + "'");
  }
}

void AtomicFileWriter::create_group(const std::string& name) {
  Handle g(
      H5Gcreate2(static_cast<hid_t>(file_), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Gclose);
  if (!g.ok()) throw IoError("cannot create group '" + name + "' in '" + temp_ + "'");
}

template <typename T>
void AtomicFileWriter::write_vector(const std::string& name, std::int64_t total,
                                    std::int64_t offset, std::int64_t count, const T* data) {
  const hid_t type = std::is_same_v<T, std::int64_t> ? H5T_NATIVE_INT64
                     : std::is_same_v<T, float>      ? H5T_NATIVE_FLOAT
                                                     : H5T_NATIVE_DOUBLE;
  const hsize_t dims = static_cast<hsize_t>(total);
  Handle filespace(H5Screate_simple(1, &dims, nullptr), H5Sclose);
  Handle dset(H5Dcreate2(static_cast<hid_t>(file_), name.c_str(), type, filespace.get(),
                         H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose);
  if (!dset.ok()) throw IoError("cannot create dataset '" + name + "' in '" + temp_ + "'");
  const hsize_t n = static_cast<hsize_t>(count);
  Handle memspace(H5Screate_simple(1, &n, nullptr), H5Sclose);
  if (count == 0) {
    H5Sselect_none(filespace.get());
    H5Sselect_none(memspace.get());
  } else {
    const hsize_t start = static_cast<hsize_t>(offset);
    H5Sselect_hyperslab(filespace.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr);
  }
  Handle dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
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

template void AtomicFileWriter::write_block<double>(const std::string&, std::int64_t, std::int64_t,
                                                    Range, Range, const double*);
template void AtomicFileWriter::write_block<float>(const std::string&, std::int64_t, std::int64_t,
                                                   Range, Range, const float*);

}  // namespace dnmf::io
