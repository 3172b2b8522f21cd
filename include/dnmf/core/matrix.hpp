#pragma once
/// @file A small owning dense matrix, row-major (C order, as HDF5 and numpy store it).

#include <algorithm>
#include <cstdint>
#include <vector>

namespace dnmf {

/// Row-major rows x cols matrix owning its storage. Copies are deep and explicit in intent:
/// pass by reference where no copy is meant. A matrix may instead borrow memory it does not own
/// (`borrow`, e.g. a numpy array given to the Python package); its copies own theirs.
template <typename T>
class Matrix {
 public:
  Matrix() = default;
  Matrix(std::int64_t rows, std::int64_t cols, T value = T(0))
      : rows_(rows),
        cols_(cols),
        data_(static_cast<std::size_t>(rows * cols), value),
        ptr_(data_.data()) {}
  /// A rows x cols matrix over `data` (row-major, contiguous), which the caller keeps alive for
  /// the matrix's lifetime; writes go to it. A resize to another size moves into owned storage.
  static Matrix borrow(T* data, std::int64_t rows, std::int64_t cols) {
    Matrix m;
    m.rows_ = rows;
    m.cols_ = cols;
    m.ptr_ = data;
    m.borrowed_ = true;
    return m;
  }
  Matrix(const Matrix& o)
      : rows_(o.rows_), cols_(o.cols_), data_(o.ptr_, o.ptr_ + o.size()), ptr_(data_.data()) {}
  Matrix(Matrix&& o) noexcept
      : rows_(o.rows_),
        cols_(o.cols_),
        data_(std::move(o.data_)),
        ptr_(o.borrowed_ ? o.ptr_ : data_.data()),
        borrowed_(o.borrowed_) {
    o.clear();
  }
  Matrix& operator=(const Matrix& o) {
    if (this != &o) *this = Matrix(o);
    return *this;
  }
  Matrix& operator=(Matrix&& o) noexcept {
    if (this != &o) {
      rows_ = o.rows_;
      cols_ = o.cols_;
      data_ = std::move(o.data_);
      borrowed_ = o.borrowed_;
      ptr_ = borrowed_ ? o.ptr_ : data_.data();
      o.clear();
    }
    return *this;
  }
  ~Matrix() = default;

  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  std::int64_t size() const { return rows_ * cols_; }
  bool empty() const { return size() == 0; }

  T* data() { return ptr_; }
  const T* data() const { return ptr_; }
  T* row(std::int64_t i) { return ptr_ + i * cols_; }
  const T* row(std::int64_t i) const { return ptr_ + i * cols_; }
  T& operator()(std::int64_t i, std::int64_t j) { return ptr_[i * cols_ + j]; }
  const T& operator()(std::int64_t i, std::int64_t j) const { return ptr_[i * cols_ + j]; }
  bool borrowed() const { return borrowed_; }

  /// Changes the shape; contents are unspecified unless the size is unchanged.
  void resize(std::int64_t rows, std::int64_t cols) {
    if (borrowed_ && rows * cols != size()) {
      data_.assign(ptr_, ptr_ + std::min(size(), rows * cols));
      borrowed_ = false;
    }
    rows_ = rows;
    cols_ = cols;
    if (!borrowed_) {
      data_.resize(static_cast<std::size_t>(rows * cols));
      ptr_ = data_.data();
    }
  }
  void fill(T value) { std::fill(ptr_, ptr_ + size(), value); }

 private:
  void clear() {
    rows_ = cols_ = 0;
    data_.clear();
    ptr_ = nullptr;
    borrowed_ = false;
  }

  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
  std::vector<T> data_;
  T* ptr_ = nullptr;  ///< data_.data(), or the borrowed memory
  bool borrowed_ = false;
};

}  // namespace dnmf
