// Attributes: every scalar attribute of a file's root group, read on rank 0 and broadcast, and
// the writer's attributes on any object.
#include <cstdio>
#include <cstdlib>

#include "dnmf/io/hdf5.hpp"
#include "hdf5_support.hpp"

namespace dnmf::io {
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
  h5::Attr attr(H5Aopen(loc, name, H5P_DEFAULT));
  if (!attr.ok()) return 0;
  h5::Dataspace space(H5Aget_space(attr.get()));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return 0;  // scalars only
  h5::Datatype type(H5Aget_type(attr.get()));
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
      out->push_back(Attribute::of(name, h5::string_attribute(loc, name)));
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
    h5::quiet();
    h5::check_readable_file(file);
    h5::File f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!f.ok()) throw IoError("cannot open '" + file + "' as HDF5 (corrupted or truncated?)");
    H5Aiterate2(f.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attribute, &attrs);
    encoded = encode(attrs);
  });
  comm.bcast(encoded, 0);
  return decode(encoded);
}

void AtomicFileWriter::write_attributes(const std::vector<Attribute>& attrs,
                                        const std::string& object) {
  h5::Object loc(H5Oopen(static_cast<hid_t>(file_), object.c_str(), H5P_DEFAULT));
  if (!loc.ok()) throw IoError("cannot open '" + object + "' in '" + temp_ + "'");
  h5::Dataspace scalar(H5Screate(H5S_SCALAR));
  h5::Datatype str_type(H5Tcopy(H5T_C_S1));
  H5Tset_size(str_type.get(), H5T_VARIABLE);
  H5Tset_cset(str_type.get(), H5T_CSET_UTF8);
  for (const Attribute& a : attrs) {
    const hid_t type = a.kind == Attribute::Kind::real   ? H5T_NATIVE_DOUBLE
                       : a.kind == Attribute::Kind::text ? str_type.get()
                                                         : H5T_NATIVE_INT64;
    const hsize_t n = a.integers.size();
    h5::Dataspace array_space(H5Screate_simple(1, &n, nullptr));
    const hid_t space = a.kind == Attribute::Kind::integers ? array_space.get() : scalar.get();
    h5::Attr attr(H5Acreate2(loc.get(), a.name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT));
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

}  // namespace dnmf::io
