// Assembling a local CSR block from entries in any order (core/csr.hpp).
#include <gtest/gtest.h>

#include "dnmf/core/csr.hpp"

namespace dnmf {
namespace {

TEST(PackedPosition, KeepsBothHalves) {
  const std::uint64_t p = pack_position(0xfffffffe, 7);
  EXPECT_EQ(packed_row(p), 0xfffffffe);
  EXPECT_EQ(packed_col(p), 7);
  EXPECT_EQ(packed_col(pack_position(3, 0xffffffff)), 0xffffffff);
}

TEST(AssembleCsr, SortsRowsAndSumsDuplicatesInOrder) {
  // The example of the header: (1,0)=5 (0,2)=1 (1,0)=2 (0,1)=3.
  Csr<double> out;
  out.rows = 2;
  out.cols = 3;
  assemble_csr<double>(
      {pack_position(1, 0), pack_position(0, 2), pack_position(1, 0), pack_position(0, 1)},
      {5, 1, 2, 3}, out);
  EXPECT_EQ(out.indptr, (std::vector<std::int64_t>{0, 2, 3}));
  EXPECT_EQ(out.indices, (std::vector<std::int64_t>{1, 2, 0}));
  EXPECT_EQ(out.values, (std::vector<double>{3, 1, 7}));
}

TEST(AssembleCsr, SumsInArrivalOrder) {
  // 1e16 + 1 - 1e16 is 0 in doubles, 1e16 - 1e16 + 1 is 1: the order of the sum is kept.
  Csr<double> out;
  out.rows = 1;
  out.cols = 1;
  assemble_csr<double>({0, 0, 0}, {1e16, -1e16, 1}, out);
  EXPECT_EQ(out.values, (std::vector<double>{1}));
}

TEST(AssembleCsr, EmptyRowsAndNoEntries) {
  Csr<float> out;
  out.rows = 3;
  out.cols = 2;
  assemble_csr<float>({pack_position(2, 1)}, {4.f}, out);
  EXPECT_EQ(out.indptr, (std::vector<std::int64_t>{0, 0, 0, 1}));
  EXPECT_EQ(out.indices, (std::vector<std::int64_t>{1}));
  Csr<float> none;
  none.rows = 2;
  assemble_csr<float>({}, {}, none);
  EXPECT_EQ(none.indptr, (std::vector<std::int64_t>{0, 0, 0}));
  EXPECT_EQ(none.nnz(), 0);
}

}  // namespace
}  // namespace dnmf
