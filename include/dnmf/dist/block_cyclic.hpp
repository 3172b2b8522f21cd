#pragma once
/// @file The ScaLAPACK view of a tall distributed factor: moving a DistFactor's rows to and from
/// a block-cyclic copy that ScaLAPACK routines (dnmf/scalapack/scalapack.hpp) can factor.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "dnmf/core/matrix.hpp"
#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/scalapack/scalapack.hpp"

namespace dnmf {

/// A block-cyclic copy of a tall factor: column-major local array and its descriptor.
template <typename T>
struct BlockCyclic {
  std::vector<T> a;
  scalapack::Descriptor desc;
};

/// The ScaLAPACK view ("proxy") of the tall factors of one side (samples or features): a P x 1
/// BLACS grid over the grid's communicator, and the p?gemr2d moves between a DistFactor's rows
/// and a block-cyclic copy.
///
/// A DistFactor gives every rank one contiguous run of q or q+1 rows (q = m / P; the two-level
/// balanced split of factor_layout guarantees it), but which ranks hold q+1 depends on the grid.
/// One ScaLAPACK descriptor describes runs of a single length only, so the factor is seen as
/// two uniform matrices over the same BLACS grid:
///   body: the first q rows of every rank, P blocks of q rows, block g on process row g;
///   tail: the (q+1)-th row of the rem = m - P q ranks that have one, 1-row blocks.
/// The BLACS grid lists the ranks with a tail row first (Cblacs_gridmap), so tail block e sits
/// on process row e. The block-cyclic copy holds the body rows first, then the tail rows: a
/// row permutation of X's order. LU with partial pivoting and Householder QR commute with a
/// row permutation of their input (up to rounding and pivot ties), and the randomized SVD
/// needs only the spans of these factors, so the permutation is harmless; it is undone on the
/// way back.
///   Example m = 7, P = 3, rank sizes 2, 3, 2 (q = 2, rem = 1): process rows = ranks 1, 0, 2;
///   copy rows 0-1 = rank 1's rows 0-1, 2-3 = rank 0's, 4-5 = rank 2's, 6 = rank 1's row 2.
///
/// The copy's row blocks have q rows (1 if q = 0), so block g of the copy IS body block g, on
/// the same process row and in the same local rows: the body is copied locally (a transpose to
/// column-major) and p?gemr2d moves only the tail rows, at most P - 1 of them (to process row
/// 0, or spread from it when q < rem). Measured on Fashion-MNIST (70000 x 30 factors, 2 ranks):
/// p?gemr2d of whole factors, even between identical layouts, cost ~0.9 s of a ~5 s init; the
/// local copy costs ~0.2 s. Column blocks: square (q x q) for p?getrf, which requires MB = NB;
/// at most 16 wide for p?geqrf and p?orgqr, whose workspace grows with NB^2 and whose panels
/// are blocked (BLAS 3) only when NB < the number of columns.
class TallProxy {
 public:
  enum class Blocks { square, narrow };

  /// Collective over grid.all().
  TallProxy(const ProcessGrid& grid, FactorSide side, std::int64_t rows);

  std::int64_t rows() const { return m_; }
  const ProcessGrid& grid() const { return *grid_; }
  FactorSide side() const { return side_; }

  /// `a` in the uniform layout the proxy expects (X's blocks may be balanced by entries;
  /// a copy either way). Collective.
  template <typename T>
  DistFactor<T> uniform(const DistFactor<T>& a) const;

  /// Leading dimension of the local part of a block-cyclic copy (its local row count).
  std::int64_t copy_ld() const { return std::max<std::int64_t>(1, copy_rows_); }
  std::int64_t copy_rows() const { return copy_rows_; }
  /// The global row (in the copy's order) of local row l of the copy.
  std::int64_t copy_row(std::int64_t l) const {
    const std::int64_t p = blacs_->nprow();
    return ((l / nb_) * p + blacs_->myrow()) * nb_ + l % nb_;
  }

  /// The block-cyclic copy of `local` (my factor rows, row-major, `cols` columns), with square
  /// blocks for LU or narrow column blocks for QR. Collective.
  template <typename T>
  BlockCyclic<T> to_copy(const Matrix<T>& local, std::int64_t cols, Blocks blocks) const;

  /// The first `cols` columns of a block-cyclic copy back into my factor rows (row-major).
  /// Collective.
  template <typename T>
  void from_copy(BlockCyclic<T>& bc, std::int64_t cols, Matrix<T>& local) const;

 private:
  /// Widest column block for QR.
  static constexpr std::int64_t kNarrow = 16;

  /// Moves the tail rows between my `row` and rows P q .. m-1 of the copy (see the .cpp).
  template <typename T>
  void move_tail(T* row, BlockCyclic<T>& bc, std::int64_t cols, bool to_copy) const;

  const ProcessGrid* grid_;
  FactorSide side_;
  std::int64_t m_ = 0, q_ = 0, rem_ = 0, mine_ = 0, nb_ = 1, copy_rows_ = 0;
  std::unique_ptr<scalapack::BlacsGrid> blacs_;
};

}  // namespace dnmf
