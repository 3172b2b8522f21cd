// Fuzz target: the HDF5 readers on valid files built from the fuzz bytes. The bytes choose what
// /X is (a dataset of rank 0-3 with any dims, or a group, a named datatype, a soft or hard link),
// its element type (integers, IEEE floats of either byte order, a 16-bit float, long double,
// strings, enum, compound, array, bitfield, opaque), its layout (contiguous, compact, chunked
// with shuffle/deflate/fletcher32) and contents, the root attributes (any names and values) and
// /feature_names; the file is written with the HDF5 C API and then read back by dnmf's readers.
//
// Properties (an oracle, not just "no crash"): probe_dense accepts exactly the 2-D numeric
// datasets of at most 2^28 chunks and reports their shape and element type; anything else is an
// InputError (exit 3);
// read_block returns the same numbers as a plain serial HDF5 read of the same block;
// read_root_attributes returns every scalar number or string attribute, names and values
// intact; read_strings returns /feature_names as written; no HDF5 object is left open.

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "dnmf/io/hdf5.hpp"
#include "fuzz_support.hpp"
#include "io/hdf5_handle.hpp"

namespace {
using dnmf::ExitCode;
namespace fz = dnmf::fuzz;
namespace h5 = dnmf::io::h5;

std::string g_file;

/// An element type chosen by the fuzz bytes; `numeric` when dnmf must accept it.
struct Type {
  hid_t id = -1;
  bool numeric = false;
  bool is_float = false;
  bool vlen_string = false;
};

Type make_type(fz::Choices& in) {
  Type t;
  switch (in.pick(20)) {
    case 0:
      t.id = H5Tcopy(H5T_NATIVE_SCHAR);
      break;
    case 1:
      t.id = H5Tcopy(H5T_NATIVE_UCHAR);
      break;
    case 2:
      t.id = H5Tcopy(H5T_STD_I16BE);
      break;
    case 3:
      t.id = H5Tcopy(H5T_NATIVE_USHORT);
      break;
    case 4:
      t.id = H5Tcopy(H5T_NATIVE_INT);
      break;
    case 5:
      t.id = H5Tcopy(H5T_STD_U32BE);
      break;
    case 6:
      t.id = H5Tcopy(H5T_NATIVE_LLONG);
      break;
    case 7:
      t.id = H5Tcopy(H5T_NATIVE_ULLONG);
      break;
    case 8:
      t.id = H5Tcopy(H5T_IEEE_F32LE);
      break;
    case 9:
      t.id = H5Tcopy(H5T_IEEE_F32BE);
      break;
    case 10:
      t.id = H5Tcopy(H5T_IEEE_F64LE);
      break;
    case 11:
      t.id = H5Tcopy(H5T_IEEE_F64BE);
      break;
    case 12: {  // IEEE half precision, which HDF5 1.10 has no predefined type for
      t.id = H5Tcopy(H5T_IEEE_F32LE);
      H5Tset_fields(t.id, 15, 10, 5, 0, 10);
      H5Tset_size(t.id, 2);
      H5Tset_precision(t.id, 16);
      H5Tset_ebias(t.id, 15);
      break;
    }
    case 13:
      t.id = H5Tcopy(H5T_NATIVE_LDOUBLE);
      break;
    case 14:
      t.id = H5Tcopy(H5T_C_S1);
      H5Tset_size(t.id, 1 + in.range(0, 15));
      break;
    case 15:
      t.id = H5Tcopy(H5T_C_S1);
      H5Tset_size(t.id, H5T_VARIABLE);
      t.vlen_string = true;
      break;
    case 16: {
      t.id = H5Tenum_create(H5T_NATIVE_INT);
      for (int v = 0; v < 3; ++v) {
        const std::string name = "e" + std::to_string(v);
        H5Tenum_insert(t.id, name.c_str(), &v);
      }
      break;
    }
    case 17:
      t.id = H5Tcreate(H5T_COMPOUND, sizeof(double));
      H5Tinsert(t.id, "x", 0, H5T_NATIVE_DOUBLE);
      break;
    case 18: {
      const hsize_t n = 2;
      t.id = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &n);
      break;
    }
    default:
      t.id = in.flag() ? H5Tcopy(H5T_NATIVE_B8) : H5Tcreate(H5T_OPAQUE, 3);
      break;
  }
  const H5T_class_t cls = H5Tget_class(t.id);
  t.numeric = cls == H5T_INTEGER || cls == H5T_FLOAT;
  t.is_float = cls == H5T_FLOAT;
  return t;
}

