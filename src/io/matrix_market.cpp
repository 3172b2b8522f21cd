#include "dnmf/io/matrix_market.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <numeric>
#include <sstream>
#include <utility>
#include <vector>

#include <zlib.h>

#include "dnmf/core/error.hpp"

namespace dnmf::io {
namespace {

/// A line source over a file or a string, counting lines for messages.
class Lines {
 public:
  virtual ~Lines() = default;
  /// The next line without its end-of-line, or false at the end.
  virtual bool next(std::string& line) = 0;
  virtual void rewind() = 0;
  std::int64_t number = 0;
};

/// Lines of a file, plain or gzip-compressed: zlib's gz* functions read both, deciding by the
/// content's first bytes (gzip's magic number), not by the file's name.
class FileLines : public Lines {
 public:
  explicit FileLines(const std::string& path) : path_(path) {
    errno = 0;
    f_ = gzopen(path.c_str(), "rb");
    if (!f_) {
      throw IoError("cannot read '" + path +
                    "': " + (errno ? std::strerror(errno) : "out of memory"));
    }
    gzbuffer(f_, 1 << 17);
  }
  ~FileLines() override { gzclose(f_); }
  FileLines(const FileLines&) = delete;
  FileLines& operator=(const FileLines&) = delete;
  bool next(std::string& line) override {
    line.clear();
    char buf[4096];
    for (;;) {
      if (!gzgets(f_, buf, sizeof buf)) {
        check_error();
        if (line.empty()) return false;
        break;  // a last line without its end-of-line
      }
      line.append(buf);
      if (!line.empty() && line.back() == '\n') break;
    }
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    ++number;
    return true;
  }
  void rewind() override {
    if (gzrewind(f_) != 0) check_error();
    number = 0;
  }

 private:
  /// Throws IoError when zlib reports a read error or corrupt compressed data.
  void check_error() {
    int code = Z_OK;
    const char* what = gzerror(f_, &code);
    if (code == Z_OK || code == Z_STREAM_END) return;
    if (code == Z_ERRNO) what = std::strerror(errno);
    throw IoError("cannot read '" + path_ + "': " + what);
  }
  std::string path_;
  gzFile f_ = nullptr;
};

class TextLines : public Lines {
 public:
  explicit TextLines(const std::string& text) : text_(text) {}
  bool next(std::string& line) override {
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos_ = end + 1;
    ++number;
    return true;
  }
  void rewind() override {
    pos_ = 0;
    number = 0;
  }

