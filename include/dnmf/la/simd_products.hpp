#pragma once
/// @file Register-blocked SIMD kernels for the dense products of NMF, where one dimension is the
/// small k: X_P Ht (rows x cols times cols x k) and W_P^T X_P (k x rows times rows x cols).
/// Each has an AVX-512, an AVX2 (+FMA) and a portable path, each compiled in its own translation
/// unit with its own instruction-set flags; the widest path the CPU reports is chosen at run
/// time, so one binary serves any x86-64. The floating-point order depends only on the path and
/// the sizes (never on threads or on how the caller splits rows), so results repeat bit for bit.

#include <cstdint>

namespace dnmf::la {

enum class SimdPath { portable, avx2, avx512 };

/// Whether this CPU (and its OS) can run `path`. The portable path always can.
bool simd_path_supported(SimdPath path);
/// The widest supported path; what the kernels use when no path is given.
SimdPath best_simd_path();
const char* to_string(SimdPath path);

/// C = A B^T: A is m x len (row stride lda), B is n x len (row stride ldb), C is m x n (row
/// stride ldc), all row-major. Each entry is a dot product over len, summed in vector lanes and
/// then across them. Meant for small n (the k of NMF; any n works, blocked in registers over
/// rows of A and of B). X_P Ht is product_abt with A = X_P and B = Ht^T (k x cols).
/// Cost: 2 m n len flops.
template <typename T>
void product_abt(std::int64_t m, std::int64_t n, std::int64_t len, const T* a, std::int64_t lda,
                 const T* b, std::int64_t ldb, T* c, std::int64_t ldc);
template <typename T>
void product_abt(SimdPath path, std::int64_t m, std::int64_t n, std::int64_t len, const T* a,
                 std::int64_t lda, const T* b, std::int64_t ldb, T* c, std::int64_t ldc);

/// C = A B: A is m x len (row stride lda), B is len x n (row stride ldb), C is m x n (row
/// stride ldc). Meant for small n: X_P Ht with A = X_P, B = Ht. Each entry is one chain of
/// fused multiply-adds over len in order (B's rows broadcast against vectors of its columns),
/// unless n fills the vector lanes poorly (under 3/4 of the lanes of its last vectors, e.g.
/// k = 20 in float32 on AVX-512): then it is product_abt on B^T, using `bt` (B^T, n x len, row
/// stride ldbt) when the caller has it, else a transposed copy. The form depends only on the
/// path, T and n, so results repeat bit for bit; a row of C never depends on other rows.
/// B is read as len whole rows of ldb entries. When ldb spans whole 64-byte lines past n and B
/// is 64-byte aligned, B is used in place (its padding, never reaching C, may hold anything);
/// otherwise each chunk of it is copied into an aligned buffer first.
/// Cost: 2 m n len flops.
template <typename T>
void product_ab(std::int64_t m, std::int64_t n, std::int64_t len, const T* a, std::int64_t lda,
                const T* b, std::int64_t ldb, T* c, std::int64_t ldc, const T* bt = nullptr,
                std::int64_t ldbt = 0);
template <typename T>
void product_ab(SimdPath path, std::int64_t m, std::int64_t n, std::int64_t len, const T* a,
                std::int64_t lda, const T* b, std::int64_t ldb, T* c, std::int64_t ldc,
                const T* bt = nullptr, std::int64_t ldbt = 0);

/// C += A^T B: A is len x m (row stride lda), B is len x n (row stride ldb), C is m x n (row
/// stride ldc). Each entry is one chain of fused multiply-adds starting from C's value, over the
/// len rows in order, so splitting the rows into consecutive calls gives the same bits as one
/// call. Meant for small m (W_P^T X_P with A = W_P, B = X_P; also W^T W).
/// Cost: 2 m n len flops.
template <typename T>
void product_atb_add(std::int64_t m, std::int64_t n, std::int64_t len, const T* a, std::int64_t lda,
                     const T* b, std::int64_t ldb, T* c, std::int64_t ldc);
template <typename T>
void product_atb_add(SimdPath path, std::int64_t m, std::int64_t n, std::int64_t len, const T* a,
                     std::int64_t lda, const T* b, std::int64_t ldb, T* c, std::int64_t ldc);

/// out (rows x k, row stride ldo) = X B for a CSR X (rows rows; row i's entries are
/// indices/values[indptr[i] .. indptr[i+1])) and B (row stride ldb, k columns). Each entry of
/// out is one chain of fused multiply-adds over its row's entries in order. Cost: 2 nnz k flops.
template <typename T>
void product_csr_b(SimdPath path, std::int64_t rows, const std::int64_t* indptr,
                   const std::int64_t* indices, const T* values, std::int64_t k, const T* b,
                   std::int64_t ldb, T* out, std::int64_t ldo);

/// out (row stride ldo, k columns) += X^T B for the same CSR X and B (rows x k, stride ldb):
/// for each stored entry (i, j) in CSR order, out[j] += x_ij B[i]. Cost: 2 nnz k flops.
template <typename T>
void product_csrt_b_add(SimdPath path, std::int64_t rows, const std::int64_t* indptr,
                        const std::int64_t* indices, const T* values, std::int64_t k, const T* b,
                        std::int64_t ldb, T* out, std::int64_t ldo);

/// y[j] = x[j] / (y[j] < eps ? eps : y[j]) for j < n: the entries of the Kullback-Leibler MU
/// numerator, vectorised; the same operations as the scalar rule, so the same bits.
template <typename T>
void ratio_clipped(SimdPath path, std::int64_t n, const T* x, T* y, T eps);

/// la::cd_sweep (kernels.hpp) on `path`: eight rows at a time in vector lanes, the scalar
/// rule's operations in its order for each, so the same bits on every path.
template <typename T>
T cd_sweep(SimdPath path, std::int64_t rows, std::int64_t k, T* a, const T* g, const T* r,
           const std::int64_t* perm);

/// The peak flop rate of the calling core on `path`: the best of repeated timings, over about
/// `seconds` in all, of independent fused multiply-adds on register-held vectors of T (two
/// flops per lane). The bound the product kernels are measured against.
template <typename T>
double measure_peak_flops(SimdPath path, double seconds);

}  // namespace dnmf::la
