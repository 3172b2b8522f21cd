#pragma once
/// @file A small owning dense matrix, row-major (C order, as HDF5 and numpy store it).

#include <cstdint>
#include <vector>

namespace dnmf {

/// Row-major rows x cols matrix owning its storage. Copies are deep and explicit in intent:
/// pass by reference where no copy is meant.
template <typename T>
class Matrix {
 public:
  Matrix() = default;
  Matrix(std::int64_t rows, std::int64_t cols, T value = T(0))
      : rows_(rows), cols_(cols), data_(static_cast<std::size_t>(rows * cols), value) {}

  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  std::int64_t size() const { return rows_ * cols_; }
  bool empty() const { return size() == 0; }

  T* data() { return data_.data(); }
  const T* data() const { return data_.data(); }
  T* row(std::int64_t i) { return data_.data() + i * cols_; }
  const T* row(std::int64_t i) const { return data_.data() + i * cols_; }
  T& operator()(std::int64_t i, std::int64_t j) {
    return data_[static_cast<std::size_t>(i * cols_ + j)];
  }
  const T& operator()(std::int64_t i, std::int64_t j) const {
    return data_[static_cast<std::size_t>(i * cols_ + j)];
  }

  /// Changes the shape; contents are unspecified unless the size is unchanged.
  void resize(std::int64_t rows, std::int64_t cols) {
    rows_ = rows;
    cols_ = cols;
    data_.resize(static_cast<std::size_t>(rows * cols));
  }
  void fill(T value) { data_.assign(data_.size(), value); }

 private:
  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
  std::vector<T> data_;
};

}  // namespace dnmf
