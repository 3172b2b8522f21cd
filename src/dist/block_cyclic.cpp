#include "dnmf/dist/block_cyclic.hpp"

#include "dnmf/core/error.hpp"

namespace dnmf {

TallProxy::TallProxy(const ProcessGrid& grid, FactorSide side, std::int64_t rows)
    : grid_(&grid), side_(side), m_(rows) {
  const mpi::Comm& all = grid.all();
  const int p = all.size();
  const FactorLayout layout = factor_layout(grid, side, rows);
  mine_ = layout.owned.size;
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(p));
  all.allgatherv(&mine_, sizes.data(), std::vector<std::int64_t>(sizes.size(), 1));
  q_ = m_ / p;
  rem_ = m_ - q_ * p;
  std::vector<int> tail_first, others;
  for (int r = 0; r < p; ++r) {
    const std::int64_t s = sizes[static_cast<std::size_t>(r)];
    if (s == q_ + 1 && static_cast<std::int64_t>(tail_first.size()) < rem_) {
      tail_first.push_back(r);
    } else if (s == q_) {
      others.push_back(r);
    } else {
      throw InternalError("nndsvd: factor rows are not split in runs of q or q+1 per rank");
    }
  }
  if (static_cast<std::int64_t>(tail_first.size()) != rem_) {
    throw InternalError("nndsvd: factor rows are not split in runs of q or q+1 per rank");
  }
  tail_first.insert(tail_first.end(), others.begin(), others.end());
  blacs_ = std::make_unique<scalapack::BlacsGrid>(all, p, 1, tail_first);
  nb_ = std::max<std::int64_t>(1, q_);
  copy_rows_ = scalapack::numroc(m_, nb_, blacs_->myrow(), 0, p);
}

template <typename T>
DistFactor<T> TallProxy::uniform(const DistFactor<T>& a) const {
  const int parts = side_ == FactorSide::samples ? grid_->pr() : grid_->pc();
  // Keeping the rows' order (and so any permutation) only moves rows between neighbours.
  return a.relaid(Axis::uniform(m_, parts).permuted(a.layout().axis.permutation()));
}

template <typename T>
BlockCyclic<T> TallProxy::to_copy(const Matrix<T>& local, std::int64_t cols, Blocks blocks) const {
  BlockCyclic<T> bc;
  const std::int64_t col_block =
      blocks == Blocks::square ? nb_ : std::clamp<std::int64_t>(cols, 1, kNarrow);
  bc.desc = scalapack::make_descriptor(*blacs_, m_, cols, nb_, col_block, copy_ld());
  bc.a.assign(static_cast<std::size_t>(copy_ld() * cols), T(0));
  const std::int64_t ld = copy_ld();
  for (std::int64_t i = 0; i < q_; ++i)  // body: my first q rows are local rows 0..q-1
    for (std::int64_t j = 0; j < cols; ++j)
      bc.a[static_cast<std::size_t>(i + j * ld)] = local(i, j);
  std::vector<T> tail(static_cast<std::size_t>(cols));
  if (mine_ > q_)
    for (std::int64_t j = 0; j < cols; ++j) tail[static_cast<std::size_t>(j)] = local(q_, j);
  move_tail(tail.data(), bc, cols, /*to_copy=*/true);
  return bc;
}

template <typename T>
void TallProxy::from_copy(BlockCyclic<T>& bc, std::int64_t cols, Matrix<T>& local) const {
  std::vector<T> tail(static_cast<std::size_t>(cols));
  move_tail(tail.data(), bc, cols, /*to_copy=*/false);
  local.resize(mine_, cols);
  const std::int64_t ld = copy_ld();
  for (std::int64_t i = 0; i < q_; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      local(i, j) = bc.a[static_cast<std::size_t>(i + j * ld)];
  if (mine_ > q_)
    for (std::int64_t j = 0; j < cols; ++j) local(q_, j) = tail[static_cast<std::size_t>(j)];
}

// Moves the tail rows between my `row` (1 x cols; unused if I hold no tail row) and rows
// P q .. m-1 of the copy with p?gemr2d. The body needs no move: with q-row blocks, block g of
// the copy is body block g, on the same process row, in the same local rows 0..q-1.
//   before (m = 7, P = 3): tail row of rank 1 (process row 0) in `row`
//   after: copy row 6, i.e. block 3 of 2 rows -> process row 0, local row 2
template <typename T>
void TallProxy::move_tail(T* row, BlockCyclic<T>& bc, std::int64_t cols, bool to_copy) const {
  if (rem_ == 0) return;
  const std::int64_t start = blacs_->nprow() * q_;
  const scalapack::Descriptor tail = scalapack::make_descriptor(*blacs_, rem_, cols, 1, cols, 1);
  if (to_copy) {
    scalapack::gemr2d(rem_, cols, row, 0, 0, tail, bc.a.data(), start, 0, bc.desc, *blacs_);
  } else {
    scalapack::gemr2d(rem_, cols, bc.a.data(), start, 0, bc.desc, row, 0, 0, tail, *blacs_);
  }
}

#define DNMF_INSTANTIATE(T)                                                                    \
  template DistFactor<T> TallProxy::uniform<T>(const DistFactor<T>&) const;                    \
  template BlockCyclic<T> TallProxy::to_copy<T>(const Matrix<T>&, std::int64_t, Blocks) const; \
  template void TallProxy::from_copy<T>(BlockCyclic<T>&, std::int64_t, Matrix<T>&) const;
DNMF_INSTANTIATE(double)
DNMF_INSTANTIATE(float)
#undef DNMF_INSTANTIATE

}  // namespace dnmf