/// Creates dataset `name` of the fuzz-chosen shape, type, layout and contents. Returns its
/// rank and dims (-1 for a null dataspace) and type.
struct Written {
  int rank = -1;
  std::vector<hsize_t> dims;
  Type type;
  bool ok = false;
  hsize_t chunks = 0;  ///< number of chunks of a chunked dataset (saturating)
};

Written make_dataset(fz::Choices& in, hid_t file, const char* name) {
  Written w;
  w.type = make_type(in);
  const int shape = in.pick(8);  // weighted towards rank 2
  w.rank = shape == 0 ? -1 : shape == 1 ? 0 : shape == 2 ? 1 : shape == 3 ? 3 : 2;
  const bool huge = in.range(0, 15) == 0;  // dims far beyond memory, never written
  hsize_t npoints = 1;
  for (int d = 0; d < std::max(w.rank, 0); ++d) {
    // Huge dims reach up to HDF5's limit (below H5S_UNLIMITED), past what an int64_t holds.
    const hsize_t n = !huge       ? in.range(0, 9)
                      : in.flag() ? in.range(0, std::uint64_t{1} << 40)
                                  : in.range(0, H5S_UNLIMITED - 1);
    w.dims.push_back(n);
    npoints =
        (n != 0 && npoints > (std::uint64_t{1} << 62) / n) ? (std::uint64_t{1} << 62) : npoints * n;
  }
  h5::Dataspace space(w.rank < 0    ? H5Screate(H5S_NULL)
                      : w.rank == 0 ? H5Screate(H5S_SCALAR)
                                    : H5Screate_simple(w.rank, w.dims.data(), nullptr));
  h5::PropList dcpl(H5Pcreate(H5P_DATASET_CREATE));
  const std::size_t elem = H5Tget_size(w.type.id);
  const int layout = in.pick(3);
  const bool any_zero = std::find(w.dims.begin(), w.dims.end(), hsize_t{0}) != w.dims.end();
  if ((layout == 2 || huge) && w.rank > 0 && !any_zero) {
    std::vector<hsize_t> chunk(w.dims.size());
    w.chunks = 1;
    for (std::size_t d = 0; d < chunk.size(); ++d) {
      chunk[d] = 1 + in.range(0, std::min<hsize_t>(w.dims[d], 4) - 1);
      const hsize_t n = (w.dims[d] - 1) / chunk[d] + 1;
      w.chunks = w.chunks > UINT64_MAX / n ? UINT64_MAX : w.chunks * n;
    }
    H5Pset_chunk(dcpl.get(), w.rank, chunk.data());
    if (in.flag()) H5Pset_shuffle(dcpl.get());
    if (in.flag()) H5Pset_deflate(dcpl.get(), static_cast<unsigned>(in.range(0, 9)));
    if (in.flag()) H5Pset_fletcher32(dcpl.get());
  } else if (layout == 1 && !huge && npoints * elem < 16000) {
    H5Pset_layout(dcpl.get(), H5D_COMPACT);
  } else if (huge) {
    return w;  // a huge contiguous dataset would be allocated on disk
  }
  if (w.type.numeric && in.flag()) {
    std::vector<unsigned char> fill(elem);
    in.fill(fill.data(), elem);
    H5Pset_fill_value(dcpl.get(), w.type.id, fill.data());
  }
  h5::Dataset dset(
      H5Dcreate2(file, name, w.type.id, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  if (!dset.ok()) return w;
  w.ok = true;
  std::string& d = fz::case_description();
  d += std::string(" dataset ") + name + ": rank " + std::to_string(w.rank) + ", dims";
  for (hsize_t n : w.dims) d += " " + std::to_string(n);
  d += ", type class " + std::to_string(H5Tget_class(w.type.id)) + " size " + std::to_string(elem);
  const H5D_layout_t lay = H5Pget_layout(dcpl.get());
  d += lay == H5D_CHUNKED ? ", chunked" : lay == H5D_COMPACT ? ", compact" : ", contiguous";
  d += ", " + std::to_string(H5Pget_nfilters(dcpl.get())) + " filter(s)";
  if (w.chunks != 0) d += ", " + std::to_string(w.chunks) + " chunks";
  if (huge || w.rank < 0 || !in.flag()) return w;  // else leave the fill value
  d += ", written";
  if (w.type.vlen_string) {
    std::vector<std::string> text(npoints);
    std::vector<const char*> ptrs(npoints);
    for (hsize_t i = 0; i < npoints; ++i) {
      text[i] = in.text(6);
      ptrs[i] = text[i].c_str();
    }
    H5Dwrite(dset.get(), w.type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
  } else {
    std::vector<unsigned char> raw(npoints * elem);
    in.fill(raw.data(), raw.size());
    H5Dwrite(dset.get(), w.type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data());
  }
  return w;
}

/// Scalar root attributes dnmf must return, by name: float/int as double/int64, strings.
struct Attr {
  std::string name;
  dnmf::io::Attribute::Kind kind;
  double real = 0;
  std::int64_t integer = 0;
  std::string text;
};

std::vector<Attr> make_attributes(fz::Choices& in, hid_t file, std::vector<std::string>& all) {
  std::vector<Attr> expected;
  const int n = in.pick(4);
  for (int i = 0; i < n; ++i) {
    std::string name = in.text(8);
    name.erase(std::remove(name.begin(), name.end(), '\0'), name.end());
    if (name.empty() || name == ".") name = "a" + std::to_string(i);
    const int kind = in.pick(6);
    const bool scalar = kind == 5 ? false : true;
    h5::Dataspace space(scalar ? H5Screate(H5S_SCALAR) : [] {
      const hsize_t two = 2;
      return H5Screate_simple(1, &two, nullptr);
    }());
    h5::Datatype type;
    Attr a{name, dnmf::io::Attribute::Kind::real, 0, 0, {}};
    std::vector<unsigned char> raw(64, 0);
    std::string text;
    const char* vptr = nullptr;
    switch (kind) {
      case 0:
        type.reset(H5Tcopy(in.flag() ? H5T_IEEE_F64BE : H5T_NATIVE_FLOAT));
        break;
      case 1:
        type.reset(H5Tcopy(in.flag() ? H5T_STD_I64BE : H5T_NATIVE_UINT));
        a.kind = dnmf::io::Attribute::Kind::integer;
        break;
      case 2:
        type.reset(H5Tcopy(H5T_C_S1));
        H5Tset_size(type.get(), 1 + in.range(0, 20));
        a.kind = dnmf::io::Attribute::Kind::text;
        break;
      case 3:
        type.reset(H5Tcopy(H5T_C_S1));
        H5Tset_size(type.get(), H5T_VARIABLE);
        if (in.flag()) H5Tset_cset(type.get(), H5T_CSET_UTF8);
        a.kind = dnmf::io::Attribute::Kind::text;
        break;
      default:
        type.reset(H5Tcopy(H5T_NATIVE_DOUBLE));
        break;  // scalar or (kind 5) 1-D, skipped
    }
    h5::Attr attr(
        H5Acreate2(file, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.ok()) continue;  // e.g. a duplicate name
    all.push_back(name);
    if (kind == 3) {
      text = in.text(12);
      vptr = text.c_str();
      H5Awrite(attr.get(), type.get(), &vptr);
      a.text = std::string(text.c_str());  // a C string: up to the first NUL
    } else {
      in.fill(raw.data(), H5Tget_size(type.get()) * (scalar ? 1 : 2));
      H5Awrite(attr.get(), type.get(), raw.data());
      if (kind == 2) {
        a.text = std::string(
            reinterpret_cast<const char*>(raw.data()),
            strnlen(reinterpret_cast<const char*>(raw.data()), H5Tget_size(type.get())));
      } else if (a.kind == dnmf::io::Attribute::Kind::real) {
        H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &a.real);
      } else {
        H5Aread(attr.get(), H5T_NATIVE_INT64, &a.integer);
      }
    }
    if (scalar) expected.push_back(a);
  }
  return expected;
}

/// /feature_names: strings (fixed or variable length) of rank 1 or 2, or a number dataset.
/// Returns whether read_strings must accept it, and what it must return.
bool make_names(fz::Choices& in, hid_t file, std::vector<std::string>& expected) {
  const int kind = in.pick(5);
  if (kind == 0) return true;  // absent: an empty list
  const int rank = in.pick(6) == 0 ? 2 : 1;
  const hsize_t dims[2] = {in.range(0, 5), 1};
  const hsize_t n = dims[0];
  h5::Dataspace space(H5Screate_simple(rank, dims, nullptr));
  h5::Datatype type;
  std::vector<std::string> values(n);
  for (auto& v : values) v = in.text(10);
  if (kind == 1 || kind == 2) {
    type.reset(H5Tcopy(H5T_C_S1));
    H5Tset_size(type.get(), H5T_VARIABLE);
    if (kind == 2) H5Tset_cset(type.get(), H5T_CSET_UTF8);
  } else if (kind == 3) {
    type.reset(H5Tcopy(H5T_C_S1));
    H5Tset_size(type.get(), 1 + in.range(0, 11));
  } else {
    type.reset(H5Tcopy(H5T_NATIVE_INT));
  }
  h5::Dataset dset(H5Dcreate2(file, "feature_names", type.get(), space.get(), H5P_DEFAULT,
                              H5P_DEFAULT, H5P_DEFAULT));
  if (kind == 1 || kind == 2) {
    std::vector<const char*> ptrs(n);
    for (hsize_t i = 0; i < n; ++i) ptrs[i] = values[i].c_str();
    if (n > 0) H5Dwrite(dset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
    for (const auto& v : values) expected.emplace_back(v.c_str());
  } else if (kind == 3) {
    const std::size_t size = H5Tget_size(type.get());
    std::vector<char> buf(n * size, '\0');
    for (hsize_t i = 0; i < n; ++i) {
      std::memcpy(buf.data() + i * size, values[i].data(), std::min(size, values[i].size()));
      expected.emplace_back(buf.data() + i * size, strnlen(buf.data() + i * size, size));
    }
    if (n > 0) H5Dwrite(dset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
  } else {
    return false;
  }
  return rank == 1;
}

bool same(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

/// read_block against a serial HDF5 read of the same block, converted to T by HDF5.
template <typename T>
void check_block(fz::Choices& in, const dnmf::io::DatasetInfo& info) {
  const auto pick_range = [&](std::int64_t n) {
    const std::int64_t begin =
        static_cast<std::int64_t>(in.range(0, static_cast<std::uint64_t>(n)));
    const std::int64_t size = static_cast<std::int64_t>(
        in.range(0, static_cast<std::uint64_t>(std::min<std::int64_t>(n - begin, 6))));
    return dnmf::Range{begin, size};
  };
  const dnmf::Range rows = pick_range(info.rows), cols = pick_range(info.cols);
  dnmf::Matrix<T> got;
  if (std::getenv("DNMF_FUZZ_DEBUG")) {
    std::fprintf(stderr, "dnmf-fuzz: read_block rows [%lld, +%lld) cols [%lld, +%lld)\n",
                 static_cast<long long>(rows.begin), static_cast<long long>(rows.size),
                 static_cast<long long>(cols.begin), static_cast<long long>(cols.size));
  }
  try {
    dnmf::io::read_block(fz::self_comm(), info.path, rows, cols, got);
  } catch (const dnmf::Error& e) {
    // Regression "unallocated-empty-read": an empty block of a contiguous dataset that was never
    // written (no storage, every value the fill value) failed as a truncated file (exit 4).
    fz::fail("read_block<" + std::string(std::is_same_v<T, double> ? "double" : "float") +
             "> of rows [" + std::to_string(rows.begin) + ", " + std::to_string(rows.end()) +
             "), cols [" + std::to_string(cols.begin) + ", " + std::to_string(cols.end()) +
             ") failed on a valid dataset: " + e.what());
  }
  fz::expect(got.rows() == rows.size && got.cols() == cols.size, "read_block: wrong shape");
  if (rows.size == 0 || cols.size == 0) return;
  std::vector<T> want(static_cast<std::size_t>(rows.size * cols.size));
  h5::File file(H5Fopen(info.path.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  h5::Dataset dset(H5Dopen2(file.get(), info.path.object.c_str(), H5P_DEFAULT));
  h5::Dataspace fspace(H5Dget_space(dset.get()));
  const hsize_t start[2] = {static_cast<hsize_t>(rows.begin), static_cast<hsize_t>(cols.begin)};
  const hsize_t count[2] = {static_cast<hsize_t>(rows.size), static_cast<hsize_t>(cols.size)};
  H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
  h5::Dataspace mspace(H5Screate_simple(2, count, nullptr));
  const hid_t mem = std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
  if (H5Dread(dset.get(), mem, mspace.get(), fspace.get(), H5P_DEFAULT, want.data()) < 0) {
    fz::fail("the reference serial read failed where read_block succeeded");
  }
  for (std::int64_t i = 0; i < rows.size; ++i) {
    for (std::int64_t j = 0; j < cols.size; ++j) {
      const double a = got(i, j), b = want[static_cast<std::size_t>(i * cols.size + j)];
      if (!same(a, b)) {
        fz::fail("read_block: element (" + std::to_string(rows.begin + i) + ", " +
                 std::to_string(cols.begin + j) + ") is " + std::to_string(a) + ", the file has " +
                 std::to_string(b));
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  g_file = fz::scratch_file("structured");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fz::Choices in(data, size);
  fz::case_description().clear();
  // --- write the file ------------------------------------------------------------------------
  enum Kind { dataset, nested_dataset, group, named_type, soft_link, dangling_link, hard_link };
  const Kind kind = static_cast<Kind>(in.pick(7));
  const bool probe_missing = in.range(0, 15) == 0;
  Written w;
  std::vector<Attr> attrs;             // the scalar ones, which dnmf must return
  std::vector<std::string> attrs_all;  // every attribute's name
  std::vector<std::string> names;
  bool names_ok = true;
  std::string object = "/X";
  {
    h5::File file(H5Fcreate(g_file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    if (!file.ok()) fz::fail("cannot create the scratch file " + g_file);
    switch (kind) {
      case dataset:
        w = make_dataset(in, file.get(), "X");
        break;
      case nested_dataset: {
        h5::Group g(H5Gcreate2(file.get(), "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        w = make_dataset(in, g.get(), "X");
        object = "/g/X";
        break;
      }
      case group: {
        h5::Group g(H5Gcreate2(file.get(), "X", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        break;
      }
      case named_type: {
        Type t = make_type(in);
        H5Tcommit2(file.get(), "X", t.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Tclose(t.id);
        break;
      }
      case soft_link:
      case hard_link:
        w = make_dataset(in, file.get(), "data");
        if (kind == soft_link) {
          H5Lcreate_soft("/data", file.get(), "X", H5P_DEFAULT, H5P_DEFAULT);
        } else if (w.ok) {
          H5Lcreate_hard(file.get(), "data", file.get(), "X", H5P_DEFAULT, H5P_DEFAULT);
        }
        break;
      case dangling_link:
        H5Lcreate_soft("/nowhere", file.get(), "X", H5P_DEFAULT, H5P_DEFAULT);
        break;
    }
    if (w.type.id >= 0) H5Tclose(w.type.id);
    attrs = make_attributes(in, file.get(), attrs_all);
    names_ok = make_names(in, file.get(), names);
  }
  if (probe_missing) object = "/Y";
  fz::case_description() =
      "kind " + std::to_string(kind) + ", probing " + object + ";" + fz::case_description();
  // Only a dataset (reached directly, nested or through a link) that was created can be a matrix.
  const bool dataset_like =
      kind == dataset || kind == nested_dataset || kind == soft_link || kind == hard_link;
  const bool is_matrix = !probe_missing && dataset_like && w.ok && w.rank == 2 && w.type.numeric;

  if (std::getenv("DNMF_FUZZ_DEBUG"))
    std::fprintf(stderr, "dnmf-fuzz: case: %s\n", fz::case_description().c_str());

  // --- read it back through dnmf ---------------------------------------------------------------
  const dnmf::mpi::Comm& comm = fz::self_comm();
  const dnmf::io::ObjectPath path{g_file, object};
  // A shape whose element count does not fit an int64_t (HDF5 allows dims up to 2^64 - 2)
  // cannot be indexed by dnmf: it must be rejected as invalid input (exit 3).
  // Regression "huge-dims": probe_dense converted the dims with static_cast<int64_t> and
  // multiplied them unchecked, which is signed overflow (undefined behaviour; UBSan reports it)
  // and could give negative shapes.
  std::int64_t count = 0;
  const bool too_big = !probe_missing && dataset_like && w.ok && w.rank == 2 &&
                       (w.dims[0] > INT64_MAX || w.dims[1] > INT64_MAX ||
                        __builtin_mul_overflow(static_cast<std::int64_t>(w.dims[0]),
                                               static_cast<std::int64_t>(w.dims[1]), &count));
  // Regression "empty-read-chunk-count": HDF5 1.10 asks for 8 bytes per chunk of the dataset for
  // a read with an empty selection (a rank with an empty block): 11 TB for the 1.4 x 10^12
  // chunks of a 68 x 3.2e11 dataset in 4 x 4 chunks. probe_dense refuses more than 2^28 (exit 3).
  const bool too_many_chunks = !too_big && !probe_missing && dataset_like && w.ok && w.rank == 2 &&
                               w.chunks > (hsize_t{1} << 28);
  const auto check_matrix = [&] {
    try {
      const dnmf::io::DatasetInfo info = dnmf::io::probe_dense(comm, path);
      fz::expect(is_matrix, "probe_dense accepted " + object + " (kind " + std::to_string(kind) +
                                ", rank " + std::to_string(w.rank) + ")");
      fz::expect(!too_big, "probe_dense accepted a " + std::to_string(w.dims[0]) + " x " +
                               std::to_string(w.dims[1]) +
                               " dataset, more elements than int64 holds");
      fz::expect(!too_many_chunks, "probe_dense accepted a dataset of " + std::to_string(w.chunks) +
                                       " chunks, more than 2^28");
      fz::expect(info.rows == static_cast<std::int64_t>(w.dims[0]) &&
                     info.cols == static_cast<std::int64_t>(w.dims[1]),
                 "probe_dense: shape " + std::to_string(info.rows) + " x " +
                     std::to_string(info.cols) + ", the file has " + std::to_string(w.dims[0]) +
                     " x " + std::to_string(w.dims[1]));
      check_block<double>(in, info);
      check_block<float>(in, info);
    } catch (const dnmf::Error& e) {
      fz::expect(!is_matrix || too_big || too_many_chunks,
                 std::string("probe_dense rejected a 2-D numeric dataset: ") + e.what());
      // Regression "dangling-link": a soft link to nothing is a missing object (exit 3).
      fz::expect_code(e, {ExitCode::input}, "probe_dense on a valid HDF5 file, object " + object);
    }
  };
  check_matrix();  // regression "huge-dims": such shapes are refused, not overflowed

  // Regression "attribute-name-newline": names with line breaks survive the broadcast format.
  const auto check_attributes = [&] {
    try {
      const auto got = dnmf::io::read_root_attributes(comm, g_file);
      fz::expect(got.size() == attrs.size(),
                 "read_root_attributes returned " + std::to_string(got.size()) +
                     " attributes, the file has " + std::to_string(attrs.size()) + " scalar ones");
      for (const Attr& a : attrs) {
        const auto it = std::find_if(
            got.begin(), got.end(), [&](const dnmf::io::Attribute& g) { return g.name == a.name; });
        fz::expect(it != got.end(), "read_root_attributes lost attribute '" + a.name + "'");
        fz::expect(it->kind == a.kind, "attribute '" + a.name + "': wrong kind");
        fz::expect(a.kind != dnmf::io::Attribute::Kind::real || same(it->real, a.real),
                   "attribute '" + a.name + "': value changed");
        fz::expect(a.kind != dnmf::io::Attribute::Kind::integer || it->integer == a.integer,
                   "attribute '" + a.name + "': value changed");
        fz::expect(a.kind != dnmf::io::Attribute::Kind::text || it->text == a.text,
                   "attribute '" + a.name + "': text changed");
      }
    } catch (const dnmf::Error& e) {
      fz::fail(std::string("read_root_attributes failed on a valid file: ") + e.what());
    }
  };
  check_attributes();

  try {
    const auto got = dnmf::io::read_strings(comm, {g_file, "/feature_names"});
    fz::expect(names_ok, "read_strings accepted a /feature_names that is not 1-D strings");
    fz::expect(got == names, "read_strings: the names changed");
  } catch (const dnmf::Error& e) {
    fz::expect(!names_ok, std::string("read_strings rejected 1-D strings: ") + e.what());
    fz::expect_code(e, {ExitCode::input}, "read_strings on a valid file");
  }

  const ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  fz::expect(open == 0, std::to_string(open) + " HDF5 object(s) left open by the readers");
  std::remove(g_file.c_str());
  return 0;
}
