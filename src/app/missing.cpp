#include "missing.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "dnmf/core/error.hpp"
#include "dnmf/io/sparse.hpp"

namespace dnmf::app {
namespace {

/// Reads the mask dataset's part over my block, slice by slice (so the mask costs about its
/// byte per entry however large the block is), and clears the bytes of the entries it hides
/// (zeros). Collective.
template <typename T>
void read_mask(const io::ObjectPath& path, DistMatrix<T>& x) {
  const std::int64_t cols = x.col_range().size;
  io::read_block_in_slices<double>(x.grid().all(), path, x.row_range(), x.col_range(),
                                   [&](std::int64_t r0, const Matrix<double>& part) {
                                     for (std::int64_t i = 0; i < part.rows(); ++i)
                                       for (std::int64_t j = 0; j < cols; ++j)
                                         if (part(i, j) == 0.0)
                                           x.mask()[static_cast<std::size_t>((r0 + i) * cols + j)] =
                                               0;
                                   });
}

/// X's values on the entries a mask observes (its nonzero entries `m`, my block's part, on X's
/// layout): every such entry is stored, with X's value or 0 where X stores none; with
/// `unstored` only those X stores too; with `nan` not the NaN ones. Rows sorted by column.
template <typename T>
Csr<T> values_on_mask(const Csr<T>& x, const Csr<T>& m, bool nan, bool unstored) {
  Csr<T> out;
  out.rows = x.rows;
  out.cols = x.cols;
  out.indptr.assign(static_cast<std::size_t>(x.rows + 1), 0);
  for (std::int64_t i = 0; i < x.rows; ++i) {
    std::int64_t e = x.indptr[i];
    for (std::int64_t f = m.indptr[i]; f < m.indptr[i + 1]; ++f) {
      if (m.values[f] == T(0)) continue;
      const std::int64_t j = m.indices[f];
      while (e < x.indptr[i + 1] && x.indices[e] < j) ++e;
      const bool stored = e < x.indptr[i + 1] && x.indices[e] == j;
      const T v = stored ? x.values[e] : T(0);
      if ((unstored && !stored) || (nan && std::isnan(v))) continue;
      out.indices.push_back(j);
      out.values.push_back(v);
    }
    out.indptr[i + 1] = out.nnz();
  }
  return out;
}

/// Clears the mask bytes of my dense block that a sparse mask group does not observe (`m`: its
/// nonzero entries, my block's part).
template <typename T>
void clear_unobserved(const Csr<T>& m, std::vector<std::uint8_t>& mask) {
  for (std::int64_t i = 0; i < m.rows; ++i) {
    std::int64_t f = m.indptr[i];
    for (std::int64_t j = 0; j < m.cols; ++j) {
      while (f < m.indptr[i + 1] && (m.indices[f] < j || m.values[f] == T(0))) ++f;
      if (f == m.indptr[i + 1] || m.indices[f] != j)
        mask[static_cast<std::size_t>(i * m.cols + j)] = 0;
    }
  }
}

}  // namespace

MissingSpec parse_missing(const std::string& missing, const std::string& mask) {
  MissingSpec m;
  if (missing == "nan") {
    m.nan = true;
  } else if (missing == "unstored") {
    m.unstored = true;
  } else if (!missing.empty()) {
    throw UsageError("missing: expected 'nan' or 'unstored', got '" + missing + "'");
  }
  m.mask = mask;
  return m;
}

template <typename T>
void check_coverage(DistMatrix<T>& x, const std::string& where, bool check_columns) {
  const ProcessGrid& grid = x.grid();
  const std::int64_t rows = x.row_range().size, cols = x.col_range().size;
  std::vector<std::int64_t> per_row(static_cast<std::size_t>(rows), 0);
  std::vector<std::int64_t> per_col(static_cast<std::size_t>(cols), 0);
  if (x.observed() == Observed::holes) {
    const Csr<T>& h = x.holes();
    for (std::int64_t i = 0; i < rows; ++i) per_row[i] = cols;
    for (std::int64_t j = 0; j < cols; ++j) per_col[j] = rows;
    for (std::int64_t i = 0; i < h.rows; ++i)
      for (std::int64_t e = h.indptr[i]; e < h.indptr[i + 1]; ++e) {
        --per_row[i];
        --per_col[h.indices[e]];
      }
  } else if (x.sparse()) {
    const Csr<T>& c = x.csr();
    for (std::int64_t i = 0; i < c.rows; ++i)
      for (std::int64_t e = c.indptr[i]; e < c.indptr[i + 1]; ++e) {
        ++per_row[i];
        ++per_col[c.indices[e]];
      }
  } else {
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t j = 0; j < cols; ++j)
        if (x.mask()[static_cast<std::size_t>(i * cols + j)]) {
          ++per_row[i];
          ++per_col[j];
        }
  }
  grid.row_comm().allreduce_sum(per_row.data(), rows);
  grid.col_comm().allreduce_sum(per_col.data(), cols);
  // Every rank of a grid row sees the same rows: only grid column 0 counts them (and grid row 0
  // the columns). The first empty one is reported by its item (file) index.
  const std::int64_t none = x.rows() + x.cols();
  std::int64_t counts[2] = {0, 0}, first[2] = {none, none};
  if (grid.my_col() == 0)
    for (std::int64_t i = 0; i < rows; ++i)
      if (per_row[i] == 0) {
        ++counts[0];
        first[0] = std::min(first[0], x.row_axis().item(x.row_range().begin + i));
      }
  if (check_columns && grid.my_row() == 0)
    for (std::int64_t j = 0; j < cols; ++j)
      if (per_col[j] == 0) {
        ++counts[1];
        first[1] = std::min(first[1], x.col_axis().item(x.col_range().begin + j));
      }
  const mpi::Comm& all = grid.all();
  all.allreduce_sum(counts, 2);
  first[0] = all.allreduce_min(first[0]);
  first[1] = all.allreduce_min(first[1]);
  mpi::agree(all, [&] {
    if (counts[0] > 0) {
      throw InputError(std::to_string(counts[0]) + " rows of X (" + where +
                       ") have no observed entry (first: row " + std::to_string(first[0]) +
                       "); W has nothing to fit there: drop them or observe an entry");
    }
    if (counts[1] > 0) {
      throw InputError(std::to_string(counts[1]) + " columns of X (" + where +
                       ") have no observed entry (first: column " + std::to_string(first[1]) +
                       "); H has nothing to fit there: drop them or observe an entry");
    }
  });
}

