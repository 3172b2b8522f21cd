#include <algorithm>
#include <numeric>

#include "dnmf/io/sparse.hpp"

#include "dnmf/dist/balance.hpp"
#include "dnmf/dist/entry_exchange.hpp"
#include "hdf5_support.hpp"

namespace dnmf::io {
namespace {

/// Reads [begin, begin + count) of the 1-D dataset `name` in group `g` into `out`; every rank
/// of the file's communicator calls it (collective transfer), possibly with count 0.
template <typename T>
bool read_range(hid_t g, const char* name, std::int64_t begin, std::int64_t count,
                std::vector<T>& out) {
  out.resize(static_cast<std::size_t>(count));
  h5::Dataset d(H5Dopen2(g, name, H5P_DEFAULT));
  if (!d.ok()) return false;
  h5::Dataspace fs(H5Dget_space(d.get()));
  const hsize_t n = static_cast<hsize_t>(count);
  h5::Dataspace ms(H5Screate_simple(1, &n, nullptr));
  const hsize_t start = static_cast<hsize_t>(begin);
  h5::select_part(fs.get(), ms.get(), 1, &start, &n);
  // HDF5 1.10 fails a collective read of a dataset that has no storage yet (never written,
  // e.g. the empty indices of a matrix without entries); every rank sees the same status, so
  // all of them then read independently, which yields the fill value.
  H5D_space_status_t status = H5D_SPACE_STATUS_ERROR;
  H5Dget_space_status(d.get(), &status);
  h5::PropList x(H5Pcreate(H5P_DATASET_XFER));
  H5Pset_dxpl_mpio(
      x.get(), status == H5D_SPACE_STATUS_ALLOCATED ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT);
  if (count == 0 && status != H5D_SPACE_STATUS_ALLOCATED) return true;  // nothing to read
  return H5Dread(d.get(), h5::native_type<T>(), ms.get(), fs.get(), x.get(), out.data()) >= 0;
}

/// My share of a sparse group's major lines (CSR rows, CSC columns), as read.
template <typename T>
struct MyLines {
  Range lines;                        ///< global major indices of my lines
  std::vector<std::int64_t> indptr;   ///< lines.size + 1 offsets into the file's entries (or none)
  std::vector<std::int64_t> indices;  ///< the minor index of each of my entries
  std::vector<T> values;
  std::int64_t begin = 0;  ///< the file offset of my first entry
  std::int64_t count = 0;  ///< my entries
};

/// Reads my_slice(all, major) of the lines: my slice of indptr, then the matching indices and
/// data, all collective; checks the structure on the way, agreed on every rank (InputError
/// naming the group and the problem, IoError when a read fails).
template <typename T>
MyLines<T> read_my_lines(const DatasetInfo& info, const mpi::Comm& all) {
  const std::int64_t major = info.csc ? info.cols : info.rows;
  const std::int64_t minor = info.csc ? info.rows : info.cols;
  MyLines<T> my;
  my.lines = my_slice(all, major);
  const Range mine = my.lines;
  const std::int64_t first = mine.begin;  // global major index of my first line
  const std::string where = info.path.str();

  h5::PropList fapl(H5Pcreate(H5P_FILE_ACCESS));
  h5::set_mpio_access(fapl.get(), all.get());
  h5::File file(H5Fopen(info.path.file.c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!file.ok()) throw IoError("cannot open '" + info.path.file + "' for a parallel read");
  h5::Group g(H5Gopen2(file.get(), info.path.object.c_str(), H5P_DEFAULT));

  std::vector<std::int64_t>& indptr = my.indptr;
  std::exception_ptr problem;
  const bool ok_ptr =
      read_range(g.get(), "indptr", first, mine.size > 0 ? mine.size + 1 : 0, indptr);
  if (!ok_ptr) problem = std::make_exception_ptr(IoError("cannot read '" + where + "/indptr'"));
  if (!problem && mine.size > 0) {
    for (std::size_t i = 1; i < indptr.size(); ++i) {
      if (indptr[i] < indptr[i - 1]) {
        problem = std::make_exception_ptr(InputError(
            "invalid sparse structure in '" + where + "': indptr decreases at position " +
            std::to_string(first + static_cast<std::int64_t>(i))));
        break;
      }
    }
    if (first == 0 && indptr.front() != 0) {
      problem = std::make_exception_ptr(
          InputError("invalid sparse structure in '" + where + "': indptr does not start at 0"));
    }
    if (first + mine.size == major && indptr.back() != info.nnz) {
      problem = std::make_exception_ptr(
          InputError("invalid sparse structure in '" + where + "': indptr ends at " +
                     std::to_string(indptr.back()) + ", but there are " + std::to_string(info.nnz) +
                     " entries"));
    }
    if (indptr.front() < 0 || indptr.back() > info.nnz) {
      problem = std::make_exception_ptr(InputError("invalid sparse structure in '" + where +
                                                   "': indptr points outside the data"));
    }
    if (!problem) {
      my.begin = indptr.front();
      my.count = indptr.back() - indptr.front();
    }
  }
  mpi::raise_if_any(all, problem);

  bool ok = read_range(g.get(), "indices", my.begin, my.count, my.indices);
  ok = read_range(g.get(), "data", my.begin, my.count, my.values) && ok;
  if (!ok) problem = std::make_exception_ptr(IoError("cannot read '" + where + "' (truncated?)"));
  for (std::int64_t e = 0; e < my.count && !problem; ++e) {
    if (my.indices[e] < 0 || my.indices[e] >= minor) {
      problem = std::make_exception_ptr(InputError(
          "invalid sparse structure in '" + where + "': index " + std::to_string(my.indices[e]) +
          " out of range [0, " + std::to_string(minor) + ")"));
    }
  }
  mpi::raise_if_any(all, problem);
  return my;
}

/// What choose_cuts needs to know of my lines (dist/balance.hpp): line lengths from my indptr
/// slice, minor counts from my indices (duplicates count as entries here). Refers to `my`.
template <typename T>
EntryCounts entry_counts_of(const MyLines<T>& my, const mpi::Comm& all, std::int64_t minor,
                            int minor_parts) {
  EntryCounts counts;
  counts.line_weights = [&my](const Permutation& pm) {
    std::vector<std::int64_t> pairs(static_cast<std::size_t>(2 * my.lines.size));
    for (std::int64_t line = 0; line < my.lines.size; ++line) {
      pairs[2 * line] = pm.position(my.lines.begin + line);
      pairs[2 * line + 1] = my.indptr[line + 1] - my.indptr[line];
    }
    return pairs;
  };
  counts.minor_weights = [&my, &all, minor](const Permutation& pn) {
    std::vector<std::int64_t> items(my.indices.size());
    for (std::size_t e = 0; e < my.indices.size(); ++e) items[e] = pn.position(my.indices[e]);
    return count_into_slices(all, minor, std::move(items));
  };
  counts.block_counts = [&my, minor_parts](const Axis& ma, const Axis& mi) {
    std::vector<std::int64_t> blocks(static_cast<std::size_t>(ma.parts() * minor_parts), 0);
    for (std::int64_t line = 0; line < my.lines.size; ++line) {
      const int a = ma.block_of(ma.position(my.lines.begin + line));
      for (std::int64_t e = my.indptr[line] - my.begin; e < my.indptr[line + 1] - my.begin; ++e)
        ++blocks[static_cast<std::size_t>(a * minor_parts +
                                          mi.block_of(mi.position(my.indices[e])))];
    }
    return blocks;
  };
  return counts;
}

/// Sends my lines (as read) to the ranks owning their blocks, on the axes `major` (the lines'
/// axis: rows of a CSR file, columns of a CSC one) and `minor`; my block's entries as a CSR.
template <typename T>
Csr<T> send_lines_to_blocks(const DatasetInfo& info, const ProcessGrid& grid, const Axis& major,
                            const Axis& minor, MyLines<T> my) {
  const Axis& row_axis = info.csc ? minor : major;
  const Axis& col_axis = info.csc ? major : minor;
  // Each entry travels with its row and column within the destination's block, 32 bits each.
  const std::int64_t longest = std::max(row_axis.longest_block(), col_axis.longest_block());
  if (longest > max_packed_extent) {
    throw InputError("'" + info.path.str() + "' is too large for this grid: a block would have " +
                     std::to_string(longest) +
                     " rows or columns (at most 2^32 - 1); use more ranks");
  }
  // My entries by their positions on the axes, lines from 0 in my slice.
  LineEntries<T> entries;
  entries.lines_are_columns = info.csc;
  entries.line_pos.resize(static_cast<std::size_t>(my.lines.size));
  for (std::int64_t line = 0; line < my.lines.size; ++line)
    entries.line_pos[line] = major.position(my.lines.begin + line);
  entries.line_start = std::move(my.indptr);
  for (std::int64_t& s : entries.line_start) s -= my.begin;
  entries.cross_pos = std::move(my.indices);
  for (std::int64_t& m : entries.cross_pos) m = minor.position(m);
  entries.values = std::move(my.values);
  BlockEntries<T> got = send_entries_to_blocks(grid, row_axis, col_axis, std::move(entries));
  Csr<T> out;
  out.rows = row_axis.block(grid.my_row()).size;
  out.cols = col_axis.block(grid.my_col()).size;
  assemble_csr(std::move(got.positions), std::move(got.values), out);
  return out;
}

}  // namespace

template <typename T>
DistMatrix<T> read_sparse(const DatasetInfo& info, const ProcessGrid& grid) {
  const bool csc = info.csc;
  const mpi::Comm& all = grid.all();
  const std::int64_t major = csc ? info.cols : info.rows, minor = csc ? info.rows : info.cols;
  MyLines<T> my = read_my_lines<T>(info, all);

  // Cut both dimensions into blocks of about equal entry counts.
  const int major_parts = csc ? grid.pc() : grid.pr(), minor_parts = csc ? grid.pr() : grid.pc();
  const SparseCuts cuts = choose_cuts(all, major, minor, major_parts, minor_parts,
                                      entry_counts_of(my, all, minor, minor_parts));
  const Axis& row_axis = csc ? cuts.minor : cuts.major;
  const Axis& col_axis = csc ? cuts.major : cuts.minor;
  DistMatrix<T> x(grid, row_axis, col_axis, Storage::sparse);
  x.csr() = send_lines_to_blocks(info, grid, cuts.major, cuts.minor, std::move(my));
  return x;
}

template <typename T>
Csr<T> read_entries_on(const DatasetInfo& info, const ProcessGrid& grid, const Axis& rows,
                       const Axis& cols) {
  if (info.sparse) {
    MyLines<T> my = read_my_lines<T>(info, grid.all());
    return info.csc ? send_lines_to_blocks(info, grid, cols, rows, std::move(my))
                    : send_lines_to_blocks(info, grid, rows, cols, std::move(my));
  }
  // A dense dataset: my share of its rows, a slice at a time, keeping the nonzero entries.
  MyLines<T> my;
  my.lines = my_slice(grid.all(), info.rows);
  my.indptr.assign(1, 0);
  read_block_in_slices<T>(grid.all(), info.path, my.lines, Range{0, info.cols},
                          [&](std::int64_t, const Matrix<T>& part) {
                            for (std::int64_t i = 0; i < part.rows(); ++i) {
                              for (std::int64_t j = 0; j < info.cols; ++j)
                                if (part(i, j) != T(0)) {
                                  my.indices.push_back(j);
                                  my.values.push_back(part(i, j));
                                }
                              my.indptr.push_back(static_cast<std::int64_t>(my.indices.size()));
                            }
                          });
  my.count = static_cast<std::int64_t>(my.indices.size());
  return send_lines_to_blocks(info, grid, rows, cols, std::move(my));
}

SparseLayout sparse_layout(const DatasetInfo& info, int pr, int pc) {
  h5::File file(H5Fopen(info.path.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file.ok()) throw IoError("cannot open '" + info.path.file + "'");
  h5::Group g(H5Gopen2(file.get(), info.path.object.c_str(), H5P_DEFAULT));
  const std::int64_t major = info.csc ? info.cols : info.rows;
  const std::int64_t minor = info.csc ? info.rows : info.cols;
  const int major_parts = info.csc ? pc : pr, minor_parts = info.csc ? pr : pc;
  // Serial reads on this one process, indices streamed in chunks.
  auto read_serial = [&](const char* name, std::int64_t begin, std::int64_t n,
                         std::vector<std::int64_t>& out) {
    out.resize(static_cast<std::size_t>(n));
    h5::Dataset d(H5Dopen2(g.get(), name, H5P_DEFAULT));
    h5::Dataspace fs(H5Dget_space(d.get()));
    const hsize_t cnt = static_cast<hsize_t>(n), st = static_cast<hsize_t>(begin);
    h5::Dataspace ms(H5Screate_simple(1, &cnt, nullptr));
    H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, &st, nullptr, &cnt, nullptr);
    if (n > 0 &&
        H5Dread(d.get(), H5T_NATIVE_INT64, ms.get(), fs.get(), H5P_DEFAULT, out.data()) < 0) {
      throw IoError("cannot read '" + info.path.str() + "/" + name + "'");
    }
  };
  constexpr std::int64_t chunk = 1 << 20;
  std::vector<std::int64_t> ptr, idx;
  read_serial("indptr", 0, major + 1, ptr);
  auto for_each_index = [&](auto&& body) {  // body(major line, minor index)
    std::int64_t line = 0;
    for (std::int64_t c0 = 0; c0 < ptr[major]; c0 += chunk) {
      const std::int64_t n = std::min(chunk, ptr[major] - c0);
      read_serial("indices", c0, n, idx);
      for (std::int64_t e = 0; e < n; ++e) {
        while (line < major && ptr[line + 1] <= c0 + e) ++line;
        if (line >= major || idx[e] < 0 || idx[e] >= minor || ptr[line] < 0) {
          throw InputError("invalid sparse structure in '" + info.path.str() + "'");
        }
        body(line, idx[e]);
      }
    }
  };
  // The cuts read_sparse makes on any number of ranks: choose_cuts on this one process.
  const mpi::Comm self = mpi::Comm::wrap(MPI_COMM_SELF);
  EntryCounts counts;
  counts.line_weights = [&](const Permutation& pm) {
    std::vector<std::int64_t> pairs(static_cast<std::size_t>(2 * major));
    for (std::int64_t i = 0; i < major; ++i) {
      pairs[2 * i] = pm.position(i);
      pairs[2 * i + 1] = ptr[i + 1] - ptr[i];
    }
    return pairs;
  };
  counts.minor_weights = [&](const Permutation& pn) {
    std::vector<std::int64_t> weights(static_cast<std::size_t>(minor), 0);
    for_each_index([&](std::int64_t, std::int64_t m) { ++weights[pn.position(m)]; });
    return weights;
  };
  counts.block_counts = [&](const Axis& ma, const Axis& mi) {
    std::vector<std::int64_t> blocks(static_cast<std::size_t>(pr * pc), 0);
    for_each_index([&](std::int64_t line, std::int64_t m) {
      ++blocks[static_cast<std::size_t>(ma.block_of(ma.position(line)) * mi.parts() +
                                        mi.block_of(mi.position(m)))];
    });
    return blocks;
  };
  const SparseCuts cuts = choose_cuts(self, major, minor, major_parts, minor_parts, counts);
  SparseLayout out{info.csc ? cuts.minor : cuts.major, info.csc ? cuts.major : cuts.minor,
                   std::vector<std::int64_t>(static_cast<std::size_t>(pr * pc), 0)};
  for_each_index([&](std::int64_t line, std::int64_t m) {
    const int a = cuts.major.block_of(cuts.major.position(line));
    const int b = cuts.minor.block_of(cuts.minor.position(m));
    ++out.block_nnz[static_cast<std::size_t>(info.csc ? block_owner(b, a, pc)
                                                      : block_owner(a, b, pc))];
  });
  return out;
}

template DistMatrix<double> read_sparse<double>(const DatasetInfo&, const ProcessGrid&);
template DistMatrix<float> read_sparse<float>(const DatasetInfo&, const ProcessGrid&);
template Csr<double> read_entries_on<double>(const DatasetInfo&, const ProcessGrid&, const Axis&,
                                             const Axis&);
template Csr<float> read_entries_on<float>(const DatasetInfo&, const ProcessGrid&, const Axis&,
                                           const Axis&);

}  // namespace dnmf::io
