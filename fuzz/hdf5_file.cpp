// Fuzz target: the HDF5 readers on arbitrary file contents. The input bytes are written to a
// scratch file, which is then probed and read the way `dnmf fit/info/transform` read their
// inputs: probe_dense and read_block of /X, the model file's root attributes, the names dataset.
//
// Properties: any file gives a result or a dnmf::Error with the exit code the interface gives
// to bad files (3: invalid input data, 4: unreadable/not HDF5/truncated), never an internal
// error, another exception, a crash, a hang or a sanitizer report; no HDF5 object is left open.
//
// libhdf5 itself is not instrumented, so coverage guides the fuzzer through our checks only;
// mutations of the seed files still reach HDF5's parser, whose crashes are reported separately.

#include <hdf5.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "dnmf/io/hdf5.hpp"
#include "fuzz_support.hpp"

namespace {
using dnmf::ExitCode;
namespace fz = dnmf::fuzz;

std::string g_file;

template <typename T>
void read_corner(const dnmf::io::DatasetInfo& info) {
  dnmf::Matrix<T> m;
  const dnmf::Range rows{0, std::min<std::int64_t>(info.rows, 3)};
  const dnmf::Range cols{0, std::min<std::int64_t>(info.cols, 3)};
  try {
    dnmf::io::read_block(fz::self_comm(), info.path, rows, cols, m);
  } catch (const dnmf::Error& e) {
    fz::expect_code(e, {ExitCode::input, ExitCode::io}, "read_block");
    return;
  }
  fz::expect(m.rows() == rows.size && m.cols() == cols.size, "read_block: wrong block shape");
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  g_file = fz::scratch_file("file");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(g_file.c_str(), "wb");
  if (!f) fz::fail("cannot write the scratch file " + g_file);
  if (size > 0) std::fwrite(data, 1, size, f);
  std::fclose(f);

  const dnmf::mpi::Comm& comm = fz::self_comm();
  const dnmf::io::ObjectPath path{g_file, "/X"};
  try {
    const dnmf::io::DatasetInfo info = dnmf::io::probe_dense(comm, path);
    fz::expect(info.rows >= 0 && info.cols >= 0, "probe_dense: negative shape " +
                                                     std::to_string(info.rows) + " x " +
                                                     std::to_string(info.cols));
    read_corner<double>(info);
    read_corner<float>(info);
  } catch (const dnmf::Error& e) {
    fz::expect_code(e, {ExitCode::input, ExitCode::io}, "probe_dense");
  }
  try {
    (void)dnmf::io::read_root_attributes(comm, g_file);
  } catch (const dnmf::Error& e) {
    fz::expect_code(e, {ExitCode::input, ExitCode::io}, "read_root_attributes");
  }
  try {
    (void)dnmf::io::read_strings(comm, {g_file, "/feature_names"});
  } catch (const dnmf::Error& e) {
    fz::expect_code(e, {ExitCode::input, ExitCode::io}, "read_strings");
  }
  const ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  fz::expect(open == 0, std::to_string(open) + " HDF5 object(s) left open by the readers");
  std::remove(g_file.c_str());
  return 0;
}