template <typename T>
void apply_missing(const MissingSpec& spec, const io::DatasetInfo& xinfo, DistMatrix<T>& x,
                   bool check_columns) {
  if (!spec.any()) return;
  const mpi::Comm& all = x.grid().all();
  const std::string where = xinfo.path.file.empty() ? "the input array" : xinfo.path.str();
  io::ObjectPath mask_path;
  io::DatasetInfo minfo;
  mpi::agree(all, [&] {
    if (spec.unstored && !x.sparse()) {
      throw UsageError("--missing unstored needs sparse X (a CSR/CSC group); " + where +
                       " is a dense dataset: use --missing nan or --mask");
    }
  });
  if (!spec.mask.empty()) {
    mask_path = io::parse_object_path(spec.mask, "/M");
    minfo = io::probe_matrix(all, mask_path);
    mpi::agree(all, [&] {
      if (minfo.rows != x.rows() || minfo.cols != x.cols()) {
        throw InputError("the mask " + mask_path.str() + " is " + std::to_string(minfo.rows) +
                         " x " + std::to_string(minfo.cols) + ", but X (" + where + ") is " +
                         std::to_string(x.rows()) + " x " + std::to_string(x.cols()));
      }
    });
  }
  std::int64_t observed = 0;
  const bool mask_given = !mask_path.object.empty();
  if (x.sparse() && mask_given) {
    // The mask's nonzero entries are the observed ones: they become X's stored entries (X's
    // value, or an observed 0), and the solvers take the stored-entries path.
    const Csr<T> m = io::read_entries_on<T>(minfo, x.grid(), x.row_axis(), x.col_axis());
    Csr<T> kept = values_on_mask(x.csr(), m, spec.nan, spec.unstored);
    observed = all.allreduce_sum(kept.nnz());
    if (observed == x.rows() * x.cols()) return;  // observes everything: today's path
    x.csr() = std::move(kept);
    x.set_observed(Observed::stored);
    check_coverage(x, where, check_columns);
    return;
  }
  if (x.sparse()) {
    // Stored NaN entries are missing (--missing nan): they leave X's CSR for holes().
    Csr<T>& c = x.csr();
    Csr<T> kept, holes;
    kept.rows = holes.rows = c.rows;
    kept.cols = holes.cols = c.cols;
    kept.indptr.assign(static_cast<std::size_t>(c.rows + 1), 0);
    holes.indptr = kept.indptr;
    for (std::int64_t i = 0; i < c.rows; ++i) {
      for (std::int64_t e = c.indptr[i]; e < c.indptr[i + 1]; ++e) {
        const bool hole = spec.nan && std::isnan(c.values[e]);
        Csr<T>& to = hole ? holes : kept;
        to.indices.push_back(c.indices[e]);
        to.values.push_back(hole ? T(0) : c.values[e]);
      }
      kept.indptr[i + 1] = kept.nnz();
      holes.indptr[i + 1] = holes.nnz();
    }
    if (spec.unstored) {  // observed: the stored entries that are not NaN
      x.set_observed(Observed::stored);
      observed = kept.nnz();
    } else {
      x.set_observed(Observed::holes);
      observed = c.rows * c.cols - holes.nnz();
      if (holes.nnz() > 0) x.holes() = std::move(holes);
    }
    c = std::move(kept);
  } else {
    Matrix<T>& l = x.local();
    x.mask().assign(static_cast<std::size_t>(l.size()), 1);
    if (spec.nan)
      for (std::int64_t e = 0; e < l.size(); ++e)
        if (std::isnan(l.data()[e])) x.mask()[static_cast<std::size_t>(e)] = 0;
    if (mask_given && minfo.sparse) {
      clear_unobserved(io::read_entries_on<T>(minfo, x.grid(), x.row_axis(), x.col_axis()),
                       x.mask());
    } else if (mask_given) {
      read_mask(mask_path, x);
    }
    for (std::int64_t e = 0; e < l.size(); ++e) {
      if (x.mask()[static_cast<std::size_t>(e)]) {
        ++observed;
      } else {
        l.data()[e] = T(0);  // never read; a NaN there must not reach the SVD or the checks
      }
    }
    x.set_observed(Observed::masked);
  }
  observed = all.allreduce_sum(observed);
  if (observed == x.rows() * x.cols()) {  // nothing hidden: today's path, bit for bit
    x.set_observed(Observed::all);
    std::vector<std::uint8_t>().swap(x.mask());
    x.holes() = Csr<T>{};
    return;
  }
  check_coverage(x, where, check_columns);
}

std::int64_t mask_bytes_per_rank(const MissingSpec& spec, const io::DatasetInfo& xinfo,
                                 std::int64_t block_entries) {
  if (xinfo.sparse || !(spec.nan || !spec.mask.empty())) return 0;
  return block_entries;
}

template void apply_missing<double>(const MissingSpec&, const io::DatasetInfo&, DistMatrix<double>&,
                                    bool);
template void check_coverage<double>(DistMatrix<double>&, const std::string&, bool);
template void check_coverage<float>(DistMatrix<float>&, const std::string&, bool);
template void apply_missing<float>(const MissingSpec&, const io::DatasetInfo&, DistMatrix<float>&,
                                   bool);

}  // namespace dnmf::app
