// Collective HDF5 writes and block reads round-trip; a writer that is not committed leaves the
// target untouched.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dnmf/io/hdf5.hpp"
#include "test_helpers.hpp"

namespace dnmf {
namespace {
namespace fs = std::filesystem;

/// A scratch folder agreed by all ranks (rank 0's pid), removed at the end.
class ScratchDir {
 public:
  explicit ScratchDir(const mpi::Comm& comm) : comm_(comm) {
    std::string path;
    if (comm.rank() == 0) {
      path = (fs::temp_directory_path() / ("dnmf-io-" + std::to_string(::getpid()))).string();
      fs::create_directories(path);
    }
    comm.bcast(path, 0);
    path_ = path;
  }
  ~ScratchDir() {
    comm_.barrier();
    if (comm_.rank() == 0) fs::remove_all(path_);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  mpi::Comm comm_;
  fs::path path_;
};

TEST(Hdf5, BlockWriteThenBlockReadRoundTrips) {
  const mpi::Comm comm = test::world_comm();
  const ScratchDir dir(comm);
  const std::int64_t m = 13, n = 6;
  const Matrix<double> global = test::global_random(m, n, 5);
  for (const GridShape shape : test::all_grids(comm.size())) {
    SCOPED_TRACE(shape.str());
    const ProcessGrid grid(comm, shape);
    DistMatrix<double> x(grid, m, n);
    test::scatter_block(global, x);
    const std::string path = dir.file("x.h5");
    {
      io::AtomicFileWriter w(comm, path);
      w.write_block("X", m, n, x.row_range(), x.col_range(), x.local().data());
      w.write_attributes({io::Attribute::of("n_iter_", std::int64_t{7}),
                          io::Attribute::of("tol", 0.5),
                          io::Attribute::of("solver", std::string("mu"))});
      w.commit();
    }
    const io::DatasetInfo info = io::probe_dense(comm, io::parse_object_path(path));
    EXPECT_EQ(info.rows, m);
    EXPECT_EQ(info.cols, n);
    EXPECT_EQ(info.type, io::ElementType::float64);
    // Read a different partition than the one written: transposed grid roles.
    Matrix<float> back;
    const Range rows = block_range(m, comm.size(), comm.size() - 1 - comm.rank());
    io::read_block(comm, io::parse_object_path(path), rows, Range{1, n - 1}, back);
    for (std::int64_t i = 0; i < rows.size; ++i)
      for (std::int64_t j = 0; j < n - 1; ++j)
        EXPECT_EQ(back(i, j), static_cast<float>(global(rows.begin + i, j + 1)));
  }
}

TEST(Hdf5, UncommittedWriterLeavesTargetUntouched) {
  const mpi::Comm comm = test::world_comm();
  const ScratchDir dir(comm);
  const std::string path = dir.file("keep.h5");
  if (comm.rank() == 0) std::ofstream(path) << "precious";
  comm.barrier();
  try {
    io::AtomicFileWriter w(comm, path);
    mpi::agree(comm, [] { throw InputError("simulated failure mid-write"); });
  } catch (const Error&) {
  }
  comm.barrier();
  if (comm.rank() == 0) {
    std::ifstream in(path);
    std::string text;
    in >> text;
    EXPECT_EQ(text, "precious");
    int entries = 0;
    for (const auto& e : fs::directory_iterator(fs::path(path).parent_path())) {
      (void)e;
      ++entries;
    }
    EXPECT_EQ(entries, 1) << "temporary file left behind";
  }
}

/// The bytes of a file, on the calling rank.
std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(Hdf5, WriterStartingFromACopyKeepsTheTargetsOtherObjects) {
  const mpi::Comm comm = test::world_comm();
  const ScratchDir dir(comm);
  const std::string path = dir.file("both.h5");
  const std::int64_t m = 9, n = 4;
  const Matrix<double> global = test::global_random(m, n, 3);
  const Range mine = block_range(m, comm.size(), comm.rank());
  auto block = [&](std::int64_t shift) {
    std::vector<double> b;
    for (std::int64_t i = mine.begin; i < mine.end(); ++i)
      for (std::int64_t j = 0; j < n; ++j) b.push_back(global(i, j) + double(shift));
    return b;
  };
  {
    io::AtomicFileWriter w(comm, path);
    w.write_block("keep", m, n, mine, Range{0, n}, block(0).data());
    w.write_attributes({io::Attribute::of("note", std::string("mine"))});
    w.commit();
  }
  // A copy that is not committed leaves the file as it was, with no temporary left.
  const std::string before = comm.rank() == 0 ? file_bytes(path) : "";
  try {
    io::AtomicFileWriter w(comm, path, false, 1024, io::AtomicFileWriter::Start::copy_of_target);
    EXPECT_TRUE(w.has_object("/keep"));
    mpi::agree(comm, [] { throw InputError("simulated failure mid-write"); });
  } catch (const Error&) {
  }
  comm.barrier();
  if (comm.rank() == 0) {
    EXPECT_EQ(file_bytes(path), before);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.file("")), fs::directory_iterator()), 1);
  }
  {
    io::AtomicFileWriter w(comm, path, false, 1024, io::AtomicFileWriter::Start::copy_of_target);
    w.create_group("/deep/er");  // its parent is created too
    w.write_block("/deep/er/added", m, n, mine, Range{0, n}, block(100).data());
    w.commit();
  }
  EXPECT_TRUE(io::file_has_object(path, "/keep"));
  EXPECT_TRUE(io::file_has_object(path, "/deep/er/added"));
  EXPECT_FALSE(io::file_has_object(path, "/deep/nothing"));
  const std::vector<io::Attribute> attrs = io::read_root_attributes(comm, path);
  ASSERT_EQ(attrs.size(), 1u);
  EXPECT_EQ(attrs[0].text, "mine");
  for (const auto& [object, shift] :
       {std::pair<const char*, int>{"/keep", 0}, {"/deep/er/added", 100}}) {
    Matrix<double> back;
    io::read_block(comm, io::ObjectPath{path, object}, mine, Range{0, n}, back);
    for (std::int64_t i = 0; i < mine.size; ++i)
      for (std::int64_t j = 0; j < n; ++j)
        EXPECT_EQ(back(i, j), global(mine.begin + i, j) + shift) << object;
  }
}

TEST(Hdf5, ProbeReportsMissingFileAndObjectOnEveryRank) {
  const mpi::Comm comm = test::world_comm();
  const ScratchDir dir(comm);
  try {
    io::probe_dense(comm, io::parse_object_path(dir.file("nope.h5")));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::io);
  }
  const std::string path = dir.file("x.h5");
  {
    io::AtomicFileWriter w(comm, path);
    const Matrix<double> one(1, 1, 1.0);
    w.write_block("X", 1, 1, comm.rank() == 0 ? Range{0, 1} : Range{0, 0}, Range{0, 1}, one.data());
    w.commit();
  }
  try {
    io::probe_dense(comm, io::parse_object_path(path + ":/missing/X"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::input);
    EXPECT_NE(std::string(e.what()).find("/missing/X"), std::string::npos);
  }
}

TEST(Hdf5, ObjectPathParsing) {
  EXPECT_EQ(io::parse_object_path("a.h5").object, "/X");
  EXPECT_EQ(io::parse_object_path("a.h5:/grp/Y").file, "a.h5");
  EXPECT_EQ(io::parse_object_path("a.h5:/grp/Y").object, "/grp/Y");
  EXPECT_EQ(io::parse_object_path("dir:x/a.h5:/Y").file, "dir:x/a.h5");
}

}  // namespace
}  // namespace dnmf
