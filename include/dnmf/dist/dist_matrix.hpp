#pragma once
/// @file The three distributions of the MPI-FAUN schedule:
///   - DistMatrix: X (m x n) in 2-D blocks; rank (i, j) holds rows R_i and columns C_j;
///   - DistFactor: a tall factor whose rows are spread over all ranks. W (m x k) follows X's rows:
///     block R_i is split among the pc ranks of grid row i. Ht = H^T (n x k) follows X's columns:
///     block C_j is split among the pr ranks of grid column j;
///   - small k x k matrices (Grams) are plain replicated Matrix objects.
/// Example, m = 5, 2 x 2 grid: R_0 = rows 0-2, R_1 = rows 3-4; W rows 0-1 on rank (0,0), row 2 on
/// (0,1), row 3 on (1,0), row 4 on (1,1).

#include <cstdint>
#include <vector>

#include "dnmf/core/csr.hpp"
#include "dnmf/core/matrix.hpp"
#include "dnmf/core/partition.hpp"
#include "dnmf/dist/grid.hpp"

namespace dnmf {

/// How a rank stores its block of X.
enum class Storage { dense, sparse };

/// Which entries of X the loss sees (issue #16: NMF on the observed entries only).
enum class Observed {
  all,     ///< every entry (the unmasked path)
  masked,  ///< dense X: the entries whose byte in mask() is 1
  stored,  ///< sparse X: the stored entries only; the others are unknown, not zero
  holes    ///< sparse X: every entry but those in holes() (stored NaN, not kept in csr())
};

/// X in 2-D blocks over the grid. Holds only this rank's block: row-major dense, or CSR with
/// block-local row and column indices.
template <typename T>
class DistMatrix {
 public:
  /// Uniform blocks (block_range) of rows and columns.
  DistMatrix(const ProcessGrid& grid, std::int64_t rows, std::int64_t cols,
             Storage storage = Storage::dense);
  /// Blocks given by `row_axis` (pr parts) and `col_axis` (pc parts), e.g. balanced by entries.
  DistMatrix(const ProcessGrid& grid, Axis row_axis, Axis col_axis, Storage storage);
  /// Dense, with `block` (row_range x col_range of the axes) as my block: e.g. a borrowed
  /// Matrix over memory the caller already holds, so that X is not copied.
  DistMatrix(const ProcessGrid& grid, Axis row_axis, Axis col_axis, Matrix<T> block);

  bool sparse() const { return storage_ == Storage::sparse; }
  /// The sparse block (only when sparse()).
  Csr<T>& csr() { return csr_; }
  const Csr<T>& csr() const { return csr_; }
  /// Stored entries of the local block (rows x cols when dense).
  std::int64_t local_nnz() const { return sparse() ? csr_.nnz() : local_.size(); }

  const ProcessGrid& grid() const { return *grid_; }
  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  Range row_range() const { return row_range_; }      ///< R_i, global row indices of my block
  Range col_range() const { return col_range_; }      ///< C_j, global column indices of my block
  const Axis& row_axis() const { return row_axis_; }  ///< every grid row's R_i
  const Axis& col_axis() const { return col_axis_; }  ///< every grid column's C_j
  Matrix<T>& local() { return local_; }
  const Matrix<T>& local() const { return local_; }

  /// Which entries are observed; anything but Observed::all sends the solvers down their masked
  /// branches.
  Observed observed() const { return observed_; }
  bool masked() const { return observed_ != Observed::all; }
  void set_observed(Observed o) { observed_ = o; }
  /// Observed::masked: my block's mask (row-major, local rows x cols), 1 = observed. One byte
  /// per entry of my block; empty otherwise.
  std::vector<std::uint8_t>& mask() { return mask_; }
  const std::vector<std::uint8_t>& mask() const { return mask_; }
  /// Observed::holes: the positions of my block's missing entries (values unused).
  Csr<T>& holes() { return holes_; }
  const Csr<T>& holes() const { return holes_; }

