#pragma once
/// @file Typed BLAS wrappers for float and double on row-major data. The only place that calls
/// cblas; sizes are int64 and narrowed with an overflow check.

#include <cstdint>

namespace dnmf::la {

enum class Op { none, trans };

/// C = alpha * op(A) * op(B) + beta * C, all row-major. op(A) is m x k, op(B) is k x n, C is
/// m x n; lda, ldb, ldc are the row strides of A, B, C as stored. Cost: 2 m n k flops.
template <typename T>
void gemm(Op op_a, Op op_b, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc);

/// C = alpha * A^T A + beta * C for row-major A (rows x k); C is the full k x k symmetric matrix
/// (both triangles written). Cost: rows k^2 flops.
template <typename T>
void gram(std::int64_t rows, std::int64_t k, T alpha, const T* a, std::int64_t lda, T beta, T* c,
          std::int64_t ldc);

}  // namespace dnmf::la
