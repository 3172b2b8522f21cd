#include "dnmf/dist/dist_matrix.hpp"

#include <algorithm>
#include <limits>

#include "dnmf/core/error.hpp"

namespace dnmf {

template <typename T>
DistMatrix<T>::DistMatrix(const ProcessGrid& grid, std::int64_t rows, std::int64_t cols,
                          Storage storage)
    : DistMatrix(grid, Axis::uniform(rows, grid.pr()), Axis::uniform(cols, grid.pc()), storage) {}

template <typename T>
DistMatrix<T>::DistMatrix(const ProcessGrid& grid, Axis row_axis, Axis col_axis, Storage storage)
    : grid_(&grid),
      rows_(row_axis.size()),
      cols_(col_axis.size()),
      row_axis_(std::move(row_axis)),
      col_axis_(std::move(col_axis)),
      storage_(storage) {
  if (row_axis_.parts() != grid.pr() || col_axis_.parts() != grid.pc()) {
    throw InternalError("DistMatrix: the axes do not match the grid's shape");
  }
  row_range_ = row_axis_.block(grid.my_row());
  col_range_ = col_axis_.block(grid.my_col());
  if (storage == Storage::dense) {
    local_.resize(row_range_.size, col_range_.size);
  } else {
    csr_.rows = row_range_.size;
    csr_.cols = col_range_.size;
    csr_.indptr.assign(static_cast<std::size_t>(csr_.rows + 1), 0);
  }
}

template <typename T>
DistMatrix<T>::DistMatrix(const ProcessGrid& grid, Axis row_axis, Axis col_axis, Matrix<T> block)
    : DistMatrix(grid, std::move(row_axis), std::move(col_axis), Storage::sparse) {
  if (block.rows() != row_range_.size || block.cols() != col_range_.size) {
    throw InternalError("DistMatrix: the block does not match the axes");
  }
  storage_ = Storage::dense;  // built as an empty sparse block so that no dense one is allocated
  csr_ = Csr<T>{};
  local_ = std::move(block);
}

FactorLayout factor_layout(const ProcessGrid& grid, FactorSide side, std::int64_t global_rows) {
  const bool w = side == FactorSide::samples;
  return factor_layout(grid, side, Axis::uniform(global_rows, w ? grid.pr() : grid.pc()));
}

FactorLayout factor_layout(const ProcessGrid& grid, FactorSide side, const Axis& axis) {
  FactorLayout l;
  l.side = side;
  l.global_rows = axis.size();
  l.axis = axis;
  const bool w = side == FactorSide::samples;
  if (axis.parts() != (w ? grid.pr() : grid.pc())) {
    throw InternalError("factor_layout: the axis does not match the grid's shape");
  }
  // W's block is my grid row's rows of X, split among the pc ranks of that row; Ht's block is my
  // grid column's columns of X, split among its pr ranks.
  l.block = axis.block(w ? grid.my_row() : grid.my_col());
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
DistFactor<T>::DistFactor(const ProcessGrid& grid, FactorSide side, const Axis& axis,
                          std::int64_t k)
    : grid_(&grid),
      layout_(factor_layout(grid, side, axis)),
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
DistFactor<T> DistFactor<T>::relaid(const Axis& axis) const {
  DistFactor<T> out(*grid_, layout_.side, axis, k_);
  if (axis == layout_.axis) {
    out.local_ = local_;
    return out;
  }
  if (axis.size() != layout_.global_rows) {
    throw InternalError("DistFactor::relaid: the new axis has a different length");
  }
  // Every rank's owned positions before and after, as (begin, size) pairs.
  const mpi::Comm& all = grid_->all();
  const int p = all.size();
  const std::int64_t mine[4] = {layout_.owned.begin, layout_.owned.size, out.owned().begin,
                                out.owned().size};
  std::vector<std::int64_t> every(static_cast<std::size_t>(4 * p));
  all.allgatherv(mine, every.data(), std::vector<std::int64_t>(static_cast<std::size_t>(p), 4));
  auto before = [&](int r) { return Range{every[4 * r], every[4 * r + 1]}; };
  auto after = [&](int r) { return Range{every[4 * r + 2], every[4 * r + 3]}; };
  std::vector<std::int64_t> counts(static_cast<std::size_t>(p), 0);
  std::vector<T> send;
  send.reserve(static_cast<std::size_t>(local_.size()));

  if (axis.permutation() == layout_.axis.permutation()) {
    // Same order, other cuts: each rank sends the overlap of its rows with each new range.
    auto overlap = [](Range a, Range b) {
      const std::int64_t lo = std::max(a.begin, b.begin), hi = std::min(a.end(), b.end());
      return Range{lo, std::max<std::int64_t>(0, hi - lo)};
    };
    for (int r = 0; r < p; ++r) {
      const Range o = overlap(layout_.owned, after(r));
      counts[static_cast<std::size_t>(r)] = o.size * k_;
      const T* first = local_.data() + (o.begin - layout_.owned.begin) * k_;
      send.insert(send.end(), first, first + o.size * k_);
    }
    const std::vector<T> got = all.alltoallv(send.data(), counts);
    std::size_t at = 0;
    for (int r = 0; r < p; ++r) {  // what rank r had of my new rows
      const Range o = overlap(before(r), out.owned());
      std::copy(got.begin() + static_cast<std::ptrdiff_t>(at),
                got.begin() + static_cast<std::ptrdiff_t>(at + o.size * k_),
                out.local_.data() + (o.begin - out.owned().begin) * k_);
      at += static_cast<std::size_t>(o.size * k_);
    }
    return out;
  }

  // Another order: each row goes, with its new position, to the rank owning that position.
  std::vector<std::pair<std::int64_t, int>> starts;  // (first position, rank), non-empty ranges
  for (int r = 0; r < p; ++r)
    if (after(r).size > 0) starts.emplace_back(after(r).begin, r);
  std::sort(starts.begin(), starts.end());
  auto owner = [&](std::int64_t q) {
    const auto it = std::upper_bound(starts.begin(), starts.end(),
                                     std::make_pair(q, std::numeric_limits<int>::max()));
    return std::prev(it)->second;
  };
  const std::int64_t rows = layout_.owned.size;
  std::vector<std::int64_t> target(static_cast<std::size_t>(rows));
  std::vector<int> dest(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i) {
    target[i] = axis.position(layout_.axis.item(layout_.owned.begin + i));
    dest[i] = owner(target[i]);
    ++counts[static_cast<std::size_t>(dest[i])];
  }
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(p), 0);
  for (int r = 1; r < p; ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<std::int64_t> send_pos(static_cast<std::size_t>(rows));
  send.resize(static_cast<std::size_t>(rows * k_));
  for (std::int64_t i = 0; i < rows; ++i) {
    const std::int64_t at = offsets[static_cast<std::size_t>(dest[i])]++;
    send_pos[at] = target[i];
    std::copy(local_.data() + i * k_, local_.data() + (i + 1) * k_, send.data() + at * k_);
  }
  const std::vector<std::int64_t> got_pos = all.alltoallv(send_pos.data(), counts);
  for (auto& c : counts) c *= k_;
  const std::vector<T> got = all.alltoallv(send.data(), counts);
  for (std::size_t e = 0; e < got_pos.size(); ++e) {
    std::copy(got.begin() + static_cast<std::ptrdiff_t>(e * k_),
              got.begin() + static_cast<std::ptrdiff_t>((e + 1) * k_),
              out.local_.data() + (got_pos[e] - out.owned().begin) * k_);
  }
  return out;
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
