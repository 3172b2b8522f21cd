#pragma once
/// @file Parallel HDF5 input and output. Reads are collective hyperslab reads of each rank's
/// block; the model file is written collectively under a temporary name and renamed over the
/// target only when complete.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dnmf/core/matrix.hpp"
#include "dnmf/core/partition.hpp"
#include "dnmf/mpi/comm.hpp"

namespace dnmf::io {

/// "file.h5" or "file.h5:/path/to/object".
struct ObjectPath {
  std::string file;
  std::string object;
  std::string str() const { return file + ":" + object; }
};

/// Splits `spec` at the last ':' followed by '/'; without one, the object is `default_object`.
ObjectPath parse_object_path(const std::string& spec, const std::string& default_object = "/X");

enum class ElementType { float32, float64, integer };
std::string to_string(ElementType t);

/// What a matrix object holds: a dense 2-D dataset, or a sparse group (AnnData convention:
/// datasets data, indices, indptr; attributes encoding-type = csr_matrix | csc_matrix and
/// shape; or the older h5sparse_format / h5sparse_shape attributes).
struct DatasetInfo {
  ObjectPath path;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  ElementType type = ElementType::float64;  ///< of the values (`data` when sparse)
  bool sparse = false;
  bool csc = false;      ///< sparse, stored by columns
  std::int64_t nnz = 0;  ///< stored entries (rows * cols when dense)
};

/// Opens `path` on rank 0 only and checks it is a readable HDF5 file holding a 2-D numeric
/// dataset; every rank gets the same result or the same exception (IoError for file problems,
/// InputError for a missing object, wrong rank or type, or more than 2^28 chunks: max_chunks in
/// src/io/hdf5_probe.cpp). Collective.
DatasetInfo probe_dense(const mpi::Comm& comm, const ObjectPath& path);

/// Like probe_dense, but also accepts a sparse group (checking its datasets' ranks and lengths
/// and its shape attribute). Collective.
DatasetInfo probe_matrix(const mpi::Comm& comm, const ObjectPath& path);

/// Collective read of rows x cols (global ranges) of a 2-D dataset into `out` (resized),
/// converting to T. Every rank of `comm` must call it; ranges may be empty. A contiguous dataset
/// that was never written reads as its fill value.
template <typename T>
void read_block(const mpi::Comm& comm, const ObjectPath& path, Range rows, Range cols,
                Matrix<T>& out);

/// read_block of `rows` x `cols` a slice of whole rows at a time (about `max_entries` entries
/// each), handing each slice to `use(offset of its first row within rows, slice)`, so that a
/// large read costs one slice of memory (masks). Every rank of `comm` makes the same number of
/// collective reads, some possibly empty.
template <typename T>
void read_block_in_slices(const mpi::Comm& comm, const ObjectPath& path, Range rows, Range cols,
                          const std::function<void(std::int64_t, const Matrix<T>&)>& use,
                          std::int64_t max_entries = std::int64_t{1} << 20);

/// Reads a 1-D dataset of strings (fixed or variable length) on rank 0 and broadcasts it; an
/// absent object gives an empty list. Collective.
std::vector<std::string> read_strings(const mpi::Comm& comm, const ObjectPath& path);

/// Names stored with a matrix (its features), as found by read_feature_names.
struct NameList {
  ObjectPath path;                  ///< the dataset they come from (object empty: none found)
  bool strings = true;              ///< false: the dataset holds another type (e.g. integers)
  std::string type;                 ///< that other type's class, for messages ("integer", ...)
  std::int64_t length = 0;          ///< the dataset's length
  std::vector<std::string> values;  ///< the names, when they are strings
};

/// The feature names stored in `file`: its /feature_names dataset, or, when there is none, an
/// AnnData (.h5ad) var index: the dataset named by the `_index` attribute of the /var group
/// (usually /var/_index). A dataset of another type than strings gives strings = false and no
/// values (the caller warns); strings in a dataset that is not 1-D are InputError. Collective.
NameList read_feature_names(const mpi::Comm& comm, const std::string& file);

/// An attribute value for the model file.
struct Attribute {
  enum class Kind { real, integer, text, integers } kind;
  std::string name;
  double real = 0;
  std::int64_t integer = 0;
  std::string text;
  std::vector<std::int64_t> integers;  ///< Kind::integers: a 1-D array (e.g. a shape)
  static Attribute of(std::string n, double v) { return {Kind::real, std::move(n), v, 0, {}, {}}; }
  static Attribute of(std::string n, std::int64_t v) {
    return {Kind::integer, std::move(n), 0, v, {}, {}};
  }
  static Attribute of(std::string n, std::string v) {
    return {Kind::text, std::move(n), 0, 0, std::move(v), {}};
  }
  static Attribute of(std::string n, std::vector<std::int64_t> v) {
    return {Kind::integers, std::move(n), 0, 0, {}, std::move(v)};
  }
};

/// Reads every scalar attribute of the file's root group on rank 0 and broadcasts them.
/// Collective; IoError / InputError as probe_dense.
std::vector<Attribute> read_root_attributes(const mpi::Comm& comm, const std::string& file);

/// Whether `file` holds `object` (every component of its path), opened read-only by the calling
/// process alone. False when `file` does not exist; IoError when it exists but is no readable
/// HDF5 file.
bool file_has_object(const std::string& file, const std::string& object);

/// A collectively written HDF5 file that appears at `target` only on commit(). Until then the
/// data go to a temporary file in the same folder, removed if the writer is destroyed without a
/// commit (for example while an exception propagates), so a failed run leaves `target` as it was.
class AtomicFileWriter {
 public:
  /// What the temporary file starts as.
  enum class Start {
    empty,           ///< a new, empty file: commit() replaces the target as a whole
    copy_of_target,  ///< a copy of an existing target (empty when there is none): objects are
                     ///< added to it and its other objects stay as they were
  };