 private:
  const ProcessGrid* grid_;
  std::int64_t rows_, cols_;
  Axis row_axis_, col_axis_;
  Range row_range_, col_range_;
  Storage storage_;
  Matrix<T> local_;  // dense block (empty when sparse)
  Csr<T> csr_;       // sparse block (empty when dense)
  Observed observed_ = Observed::all;
  std::vector<std::uint8_t> mask_;  // Observed::masked only
  Csr<T> holes_;                    // Observed::holes only
};

/// Which of X's dimensions a factor's rows follow.
enum class FactorSide {
  samples,  ///< W: one row per row of X; shared within a grid row
  features  ///< Ht: one row per column of X; shared within a grid column
};

/// Where a factor's rows live, seen from one rank.
struct FactorLayout {
  FactorSide side = FactorSide::samples;
  std::int64_t global_rows = 0;
  Axis axis;                         ///< X's blocks along this side (row or column axis)
  Range block;                       ///< rows matching my X block (R_i or C_j)
  Range owned;                       ///< the rows I own, a sub-range of `block`
  std::vector<std::int64_t> counts;  ///< owned rows of each rank of the sharing communicator
};

/// The layout of an m x k factor (side samples) or n x k factor (side features) on `grid`, whose
/// blocks follow `axis` (X's row axis for W, its column axis for Ht): each block is split evenly
/// among the ranks that share it.
FactorLayout factor_layout(const ProcessGrid& grid, FactorSide side, const Axis& axis);
/// The same with X's blocks uniform (block_range).
FactorLayout factor_layout(const ProcessGrid& grid, FactorSide side, std::int64_t global_rows);

/// A tall factor (W, or H stored transposed as Ht) distributed by rows over all ranks.
template <typename T>
class DistFactor {
 public:
  /// Uniform blocks, for a matrix of `global_rows` rows.
  DistFactor(const ProcessGrid& grid, FactorSide side, std::int64_t global_rows, std::int64_t k);
  /// Blocks along `axis`: X's row axis for W, its column axis for Ht.
  DistFactor(const ProcessGrid& grid, FactorSide side, const Axis& axis, std::int64_t k);
  /// The factor of `x` on `side` (W for samples, Ht for features), k columns, zero-filled.
  template <typename U>
  static DistFactor like(const DistMatrix<U>& x, FactorSide side, std::int64_t k) {
    return DistFactor(x.grid(), side, side == FactorSide::samples ? x.row_axis() : x.col_axis(), k);
  }
  /// Another factor with this one's layout and `k` columns, zero-filled.
  DistFactor with_columns(std::int64_t k) const {
    return DistFactor(*grid_, layout_.side, layout_.axis, k);
  }

  const ProcessGrid& grid() const { return *grid_; }
  const FactorLayout& layout() const { return layout_; }
  std::int64_t global_rows() const { return layout_.global_rows; }
  std::int64_t k() const { return k_; }
  Range owned() const { return layout_.owned; }
  /// The ranks that share my block: row_comm for W, col_comm for Ht.
  const mpi::Comm& sharing_comm() const;
  Matrix<T>& local() { return local_; }
  const Matrix<T>& local() const { return local_; }

  /// The same matrix with its blocks along `axis` instead (same side, same global rows), e.g.
  /// to move between a uniform layout and X's balanced one. Collective over grid().all().
  DistFactor relaid(const Axis& axis) const;
  /// True when my rows are not in item order (X's axis on this side is permuted).
  bool permuted() const { return !layout_.axis.permutation().is_identity(); }
  /// The layout files and random streams use: uniform blocks in item order.
  Axis natural_axis() const { return Axis::uniform(layout_.global_rows, layout_.axis.parts()); }

  /// Gathers the rows of my block from the ranks that share it (collective on sharing_comm()).
  ///   before: (0,0) owns W rows 0-1, (0,1) owns row 2      after: both hold rows 0-2 in `block`
  void gather_block(Matrix<T>& block) const;

  /// My block's rows: the local rows themselves when no other rank shares the block, else
  /// gathered into `scratch`. Saves a block-sized copy on 1-D grids. Collective like
  /// gather_block.
  const Matrix<T>& block(Matrix<T>& scratch) const;

 private:
  const ProcessGrid* grid_;
  FactorLayout layout_;
  std::int64_t k_;
  Matrix<T> local_;
};

/// Runs `body` on `f` with its rows in item order, the order of files, random streams and
/// fills: on `f` itself when it is not permuted, else on a copy in its natural layout whose rows
/// then move back into `f`. Collective over f's grid when f is permuted.
template <typename T, typename Body>
void in_item_order(DistFactor<T>& f, Body&& body) {
  if (!f.permuted()) {
    body(f);
    return;
  }
  DistFactor<T> ordered = f.relaid(f.natural_axis());
  body(ordered);
  f = ordered.relaid(f.layout().axis);
}

/// The same for reading `f` only.
template <typename T, typename Body>
void in_item_order(const DistFactor<T>& f, Body&& body) {
  if (f.permuted()) {
    body(f.relaid(f.natural_axis()));
  } else {
    body(f);
  }
}

}  // namespace dnmf
