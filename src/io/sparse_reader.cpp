#include <hdf5.h>

#include <algorithm>
#include <numeric>
#include <type_traits>

#include "dnmf/io/sparse.hpp"

#include "dnmf/dist/balance.hpp"

namespace dnmf::io {
namespace {

/// Closes an HDF5 identifier when it leaves scope.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Id() {
    if (id >= 0) close(id);
  }
};

/// The grid rank (row-major over a grid of `pc` columns) owning major block `a` and minor
/// block `b`: for CSR the major dimension is X's rows, for CSC its columns.
int block_rank(bool csc, int a, int b, int pc) {
  return csc ? b * pc + a : a * pc + b;
}

template <typename T>
hid_t mem_type() {
  if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
  return H5T_NATIVE_INT64;
}

/// Reads [begin, begin + count) of the 1-D dataset `name` in group `g` into `out`; every rank
/// of the file's communicator calls it (collective transfer), possibly with count 0.
template <typename T>
bool read_range(hid_t g, const char* name, std::int64_t begin, std::int64_t count,
                std::vector<T>& out) {
  out.resize(static_cast<std::size_t>(count));
  Id d{H5Dopen2(g, name, H5P_DEFAULT), H5Dclose};
  if (d.id < 0) return false;
  Id fs{H5Dget_space(d.id), H5Sclose};
  const hsize_t n = static_cast<hsize_t>(count);
  Id ms{H5Screate_simple(1, &n, nullptr), H5Sclose};
  if (count == 0) {
    H5Sselect_none(fs.id);
    H5Sselect_none(ms.id);
  } else {
    const hsize_t start = static_cast<hsize_t>(begin);
    H5Sselect_hyperslab(fs.id, H5S_SELECT_SET, &start, nullptr, &n, nullptr);
  }
  // HDF5 1.10 fails a collective read of a dataset that has no storage yet (never written,
  // e.g. the empty indices of a matrix without entries); every rank sees the same status, so
  // all of them then read independently, which yields the fill value.
  H5D_space_status_t status = H5D_SPACE_STATUS_ERROR;
  H5Dget_space_status(d.id, &status);
  Id x{H5Pcreate(H5P_DATASET_XFER), H5Pclose};
  H5Pset_dxpl_mpio(
      x.id, status == H5D_SPACE_STATUS_ALLOCATED ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT);
  if (count == 0 && status != H5D_SPACE_STATUS_ALLOCATED) return true;  // nothing to read
  return H5Dread(d.id, mem_type<T>(), ms.id, fs.id, x.id, out.data()) >= 0;
}

}  // namespace

