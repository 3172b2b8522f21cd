#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <cstdint>
#include <string>
#include <vector>

#include "dnmf/core/error.hpp"
#include "dnmf/io/matrix_market.hpp"

namespace dnmf::io {
namespace {

using Ints = std::vector<std::int64_t>;

/// The message of the InputError that parsing `text` raises, or "" when it raises none.
std::string input_error(const std::string& text) {
  try {
    parse_matrix_market(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(MatrixMarket, RowsSortedByColumnWithDuplicatesSummed) {
  // 3 x 4, row 1 empty; row 0 given out of order with (1, 3) twice.
  const Csr<double> c = parse_matrix_market(
      "%%MatrixMarket matrix coordinate real general\n% a comment\n3 4 5\n"
      "1 3 2.0\n3 1 5.0\n1 1 1.0\n1 3 0.5\n3 4 -1.0\n");
  EXPECT_EQ(c.rows, 3);
  EXPECT_EQ(c.cols, 4);
  EXPECT_EQ(c.indptr, (Ints{0, 2, 2, 4}));
  EXPECT_EQ(c.indices, (Ints{0, 2, 0, 3}));
  EXPECT_EQ(c.values, (std::vector<double>{1.0, 2.5, 5.0, -1.0}));
}

TEST(MatrixMarket, SymmetricEntriesAreMirrored) {
  const Csr<double> c = parse_matrix_market(
      "%%MatrixMarket matrix coordinate pattern symmetric\n3 3 3\n2 1\n3 3\n3 1\n");
  EXPECT_EQ(c.indptr, (Ints{0, 2, 3, 5}));
  EXPECT_EQ(c.indices, (Ints{1, 2, 0, 0, 2}));
  EXPECT_EQ(c.values, (std::vector<double>(5, 1.0)));
}

TEST(MatrixMarket, EmptyRowsNeedNoEntries) {
  const Csr<double> c =
      parse_matrix_market("%%MatrixMarket matrix coordinate real general\n4 2 0\n");
  EXPECT_EQ(c.indptr, (Ints{0, 0, 0, 0, 0}));
  EXPECT_EQ(c.nnz(), 0);
}

// Regression "mm-huge-shape" (fuzz/regressions/matrix_market/): the row pointers were sized from
// the size line before any entry was read (2^63 - 1 rows: std::length_error, exit 1).
TEST(MatrixMarket, HugeShapeIsRefusedNamingTheSizeLine) {
  const std::string banner = "%%MatrixMarket matrix coordinate real general\n%\n";
  for (const std::string size : {"9223372036854775807 1 0", "2147483648 1 0", "1 2147483648 0",
                                 "99999999999999999999 1 0"}) {
    const std::string what = input_error(banner + size + "\n");
    EXPECT_NE(what.find("line 3"), std::string::npos) << size << ": " << what;
    EXPECT_NE(what.find(size), std::string::npos) << size << ": " << what;
  }
  EXPECT_EQ(matrix_market_max_dim, 2147483647);
  EXPECT_EQ(input_error(banner + "2 2147483647 1\n2 2147483647 1.0\n"), "");
}

// Files are recognised by their content: a gzip-compressed file, an upper-case or missing
// extension all read like the plain file.
TEST(MatrixMarket, GzipAndAnyNameReadByContent) {
  const std::string text =
      "%%MatrixMarket matrix coordinate real general\n3 4 3\n1 3 2.0\n3 1 5.0\n2 4 1.5";
  const auto dir =
      std::filesystem::temp_directory_path() / ("dnmf_mm_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string plain = (dir / "X.MTX").string(), bare = (dir / "matrix").string(),
                    gz = (dir / "x.mtx.gz").string(), other = (dir / "notes.txt").string();
  std::ofstream(plain) << text;
  std::ofstream(bare) << text;
  std::ofstream(other) << "just text\n";
  gzFile g = gzopen(gz.c_str(), "wb");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(gzwrite(g, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  ASSERT_EQ(gzclose(g), Z_OK);

  const Csr<double> want = parse_matrix_market(text);
  for (const std::string& f : {plain, bare, gz}) {
    EXPECT_TRUE(is_matrix_market(f)) << f;
    const Csr<double> c = read_matrix_market(f);
    EXPECT_EQ(c.indptr, want.indptr) << f;
    EXPECT_EQ(c.indices, want.indices) << f;
    EXPECT_EQ(c.values, want.values) << f;
  }
  EXPECT_FALSE(is_matrix_market(other));
  EXPECT_THROW(is_matrix_market((dir / "absent.mtx").string()), IoError);
  // A damaged compressed file is an I/O error, not a silently short matrix.
  {
    std::ifstream in(gz, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes.resize(bytes.size() / 2);
    std::ofstream(gz, std::ios::binary | std::ios::trunc) << bytes;
  }
  EXPECT_THROW(read_matrix_market(gz), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dnmf::io
