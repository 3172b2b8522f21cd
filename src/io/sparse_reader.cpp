#include <hdf5.h>

#include <algorithm>
#include <numeric>
#include <type_traits>

#include "dnmf/io/sparse.hpp"

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
  Id x{H5Pcreate(H5P_DATASET_XFER), H5Pclose};
  H5Pset_dxpl_mpio(x.id, H5FD_MPIO_COLLECTIVE);
  return H5Dread(d.id, mem_type<T>(), ms.id, fs.id, x.id, out.data()) >= 0;
}

}  // namespace

template <typename T>
void read_sparse(const DatasetInfo& info, DistMatrix<T>& x) {
  const ProcessGrid& grid = x.grid();
  const bool csc = info.csc;
  // My slice of the major dimension, and the communicator among which entries are exchanged.
  const Range block = csc ? x.col_range() : x.row_range();
  const int parts = csc ? grid.pr() : grid.pc();
  const int index = csc ? grid.my_row() : grid.my_col();
  const Range mine = block_range(block.size, parts, index);
  const std::int64_t first = block.begin + mine.begin;  // global major index of my first line
  const mpi::Comm& exchange = csc ? grid.col_comm() : grid.row_comm();
  const std::int64_t major = csc ? info.cols : info.rows, minor = csc ? info.rows : info.cols;
  const std::string where = info.path.str();

  Id fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  H5Pset_fapl_mpio(fapl.id, grid.all().get(), MPI_INFO_NULL);
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
  mpi::raise_if_any(grid.all(), problem);

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
  mpi::raise_if_any(grid.all(), problem);

  // Route each entry to the exchange-communicator rank owning its minor index's block.
  const int dests = exchange.size();
  std::vector<std::int64_t> bounds(static_cast<std::size_t>(dests) + 1, 0);
  for (int d = 0; d < dests; ++d) bounds[d + 1] = block_range(minor, dests, d).end();
  auto owner = [&](std::int64_t m) {
    return static_cast<int>(std::upper_bound(bounds.begin(), bounds.end(), m) - bounds.begin() - 1);
  };
  std::vector<std::int64_t> counts(static_cast<std::size_t>(dests), 0);
  for (std::int64_t e = 0; e < count; ++e) ++counts[owner(indices[e])];
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(dests), 0);
  std::partial_sum(counts.begin(), counts.end() - 1, offsets.begin() + 1);
  std::vector<std::int64_t> send_pos(static_cast<std::size_t>(2 * count));
  std::vector<T> send_val(static_cast<std::size_t>(count));
  std::vector<std::int64_t> cursor = offsets;
  for (std::int64_t line = 0; line < mine.size; ++line) {
    for (std::int64_t e = indptr[line] - begin; e < indptr[line + 1] - begin; ++e) {
      const std::int64_t at = cursor[owner(indices[e])]++;
      send_pos[2 * at] = first + line;  // global major index
      send_pos[2 * at + 1] = indices[e];
      send_val[at] = values[e];
    }
  }
  // What was read is no longer needed once packed: release it before the exchange.
  std::vector<std::int64_t>().swap(indices);
  std::vector<T>().swap(values);
  std::vector<std::int64_t> pos_counts(counts);
  for (auto& c : pos_counts) c *= 2;
  std::vector<std::int64_t> got_pos = exchange.alltoallv(send_pos.data(), pos_counts);
  std::vector<std::int64_t>().swap(send_pos);
  std::vector<T> got_val = exchange.alltoallv(send_val.data(), counts);
  std::vector<T>().swap(send_val);

  // Assemble the local CSR block in place: count per local row, place, then sort each row by
  // column and sum duplicates.
  Csr<T>& out = x.csr();
  const std::int64_t n_in = static_cast<std::int64_t>(got_val.size());
  auto local_row = [&](std::int64_t e) {
    return (csc ? got_pos[2 * e + 1] : got_pos[2 * e]) - x.row_range().begin;
  };
  auto local_col = [&](std::int64_t e) {
    return (csc ? got_pos[2 * e] : got_pos[2 * e + 1]) - x.col_range().begin;
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
  std::vector<std::int64_t>().swap(got_pos);
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
}

std::vector<std::int64_t> sparse_block_counts(const DatasetInfo& info, int pr, int pc) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(pr * pc), 0);
  Id file{H5Fopen(info.path.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  if (file.id < 0) throw IoError("cannot open '" + info.path.file + "'");
  Id g{H5Gopen2(file.id, info.path.object.c_str(), H5P_DEFAULT), H5Gclose};
  const std::int64_t major = info.csc ? info.cols : info.rows;
  const std::int64_t minor = info.csc ? info.rows : info.cols;
  const int major_parts = info.csc ? pc : pr, minor_parts = info.csc ? pr : pc;
  std::vector<std::int64_t> minor_bounds(static_cast<std::size_t>(minor_parts) + 1, 0);
  for (int d = 0; d < minor_parts; ++d)
    minor_bounds[d + 1] = block_range(minor, minor_parts, d).end();
  // Stream each major block's index range in chunks; serial reads on this one process.
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
  std::vector<std::int64_t> ptr, idx;
  for (int b = 0; b < major_parts; ++b) {
    const Range r = block_range(major, major_parts, b);
    read_serial("indptr", r.begin, 1, ptr);
    const std::int64_t lo = ptr[0];
    read_serial("indptr", r.end(), 1, ptr);
    const std::int64_t hi = ptr[0];
    for (std::int64_t c0 = lo; c0 < hi; c0 += (1 << 20)) {
      const std::int64_t n = std::min<std::int64_t>(1 << 20, hi - c0);
      read_serial("indices", c0, n, idx);
      for (std::int64_t v : idx) {
        const int m =
            static_cast<int>(std::upper_bound(minor_bounds.begin(), minor_bounds.end(), v) -
                             minor_bounds.begin() - 1);
        const int row = info.csc ? m : b, col = info.csc ? b : m;
        ++counts[static_cast<std::size_t>(row * pc + col)];
      }
    }
  }
  return counts;
}

template void read_sparse<double>(const DatasetInfo&, DistMatrix<double>&);
template void read_sparse<float>(const DatasetInfo&, DistMatrix<float>&);

}  // namespace dnmf::io
