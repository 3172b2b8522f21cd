// Fuzz target: the Matrix Market reader of `dnmf convert` (dnmf::io::parse_matrix_market, the
// in-memory twin of read_matrix_market: same parser, text instead of a file).
//
// Properties: any text gives a CSR matrix or an InputError (exit 3), never another error,
// exception, crash, hang or sanitizer report; a size line announcing more than
// matrix_market_max_dim rows or columns is refused; an accepted matrix has the header's shape and
// is canonical CSR (row pointers from 0 to nnz, non-decreasing; columns in range and strictly
// increasing within each row), with at most one stored entry per file entry (two if symmetric).

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "dnmf/io/matrix_market.hpp"
#include "fuzz_support.hpp"

namespace {
using dnmf::ExitCode;
namespace fz = dnmf::fuzz;

/// The rows and columns the size line announces (the first line after the banner that is not
/// blank or a comment), or 0 when there is none.
void announced_shape(const std::string& text, long long& rows, long long& cols) {
  rows = cols = 0;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // the banner
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '%' ||
        line.find_first_not_of(" \t\r\v\f") == std::string::npos) {
      continue;
    }
    char* end = nullptr;
    rows = std::strtoll(line.c_str(), &end, 10);
    cols = std::strtoll(end, nullptr, 10);
    return;
  }
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // A valid shape takes 8 bytes per row (the row pointers) whether the file has entries or not:
  // up to 16 GiB at matrix_market_max_dim rows, beyond the fuzzer's memory limit (4 GB). Skip
  // valid shapes of more than 2^22 rows (32 MiB), which only slow fuzzing down. Larger shapes
  // must be refused before anything is allocated (regression "mm-huge-shape": 2^63 - 1 rows
  // threw std::length_error, exit 1).
  long long rows = 0, cols = 0;
  announced_shape(text, rows, cols);
  const long long max_dim = dnmf::io::matrix_market_max_dim;
  if (rows > (1LL << 22) && rows <= max_dim && cols <= max_dim) return 0;

  dnmf::io::MatrixMarketHeader h;
  dnmf::Csr<double> c;
  try {
    c = dnmf::io::parse_matrix_market(text, &h);
  } catch (const dnmf::Error& e) {
    fz::expect_code(e, {ExitCode::input}, "parse_matrix_market");
    return 0;
  }
  fz::expect(c.rows == h.rows && c.cols == h.cols && h.rows >= 0 && h.cols >= 0,
             "parse_matrix_market: the matrix's shape differs from the header's");
  fz::expect(h.rows <= max_dim && h.cols <= max_dim,
             "parse_matrix_market accepted " + std::to_string(h.rows) + " x " +
                 std::to_string(h.cols) + ", more than matrix_market_max_dim");
  fz::expect(static_cast<std::int64_t>(c.indptr.size()) == c.rows + 1 && c.indptr.front() == 0 &&
                 c.indptr.back() == c.nnz() && c.indices.size() == c.values.size(),
             "parse_matrix_market: inconsistent CSR arrays");
  fz::expect(c.nnz() <= h.entries * (h.symmetric ? 2 : 1),
             "parse_matrix_market: more stored entries than the file has");
  for (std::int64_t r = 0; r < c.rows; ++r) {
    const auto b = c.indptr[static_cast<std::size_t>(r)],
               e = c.indptr[static_cast<std::size_t>(r) + 1];
    fz::expect(b <= e, "parse_matrix_market: row pointers decrease at row " + std::to_string(r));
    for (auto k = b; k < e; ++k) {
      const auto j = c.indices[static_cast<std::size_t>(k)];
      fz::expect(j >= 0 && j < c.cols, "parse_matrix_market: column index out of range");
      fz::expect(k == b || c.indices[static_cast<std::size_t>(k) - 1] < j,
                 "parse_matrix_market: row " + std::to_string(r) +
                     " is not sorted by column or repeats one");
    }
  }
  return 0;
}
