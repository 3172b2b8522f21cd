// Probing: what a matrix object in an HDF5 file is (dense dataset or sparse group), its shape
// and element type, checked on rank 0 and shared with every rank.
#include <algorithm>
#include <limits>
#include <vector>

#include "dnmf/io/hdf5.hpp"
#include "hdf5_support.hpp"

namespace dnmf::io {
namespace {

ElementType element_type(hid_t dset, const std::string& what) {
  h5::Datatype type(H5Dget_type(dset));
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
  h5::PropList dcpl(H5Dget_create_plist(dset));
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

/// An integer array attribute of `obj`, or empty when absent.
std::vector<std::int64_t> integer_attribute(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  h5::Attr attr(H5Aopen(obj, name, H5P_DEFAULT));
  h5::Dataspace space(H5Aget_space(attr.get()));
  std::vector<std::int64_t> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  if (H5Aread(attr.get(), H5T_NATIVE_INT64, v.data()) < 0) return {};
  return v;
}

/// Length of a 1-D dataset `name` inside group `g`; InputError when missing or not 1-D.
std::int64_t vector_length(hid_t g, const std::string& group, const char* name) {
  if (H5Lexists(g, name, H5P_DEFAULT) <= 0) {
    throw InputError("sparse group '" + group + "' has no dataset '" + name + "'");
  }
  h5::Dataset d(H5Dopen2(g, name, H5P_DEFAULT));
  h5::Dataspace space(H5Dget_space(d.get()));
  if (!d.ok() || H5Sget_simple_extent_ndims(space.get()) != 1) {
    throw InputError("'" + group + "/" + name + "' must be a 1-D dataset");
  }
  return static_cast<std::int64_t>(H5Sget_simple_extent_npoints(space.get()));
}

DatasetInfo probe_sparse_group(hid_t g, const ObjectPath& path) {
  std::string encoding = h5::string_attribute(g, "encoding-type");
  std::vector<std::int64_t> shape = integer_attribute(g, "shape");
  if (encoding.empty()) {  // the older h5sparse convention
    const std::string f = h5::string_attribute(g, "h5sparse_format");
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
    h5::Dataset d(H5Dopen2(g, name, H5P_DEFAULT));
    if (element_type(d.get(), path.str() + "/" + name) != ElementType::integer) {
      throw InputError("'" + path.str() + "/" + name + "' must hold integers");
    }
  }
  h5::Dataset d(H5Dopen2(g, "data", H5P_DEFAULT));
  info.type = element_type(d.get(), path.str() + "/data");
  return info;
}

DatasetInfo probe_local(const ObjectPath& path, bool allow_sparse) {
  h5::quiet();
  h5::check_readable_file(path.file);
  h5::File file(H5Fopen(path.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file.ok())
    throw IoError("cannot open '" + path.file + "' as HDF5 (corrupted or truncated?)");
  if (!h5::object_exists(file.get(), path.object)) {
    throw InputError("'" + path.file + "' has no object '" + path.object + "'");
  }
  // A link can exist and still point nowhere (a dangling soft link): that is a missing object.
  if (path.object != "/" && H5Oexists_by_name(file.get(), path.object.c_str(), H5P_DEFAULT) <= 0) {
    throw InputError("'" + path.file + "': '" + path.object + "' is a link to nothing");
  }
  h5::Object obj(H5Oopen(file.get(), path.object.c_str(), H5P_DEFAULT));
  if (!obj.ok()) throw IoError("cannot open '" + path.str() + "' (corrupted file?)");
  const H5I_type_t kind = H5Iget_type(obj.get());
  if (kind == H5I_GROUP) {
    if (!allow_sparse) throw InputError("'" + path.str() + "' must be a dense 2-D dataset");
    return probe_sparse_group(obj.get(), path);
  }
  if (kind != H5I_DATASET) throw InputError("'" + path.str() + "' is not a dataset");
  h5::Dataspace space(H5Dget_space(obj.get()));
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

}  // namespace dnmf::io
