#include "hdf5_support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "dnmf/core/error.hpp"

namespace dnmf::io::h5 {
namespace fs = std::filesystem;

void set_mpio_access(hid_t fapl, MPI_Comm comm) {
  const char* env = std::getenv("DNMF_CB_BUFFER_SIZE");
  const std::string bytes = env && *env ? env : "4194304";
  MPI_Info info;
  MPI_Info_create(&info);
  MPI_Info_set(info, "cb_buffer_size", bytes.c_str());
  H5Pset_fapl_mpio(fapl, comm, info);  // HDF5 keeps its own copy
  MPI_Info_free(&info);
}

void quiet() {
  static const bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

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

std::string string_attribute(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  Attr attr(H5Aopen(obj, name, H5P_DEFAULT));
  Datatype type(H5Aget_type(attr.get()));
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  std::string text;
  if (H5Tis_variable_str(type.get()) > 0) {
    char* v = nullptr;
    Datatype mem(H5Tcopy(H5T_C_S1));
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

void select_part(hid_t file_space, hid_t mem_space, int ndims, const hsize_t* start,
                 const hsize_t* count) {
  bool empty = false;
  for (int d = 0; d < ndims; ++d) empty = empty || count[d] == 0;
  if (empty) {
    H5Sselect_none(file_space);
    H5Sselect_none(mem_space);
  } else {
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
  }
}

}  // namespace dnmf::io::h5