template <typename T>
DistMatrix<T> read_sparse(const DatasetInfo& info, const ProcessGrid& grid) {
  const bool csc = info.csc;
  // Reading: the major lines (CSR rows, CSC columns) are shared out evenly over all ranks; each
  // reads its slice of indptr, then the matching indices and data.
  const mpi::Comm& all = grid.all();
  const std::int64_t major = csc ? info.cols : info.rows, minor = csc ? info.rows : info.cols;
  const Range mine = my_slice(all, major);
  const std::int64_t first = mine.begin;  // global major index of my first line
  const std::string where = info.path.str();

  Id fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  H5Pset_fapl_mpio(fapl.id, all.get(), MPI_INFO_NULL);
  Id file{H5Fopen(info.path.file.c_str(), H5F_ACC_RDONLY, fapl.id), H5Fclose};
  if (file.id < 0) throw IoError("cannot open '" + info.path.file + "' for a parallel read");
  Id g{H5Gopen2(file.id, info.path.object.c_str(), H5P_DEFAULT), H5Gclose};

  std::vector<std::int64_t> indptr, indices;
  std::vector<T> values;
  std::exception_ptr problem;
  const bool ok_ptr = read_range(g.id, "indptr", first, mine.size > 0 ? mine.size + 1 : 0, indptr);
  if (!ok_ptr) problem = std::make_exception_ptr(IoError("cannot read '" + where + "/indptr'"));
  std::int64_t begin = 0, count = 0;
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
      begin = indptr.front();
      count = indptr.back() - indptr.front();
    }
  }
  mpi::raise_if_any(all, problem);

  bool ok = read_range(g.id, "indices", begin, count, indices);
  ok = read_range(g.id, "data", begin, count, values) && ok;
  if (!ok) problem = std::make_exception_ptr(IoError("cannot read '" + where + "' (truncated?)"));
  for (std::int64_t e = 0; e < count && !problem; ++e) {
    if (indices[e] < 0 || indices[e] >= minor) {
      problem = std::make_exception_ptr(InputError(
          "invalid sparse structure in '" + where + "': index " + std::to_string(indices[e]) +
          " out of range [0, " + std::to_string(minor) + ")"));
    }
  }
  mpi::raise_if_any(all, problem);

  // Cut both dimensions into blocks of about equal entry counts (dist/balance.hpp): line lengths
  // come from my indptr slice, minor counts from my indices (duplicates count as entries here).
  const int major_parts = csc ? grid.pc() : grid.pr(), minor_parts = csc ? grid.pr() : grid.pc();
  EntryCounts entry_counts;
  entry_counts.line_weights = [&](const Permutation& pm) {
    std::vector<std::int64_t> pairs(static_cast<std::size_t>(2 * mine.size));
    for (std::int64_t line = 0; line < mine.size; ++line) {
      pairs[2 * line] = pm.position(first + line);
      pairs[2 * line + 1] = indptr[line + 1] - indptr[line];
    }
    return pairs;
  };
  entry_counts.minor_weights = [&](const Permutation& pn) {
    std::vector<std::int64_t> items(indices.size());
    for (std::size_t e = 0; e < indices.size(); ++e) items[e] = pn.position(indices[e]);
    return count_into_slices(all, minor, std::move(items));
  };
  entry_counts.block_counts = [&](const Axis& ma, const Axis& mi) {
    std::vector<std::int64_t> blocks(static_cast<std::size_t>(major_parts * minor_parts), 0);
    for (std::int64_t line = 0; line < mine.size; ++line) {
      const int a = ma.block_of(ma.position(first + line));
      for (std::int64_t e = indptr[line] - begin; e < indptr[line + 1] - begin; ++e)
        ++blocks[static_cast<std::size_t>(a * minor_parts + mi.block_of(mi.position(indices[e])))];
    }
    return blocks;
  };
  const SparseCuts cuts = choose_cuts(all, major, minor, major_parts, minor_parts, entry_counts);
  const Axis& major_axis = cuts.major;
  const Axis& minor_axis = cuts.minor;
  DistMatrix<T> x(grid, csc ? minor_axis : major_axis, csc ? major_axis : minor_axis,
                  Storage::sparse);

  // Route each entry, by its positions, to the rank owning its row block and column block.
  const int dests = all.size();
  auto owner = [&](std::int64_t major_pos, std::int64_t minor_pos) {
    return block_rank(csc, major_axis.block_of(major_pos), minor_axis.block_of(minor_pos),
                      grid.pc());
  };
  std::vector<std::int64_t> line_pos(static_cast<std::size_t>(mine.size));
  for (std::int64_t line = 0; line < mine.size; ++line)
    line_pos[line] = major_axis.position(first + line);
  for (std::int64_t e = 0; e < count; ++e) indices[e] = minor_axis.position(indices[e]);
  std::vector<std::int64_t> counts(static_cast<std::size_t>(dests), 0);
  for (std::int64_t line = 0; line < mine.size; ++line)
    for (std::int64_t e = indptr[line] - begin; e < indptr[line + 1] - begin; ++e)
      ++counts[static_cast<std::size_t>(owner(line_pos[line], indices[e]))];
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(dests), 0);
  std::partial_sum(counts.begin(), counts.end() - 1, offsets.begin() + 1);
  // Each entry travels as one word: its row and column within the destination's block, 32 bits
  // each (half the bytes of two global positions; the exchange sets the reader's peak memory).
  const std::int64_t longest = std::max(major_axis.longest_block(), minor_axis.longest_block());
  if (longest > std::int64_t{0xffffffff}) {
    throw InputError("'" + where + "' is too large for this grid: a block would have " +
                     std::to_string(longest) +
                     " rows or columns (at most 2^32 - 1); use more ranks");
  }
  std::vector<std::uint64_t> send_pos(static_cast<std::size_t>(count));
  std::vector<T> send_val(static_cast<std::size_t>(count));
  std::vector<std::int64_t> cursor = offsets;
  for (std::int64_t line = 0; line < mine.size; ++line) {
    const int a = major_axis.block_of(line_pos[line]);
    const std::int64_t line_local = line_pos[line] - major_axis.block(a).begin;
    for (std::int64_t e = indptr[line] - begin; e < indptr[line + 1] - begin; ++e) {
      const int b = minor_axis.block_of(indices[e]);
      const std::int64_t minor_local = indices[e] - minor_axis.block(b).begin;
      const std::int64_t at = cursor[static_cast<std::size_t>(block_rank(csc, a, b, grid.pc()))]++;
      const auto row = static_cast<std::uint64_t>(csc ? minor_local : line_local);
      const auto col = static_cast<std::uint64_t>(csc ? line_local : minor_local);
      send_pos[at] = (row << 32) | col;
      send_val[at] = values[e];
    }
  }
  // What was read is no longer needed once packed: release it before the exchange.
  std::vector<std::int64_t>().swap(indices);
  std::vector<T>().swap(values);
  std::vector<std::uint64_t> got_pos = all.alltoallv(send_pos.data(), counts);
  std::vector<std::uint64_t>().swap(send_pos);
  std::vector<T> got_val = all.alltoallv(send_val.data(), counts);
  std::vector<T>().swap(send_val);

  // Assemble the local CSR block in place: count per local row, place, then sort each row by
  // column and sum duplicates.
  Csr<T>& out = x.csr();
  const std::int64_t n_in = static_cast<std::int64_t>(got_val.size());
  auto local_row = [&](std::int64_t e) { return static_cast<std::int64_t>(got_pos[e] >> 32); };
  auto local_col = [&](std::int64_t e) {
    return static_cast<std::int64_t>(got_pos[e] & 0xffffffffu);
  };
  out.indptr.assign(static_cast<std::size_t>(out.rows) + 1, 0);
  for (std::int64_t e = 0; e < n_in; ++e) ++out.indptr[local_row(e) + 1];
  std::partial_sum(out.indptr.begin(), out.indptr.end(), out.indptr.begin());
  out.indices.assign(static_cast<std::size_t>(n_in), 0);
  out.values.assign(static_cast<std::size_t>(n_in), T(0));
  {
    std::vector<std::int64_t> fill(out.indptr.begin(), out.indptr.end() - 1);
    for (std::int64_t e = 0; e < n_in; ++e) {
      const std::int64_t at = fill[local_row(e)]++;
      out.indices[at] = local_col(e);
      out.values[at] = got_val[e];
    }
  }
  std::vector<std::uint64_t>().swap(got_pos);
  std::vector<T>().swap(got_val);
  std::vector<std::pair<std::int64_t, T>> row;  // one row at a time
  std::int64_t kept = 0;
  for (std::int64_t r = 0; r < out.rows; ++r) {
    const std::int64_t b = out.indptr[r], e = out.indptr[r + 1];
    row.clear();
    for (std::int64_t i = b; i < e; ++i) row.emplace_back(out.indices[i], out.values[i]);
    std::stable_sort(row.begin(), row.end(),
                     [](const auto& u, const auto& v) { return u.first < v.first; });
    out.indptr[r] = kept;
    for (const auto& [col, val] : row) {
      if (kept > out.indptr[r] && out.indices[kept - 1] == col) {
        out.values[kept - 1] += val;  // a duplicate entry: scipy's canonical form sums them
      } else {
        out.indices[kept] = col;
        out.values[kept] = val;
        ++kept;
      }
    }
  }
  out.indptr[out.rows] = kept;
  out.indices.resize(static_cast<std::size_t>(kept));
  out.values.resize(static_cast<std::size_t>(kept));
  return x;
}

