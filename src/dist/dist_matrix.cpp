#include "dnmf/dist/dist_matrix.hpp"

namespace dnmf {

template <typename T>
DistMatrix<T>::DistMatrix(const ProcessGrid& grid, std::int64_t rows, std::int64_t cols,
                          Storage storage)
    : grid_(&grid),
      rows_(rows),
      cols_(cols),
      row_range_(block_range(rows, grid.pr(), grid.my_row())),
      col_range_(block_range(cols, grid.pc(), grid.my_col())),
      storage_(storage) {
  if (storage == Storage::dense) {
    local_.resize(row_range_.size, col_range_.size);
  } else {
    csr_.rows = row_range_.size;
    csr_.cols = col_range_.size;
    csr_.indptr.assign(static_cast<std::size_t>(csr_.rows + 1), 0);
  }
}

FactorLayout factor_layout(const ProcessGrid& grid, FactorSide side, std::int64_t global_rows) {
  FactorLayout l;
  l.side = side;
  l.global_rows = global_rows;
  const bool w = side == FactorSide::samples;
  // W's block is my grid row's rows of X, split among the pc ranks of that row; Ht's block is my
  // grid column's columns of X, split among its pr ranks.
  l.block = w ? block_range(global_rows, grid.pr(), grid.my_row())
              : block_range(global_rows, grid.pc(), grid.my_col());
  const int parts = w ? grid.pc() : grid.pr();
  const int index = w ? grid.my_col() : grid.my_row();
  const Range mine = block_range(l.block.size, parts, index);
  l.owned = {l.block.begin + mine.begin, mine.size};
  l.counts = block_sizes(l.block.size, parts);
  return l;
}

template <typename T>
DistFactor<T>::DistFactor(const ProcessGrid& grid, FactorSide side, std::int64_t global_rows,
                          std::int64_t k)
    : grid_(&grid),
      layout_(factor_layout(grid, side, global_rows)),
      k_(k),
      local_(layout_.owned.size, k) {}

template <typename T>
const mpi::Comm& DistFactor<T>::sharing_comm() const {
  return layout_.side == FactorSide::samples ? grid_->row_comm() : grid_->col_comm();
}

template <typename T>
void DistFactor<T>::gather_block(Matrix<T>& block) const {
  block.resize(layout_.block.size, k_);
  std::vector<std::int64_t> counts(layout_.counts);
  for (auto& c : counts) c *= k_;
  sharing_comm().allgatherv(local_.data(), block.data(), counts);
}

template <typename T>
const Matrix<T>& DistFactor<T>::block(Matrix<T>& scratch) const {
  if (sharing_comm().size() == 1) return local_;
  gather_block(scratch);
  return scratch;
}

template class DistMatrix<double>;
template class DistMatrix<float>;
template class DistFactor<double>;
template class DistFactor<float>;

}  // namespace dnmf