 private:
  const std::string& text_;
  std::size_t pos_ = 0;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

/// Reads the banner, comments and size line; leaves `lines` at the first entry.
MatrixMarketHeader read_header(Lines& lines, const std::string& name) {
  std::string line;
  if (!lines.next(line)) throw InputError("'" + name + "' is empty, not a Matrix Market file");
  std::istringstream banner(lower(line));
  std::string tag, object, format, field, symmetry;
  banner >> tag >> object >> format >> field >> symmetry;
  if (tag != "%%matrixmarket" || object != "matrix") {
    throw InputError("'" + name + "' line 1: not a Matrix Market header");
  }
  if (format != "coordinate") {
    throw InputError("'" + name + "': only the coordinate format is supported (got '" + format +
                     "')");
  }
  MatrixMarketHeader h;
  if (field == "pattern") {
    h.pattern = true;
  } else if (field != "real" && field != "integer" && field != "double") {
    throw InputError("'" + name + "': field '" + field +
                     "' is not supported (real, integer or pattern)");
  }
  if (symmetry == "symmetric") {
    h.symmetric = true;
  } else if (symmetry != "general") {
    throw InputError("'" + name + "': symmetry '" + symmetry +
                     "' is not supported (general or symmetric)");
  }
  while (lines.next(line)) {
    if (line.empty() || line[0] == '%' || blank(line)) continue;
    char* end = nullptr;
    const char* p = line.c_str();
    h.rows = std::strtoll(p, &end, 10);
    p = end;
    h.cols = std::strtoll(p, &end, 10);
    p = end;
    h.entries = std::strtoll(p, &end, 10);
    if (end == p || h.rows < 0 || h.cols < 0 || h.entries < 0 || !blank(end)) {
      throw InputError("'" + name + "' line " + std::to_string(lines.number) +
                       ": expected 'rows cols entries'");
    }
    if (h.rows > matrix_market_max_dim || h.cols > matrix_market_max_dim) {
      throw InputError("'" + name + "' line " + std::to_string(lines.number) + ": the size line '" +
                       line.substr(0, 80) + "' announces " + std::to_string(h.rows) + " x " +
                       std::to_string(h.cols) + ", more rows or columns than 2^31 - 1");
    }
    if (h.symmetric && h.rows != h.cols) {
      throw InputError("'" + name + "': a symmetric matrix must be square");
    }
    return h;
  }
  throw InputError("'" + name + "': no size line");
}

/// Calls f(row, col, value) (0-based) for every entry, mirrored ones included.
void for_each_entry(Lines& lines, const MatrixMarketHeader& h, const std::string& name,
                    const std::function<void(std::int64_t, std::int64_t, double)>& f) {
  std::string line;
  std::int64_t seen = 0;
  while (lines.next(line)) {
    if (line.empty() || line[0] == '%' || blank(line)) continue;
    auto fail = [&](const std::string& what) {
      return InputError("'" + name + "' line " + std::to_string(lines.number) + ": " + what);
    };
    if (seen == h.entries) throw fail("more entries than the size line announces");
    const char* p = line.c_str();
    char* end = nullptr;
    const long long i = std::strtoll(p, &end, 10);
    if (end == p) throw fail("expected 'row col" + std::string(h.pattern ? "'" : " value'"));
    p = end;
    const long long j = std::strtoll(p, &end, 10);
    if (end == p) throw fail("expected a column index");
    p = end;
    double v = 1.0;
    if (!h.pattern) {
      v = std::strtod(p, &end);
      if (end == p) throw fail("expected a value");
      p = end;
    }
    if (!blank(p)) throw fail("unexpected text after the entry");
    if (i < 1 || i > h.rows || j < 1 || j > h.cols) {
      throw fail("index (" + std::to_string(i) + ", " + std::to_string(j) + ") outside " +
                 std::to_string(h.rows) + " x " + std::to_string(h.cols));
    }
    if (h.symmetric && j > i) throw fail("a symmetric file stores only the lower triangle");
    f(i - 1, j - 1, v);
    if (h.symmetric && i != j) f(j - 1, i - 1, v);
    ++seen;
  }
  if (seen != h.entries) {
    throw InputError("'" + name + "': " + std::to_string(seen) +
                     " entries, but the size line says " + std::to_string(h.entries) +
                     " (truncated?)");
  }
}

Csr<double> parse(Lines& lines, const std::string& name, MatrixMarketHeader* out_header) {
  const MatrixMarketHeader h = read_header(lines, name);
  const std::int64_t size_line = lines.number;
  Csr<double> c;
  c.rows = h.rows;
  c.cols = h.cols;
  try {
    // One array of rows + 1 int64 is all the memory per row: it counts each row's entries, then
    // serves as the cursor that places them, and ends as the CSR row pointers.
    std::vector<std::int64_t>& pos = c.indptr;
    // Pass 1: entries per row (row i's count in pos[i + 1]), summed into row starts.
    pos.assign(static_cast<std::size_t>(h.rows) + 1, 0);
    for_each_entry(lines, h, name, [&](std::int64_t i, std::int64_t, double) { ++pos[i + 1]; });
    std::partial_sum(pos.begin(), pos.end(), pos.begin());
    // Pass 2: place the entries; pos[i] moves from row i's start to its end (row i + 1's start).
    std::vector<std::int64_t> indices(static_cast<std::size_t>(pos.back()));
    std::vector<double> values(indices.size());
    lines.rewind();
    read_header(lines, name);
    for_each_entry(lines, h, name, [&](std::int64_t i, std::int64_t j, double v) {
      indices[pos[i]] = j;
      values[pos[i]++] = v;
    });
    // Sort each row by column and sum duplicates (the canonical CSR form). Row r now spans
    // [end of row r - 1, pos[r]); it is written back compacted from `out` on, which never passes
    // the row's start, and pos[r] becomes its compacted end.
    std::vector<std::int64_t> order, row_indices;
    std::vector<double> row_values;
    std::int64_t begin = 0, out = 0;
    for (std::int64_t r = 0; r < h.rows; ++r) {
      const std::int64_t end = pos[static_cast<std::size_t>(r)];
      order.resize(static_cast<std::size_t>(end - begin));
      std::iota(order.begin(), order.end(), begin);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::int64_t a, std::int64_t b) { return indices[a] < indices[b]; });
      row_indices.clear();
      row_values.clear();
      for (std::int64_t e : order) {
        if (!row_indices.empty() && row_indices.back() == indices[e]) {
          row_values.back() += values[e];
        } else {
          row_indices.push_back(indices[e]);
          row_values.push_back(values[e]);
        }
      }
      std::copy(row_indices.begin(), row_indices.end(), indices.begin() + out);
      std::copy(row_values.begin(), row_values.end(), values.begin() + out);
      out += static_cast<std::int64_t>(row_indices.size());
      pos[static_cast<std::size_t>(r)] = out;
      begin = end;
    }
    // Row ends to row starts: shift by one, 0 first.
    std::copy_backward(pos.begin(), pos.end() - 1, pos.end());
    pos.front() = 0;
    indices.resize(static_cast<std::size_t>(out));
    values.resize(static_cast<std::size_t>(out));
    c.indices = std::move(indices);
    c.values = std::move(values);
  } catch (const std::bad_alloc&) {
    throw InputError("'" + name + "' line " + std::to_string(size_line) + ": a " +
                     std::to_string(h.rows) + " x " + std::to_string(h.cols) +
                     " matrix does not fit in this process's memory");
  }
  if (out_header) *out_header = h;
  return c;
}

}  // namespace

bool is_matrix_market(const std::string& path) {
  FileLines lines(path);
  std::string line;
  if (!lines.next(line)) return false;
  return lower(line.substr(0, 14)) == "%%matrixmarket";
}

Csr<double> read_matrix_market(const std::string& path, MatrixMarketHeader* header) {
  FileLines lines(path);
  return parse(lines, path, header);
}

Csr<double> parse_matrix_market(const std::string& text, MatrixMarketHeader* header) {
  TextLines lines(text);
  return parse(lines, "<text>", header);
}

}  // namespace dnmf::io