SparseLayout sparse_layout(const DatasetInfo& info, int pr, int pc) {
  Id file{H5Fopen(info.path.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  if (file.id < 0) throw IoError("cannot open '" + info.path.file + "'");
  Id g{H5Gopen2(file.id, info.path.object.c_str(), H5P_DEFAULT), H5Gclose};
  const std::int64_t major = info.csc ? info.cols : info.rows;
  const std::int64_t minor = info.csc ? info.rows : info.cols;
  const int major_parts = info.csc ? pc : pr, minor_parts = info.csc ? pr : pc;
  // Serial reads on this one process, indices streamed in chunks.
  auto read_serial = [&](const char* name, std::int64_t begin, std::int64_t n,
                         std::vector<std::int64_t>& out) {
    out.resize(static_cast<std::size_t>(n));
    Id d{H5Dopen2(g.id, name, H5P_DEFAULT), H5Dclose};
    Id fs{H5Dget_space(d.id), H5Sclose};
    const hsize_t cnt = static_cast<hsize_t>(n), st = static_cast<hsize_t>(begin);
    Id ms{H5Screate_simple(1, &cnt, nullptr), H5Sclose};
    H5Sselect_hyperslab(fs.id, H5S_SELECT_SET, &st, nullptr, &cnt, nullptr);
    if (n > 0 && H5Dread(d.id, H5T_NATIVE_INT64, ms.id, fs.id, H5P_DEFAULT, out.data()) < 0) {
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
    ++out.block_nnz[static_cast<std::size_t>(block_rank(info.csc, a, b, pc))];
  });
  return out;
}

template DistMatrix<double> read_sparse<double>(const DatasetInfo&, const ProcessGrid&);
template DistMatrix<float> read_sparse<float>(const DatasetInfo&, const ProcessGrid&);

}  // namespace dnmf::io