  /// Collective. Throws IoError (on every rank) when the folder is not writable, or when the
  /// file system cannot give it `data_bytes` (what the datasets will hold) plus HDF5's own
  /// bytes (plus the target's size when starting from its copy): that is checked before the
  /// file exists, since a full disk met later, inside HDF5's collective close, can leave the
  /// ranks waiting on each other. 0 skips the check.
  /// With `keep_previous`, commit() first renames an existing target to `target.prev`.
  /// With Start::copy_of_target, an existing target that is no readable HDF5 file is IoError.
  AtomicFileWriter(const mpi::Comm& comm, std::string target, bool keep_previous = false,
                   std::int64_t data_bytes = 0, Start start = Start::empty);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  /// Creates a rows x cols dataset `name` of T and writes this rank's block of it (global row
  /// range `rows`, column range `cols`; `data` is that block, row-major). Collective.
  template <typename T>
  void write_block(const std::string& name, std::int64_t rows, std::int64_t cols, Range my_rows,
                   Range my_cols, const T* data);

  /// Writes a 1-D dataset of fixed-length UTF-8 strings; every rank passes the same list.
  void write_strings(const std::string& name, const std::vector<std::string>& values);

  /// Creates a 1-D dataset `name` of `total` elements of T (double, float or int64) and writes
  /// this rank's `count` elements at `offset`. Collective.
  template <typename T>
  void write_vector(const std::string& name, std::int64_t total, std::int64_t offset,
                    std::int64_t count, const T* data);

  /// Creates a group (e.g. for a sparse matrix), and the groups above it that do not exist
  /// yet. Collective.
  void create_group(const std::string& name);

  /// Whether the file being written holds `name` (e.g. in a copy of the target). Collective.
  bool has_object(const std::string& name) const;

  /// Unlinks `name` (a dataset or a group with everything under it). Collective.
  void remove_object(const std::string& name);

  /// Writes attributes on `object` (default: the root group); every rank passes the same list.
  /// Collective.
  void write_attributes(const std::vector<Attribute>& attrs, const std::string& object = "/");

  /// Closes the file and renames it over the target. Collective.
  void commit();

  const std::string& target() const { return target_; }

 private:
  void close();
  mpi::Comm comm_;
  std::string target_;
  std::string temp_;
  std::int64_t file_ = -1;  // hid_t
  bool committed_ = false;
  bool keep_previous_ = false;
};

}  // namespace dnmf::io
