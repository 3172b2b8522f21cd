#pragma once
// The kernels of la/simd_products.hpp, written once over a vector type V and compiled once per
// instruction set (simd_products_{avx512,avx2,portable}.cpp, each with its own -m flags).
//
// Everything here has internal linkage (anonymous namespace) and uses no standard-library inline
// functions: a translation unit built with -mavx512f must not hand the linker a weak copy of some
// shared inline function that other code would then run on a CPU without AVX-512.
//
// V provides: T, reg, width, zero(), load(p), load_n(p, n) (first n lanes, rest zero),
// store(p, v), store_n(p, v, n), broadcast(x), fma(a, b, c) = a * b + c (one rounding),
// div(a, b), clip_below(v, e) (lanes v < e replaced by e; NaN kept),
// reduce(v) (sum of the lanes in a fixed order), and the blocking constants
// abt_rows x abt_cols (accumulators of the dot-product form of C = A B^T), ab_accs and ab_vecs
// (accumulators and most vectors per tile of the broadcast form), atb_rows x atb_vecs (of
// C += A^T B).

#include <cstdint>

namespace {

using Int = std::int64_t;

// ---- C = A B^T ----------------------------------------------------------------------------
// One tile: RB rows of A against CB rows of B, RB * CB vector accumulators over len.
template <class V, int RB, int CB>
__attribute__((noinline)) void abt_tile(Int len, const typename V::T* a, Int lda,
                                        const typename V::T* b, Int ldb, typename V::T* c,
                                        Int ldc) {
  using reg = typename V::reg;
  constexpr int W = V::width;
  reg acc[RB][CB];
#pragma GCC unroll 16
  for (int i = 0; i < RB; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < CB; ++j) acc[i][j] = V::zero();
  Int l = 0;
  for (; l + W <= len; l += W) {
    reg bv[CB];
#pragma GCC unroll 16
    for (int j = 0; j < CB; ++j) bv[j] = V::load(b + j * ldb + l);
#pragma GCC unroll 16
    for (int i = 0; i < RB; ++i) {
      const reg av = V::load(a + i * lda + l);
#pragma GCC unroll 16
      for (int j = 0; j < CB; ++j) acc[i][j] = V::fma(av, bv[j], acc[i][j]);
    }
  }
  if (l < len) {  // the last, partial vector: lanes past len load as zero
    const int n = static_cast<int>(len - l);
    reg bv[CB];
#pragma GCC unroll 16
    for (int j = 0; j < CB; ++j) bv[j] = V::load_n(b + j * ldb + l, n);
#pragma GCC unroll 16
    for (int i = 0; i < RB; ++i) {
      const reg av = V::load_n(a + i * lda + l, n);
#pragma GCC unroll 16
      for (int j = 0; j < CB; ++j) acc[i][j] = V::fma(av, bv[j], acc[i][j]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < RB; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < CB; ++j) c[i * ldc + j] = V::reduce(acc[i][j]);
}

// The tile for rb <= RB rows and cb <= CB columns (edge tiles use smaller instances).
template <class V, int RB, int CB>
void abt_edge(int rb, int cb, Int len, const typename V::T* a, Int lda, const typename V::T* b,
              Int ldb, typename V::T* c, Int ldc) {
  if constexpr (RB > 1) {
    if (rb < RB) return abt_edge<V, RB - 1, CB>(rb, cb, len, a, lda, b, ldb, c, ldc);
  }
  if constexpr (CB > 1) {
    if (cb < CB) return abt_edge<V, RB, CB - 1>(rb, cb, len, a, lda, b, ldb, c, ldc);
  }
  abt_tile<V, RB, CB>(len, a, lda, b, ldb, c, ldc);
}

template <class V>
void abt(Int m, Int n, Int len, const typename V::T* a, Int lda, const typename V::T* b, Int ldb,
         typename V::T* c, Int ldc) {
  constexpr int RB = V::abt_rows, CB = V::abt_cols;
  // Panels of A's rows that stay in L2 while every tile of B's rows passes over them, tile
  // rows inner: a tile of B (CB rows) stays in L1 and A is read from memory once.
  const Int row_bytes = len * Int{sizeof(typename V::T)};
  Int panel = row_bytes > 0 ? (Int{256} << 10) / row_bytes : m;
  panel = panel < RB ? RB : panel / RB * RB;
  for (Int p0 = 0; p0 < m; p0 += panel) {
    const Int pm = m - p0 < panel ? m - p0 : panel;
    for (Int j0 = 0; j0 < n; j0 += CB) {
      const int cb = n - j0 < CB ? static_cast<int>(n - j0) : CB;
      for (Int i0 = p0; i0 < p0 + pm; i0 += RB) {
        const int rb = p0 + pm - i0 < RB ? static_cast<int>(p0 + pm - i0) : RB;
        abt_edge<V, RB, CB>(rb, cb, len, a + i0 * lda, lda, b + j0 * ldb, ldb, c + i0 * ldc + j0,
                            ldc);
      }
    }
  }
}

// ---- C = A B, B with few columns ------------------------------------------------------------
// One tile: RB rows of A against NV vectors of B's columns, B's rows readable as whole vectors
// (packed, or padded by the caller); C's last vector has `last` lanes when TAIL. Per step l, B's
// row l is loaded once and each A[i][l] broadcast: no reduction across lanes, and A is read once
// when all of B's columns fit in one tile.
template <class V, int RB, int NV, bool TAIL>
__attribute__((noinline)) void ab_tile(Int len, const typename V::T* a, Int lda,
                                       const typename V::T* b, Int ldb, typename V::T* c, Int ldc,
                                       int last, bool resume) {
  using reg = typename V::reg;
  constexpr int W = V::width;
  reg acc[RB][NV];
#pragma GCC unroll 16
  for (int i = 0; i < RB; ++i)
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      if (!resume) {
        acc[i][v] = V::zero();
      } else {
        acc[i][v] = (TAIL && v == NV - 1) ? V::load_n(c + i * ldc + v * W, last)
                                          : V::load(c + i * ldc + v * W);
      }
    }
  for (Int l = 0; l < len; ++l) {
    const typename V::T* bl = b + l * ldb;  // packed: whole, zero-padded vectors
    reg bv[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) bv[v] = V::load(bl + v * W);
#pragma GCC unroll 16
    for (int i = 0; i < RB; ++i) {
      const reg av = V::broadcast(a[i * lda + l]);
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) acc[i][v] = V::fma(av, bv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < RB; ++i)
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      if (TAIL && v == NV - 1) {
        V::store_n(c + i * ldc + v * W, acc[i][v], last);
      } else {
        V::store(c + i * ldc + v * W, acc[i][v]);
      }
    }
}

// Rows per tile for NV vectors: as many as the accumulator registers allow, at most 8.
template <class V, int NV>
constexpr int ab_rows() {
  constexpr int r = V::ab_accs / NV;
  return r > 8 ? 8 : (r < 1 ? 1 : r);
}

template <class V, int NV, int RB>
void ab_edge_rows(int rb, bool tail, Int len, const typename V::T* a, Int lda,
                  const typename V::T* b, Int ldb, typename V::T* c, Int ldc, int last,
                  bool resume) {
  if constexpr (RB > 1) {
    if (rb < RB) {
      return ab_edge_rows<V, NV, RB - 1>(rb, tail, len, a, lda, b, ldb, c, ldc, last, resume);
    }
  }
  if (tail) {
    ab_tile<V, RB, NV, true>(len, a, lda, b, ldb, c, ldc, last, resume);
  } else {
    ab_tile<V, RB, NV, false>(len, a, lda, b, ldb, c, ldc, last, resume);
  }
}

template <class V, int NV>
void ab_edge(int nv, int rb, bool tail, Int len, const typename V::T* a, Int lda,
             const typename V::T* b, Int ldb, typename V::T* c, Int ldc, int last, bool resume) {
  if constexpr (NV > 1) {
    if (nv < NV) {
      return ab_edge<V, NV - 1>(nv, rb, tail, len, a, lda, b, ldb, c, ldc, last, resume);
    }
  }
  ab_edge_rows<V, NV, ab_rows<V, NV>()>(rb, tail, len, a, lda, b, ldb, c, ldc, last, resume);
}

template <class V, int NV>
int ab_rows_for(int nv) {
  if constexpr (NV > 1) {
    if (nv < NV) return ab_rows_for<V, NV - 1>(nv);
  }
  return ab_rows<V, NV>();
}

template <class V>
void ab(Int m, Int n, Int len, const typename V::T* a, Int lda, const typename V::T* b, Int ldb,
        typename V::T* c, Int ldc) {
  constexpr int W = V::width, NVMAX = V::ab_vecs;
  using T = typename V::T;
  // B's columns in as few tiles as the registers allow, split evenly (13 vectors: 7 + 6).
  const Int nvec = (n + W - 1) / W;
  const Int blocks = (nvec + NVMAX - 1) / NVMAX;
  const Int per_block = (nvec + blocks - 1) / blocks;
  // len in chunks whose rows of B (chunk x one tile's columns, at most 20 KiB) are packed into
  // an aligned buffer with zero-padded lanes, which stays in L1 while the tiles of a panel of
  // A's rows pass over it; a tile resumes from C where the previous chunk stopped, which keeps
  // each entry's chain of multiply-adds in order (the same bits as without chunks).
  constexpr Int kPackBytes = 20480;
  const Int chunk0 = kPackBytes / (per_block * W * Int{sizeof(T)});
  const Int chunk = chunk0 < 1 ? 1 : chunk0;
  alignas(64) T pack[kPackBytes / sizeof(T)];
  // Panels of A's rows (about 256 KiB of one chunk's columns) that stay in L2 meanwhile.
  const Int span = len < chunk ? (len > 0 ? len : 1) : chunk;
  const Int panel0 = (Int{256} << 10) / (span * Int{sizeof(T)});
  const Int panel = panel0 < 8 ? 8 : panel0;
  for (Int p0 = 0; p0 < m; p0 += panel) {
    const Int pm = m - p0 < panel ? m - p0 : panel;
    Int l0 = 0;
    do {  // at least once, so that len = 0 still writes C = 0
      const Int lc = len - l0 < chunk ? len - l0 : chunk;
      for (Int v0 = 0; v0 < nvec; v0 += per_block) {
        const int nv = static_cast<int>(nvec - v0 < per_block ? nvec - v0 : per_block);
        const Int j0 = v0 * W;
        const Int cols = n - j0 < Int{nv} * W ? n - j0 : Int{nv} * W;
        const int last = static_cast<int>(cols - Int{nv - 1} * W);
        // B used in place when its rows hold whole vectors past this block (callers may pad
        // them: lanes past n only reach accumulators that are never stored), else packed.
        const bool in_place = ldb >= nvec * W && (ldb * Int{sizeof(T)}) % 64 == 0 &&
                              reinterpret_cast<std::uintptr_t>(b) % 64 == 0;
        const T* bp = b + l0 * ldb + j0;
        Int ldp = ldb;
        if (!in_place) {
          ldp = Int{nv} * W;
          for (Int l = 0; l < lc; ++l) {
            const T* src = b + (l0 + l) * ldb + j0;
            T* dst = pack + l * ldp;
            for (Int j = 0; j < cols; ++j) dst[j] = src[j];
            for (Int j = cols; j < ldp; ++j) dst[j] = T(0);
          }
          bp = pack;
        }
        const bool tail = last<W, resume = l0> 0;
        const int rb_max = ab_rows_for<V, NVMAX>(nv);
        for (Int i0 = p0; i0 < p0 + pm; i0 += rb_max) {
          const int rb = p0 + pm - i0 < rb_max ? static_cast<int>(p0 + pm - i0) : rb_max;
          ab_edge<V, NVMAX>(nv, rb, tail, lc, a + i0 * lda + l0, lda, bp, ldp, c + i0 * ldc + j0,
                            ldc, last, resume);
        }
      }
      l0 += lc;
    } while (l0 < len);
  }
}

// ---- C += A^T B ---------------------------------------------------------------------------
// One tile: CB columns of A (rows of C) against NV vectors of B's columns; the last vector has
// `last` lanes when TAIL. Each accumulator starts from C and runs over the len rows in order.
template <class V, int CB, int NV, bool TAIL>
__attribute__((noinline)) void atb_tile(Int len, const typename V::T* a, Int lda,
                                        const typename V::T* b, Int ldb, typename V::T* c, Int ldc,
                                        int last) {
  using reg = typename V::reg;
  constexpr int W = V::width;
  reg acc[CB][NV];
#pragma GCC unroll 16
  for (int i = 0; i < CB; ++i)
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v)
      acc[i][v] = (TAIL && v == NV - 1) ? V::load_n(c + i * ldc + v * W, last)
                                        : V::load(c + i * ldc + v * W);
  for (Int r = 0; r < len; ++r) {
    const typename V::T* br = b + r * ldb;
    reg bv[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v)
      bv[v] = (TAIL && v == NV - 1) ? V::load_n(br + v * W, last) : V::load(br + v * W);
#pragma GCC unroll 16
    for (int i = 0; i < CB; ++i) {
      const reg av = V::broadcast(a[r * lda + i]);
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) acc[i][v] = V::fma(av, bv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < CB; ++i)
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      if (TAIL && v == NV - 1) {
        V::store_n(c + i * ldc + v * W, acc[i][v], last);
      } else {
        V::store(c + i * ldc + v * W, acc[i][v]);
      }
    }
}

template <class V, int CB, int NV>
void atb_edge(int cb, int nv, bool tail, Int len, const typename V::T* a, Int lda,
              const typename V::T* b, Int ldb, typename V::T* c, Int ldc, int last) {
  if constexpr (CB > 1) {
    if (cb < CB) return atb_edge<V, CB - 1, NV>(cb, nv, tail, len, a, lda, b, ldb, c, ldc, last);
  }
  if constexpr (NV > 1) {
    if (nv < NV) return atb_edge<V, CB, NV - 1>(cb, nv, tail, len, a, lda, b, ldb, c, ldc, last);
  }
  if (tail) {
    atb_tile<V, CB, NV, true>(len, a, lda, b, ldb, c, ldc, last);
  } else {
    atb_tile<V, CB, NV, false>(len, a, lda, b, ldb, c, ldc, last);
  }
}

template <class V>
void atb_add(Int m, Int n, Int len, const typename V::T* a, Int lda, const typename V::T* b,
             Int ldb, typename V::T* c, Int ldc) {
  constexpr int CB = V::atb_rows, NV = V::atb_vecs, W = V::width;
  constexpr Int strip = Int{NV} * W;
  // Rows in chunks whose strip of B (chunk x strip) stays in L1 while every tile of C's rows
  // passes over it: B is read from memory once.
  constexpr Int chunk_bytes = 16384;
  constexpr Int chunk0 = chunk_bytes / (strip * Int{sizeof(typename V::T)});
  constexpr Int chunk = chunk0 < 16 ? 16 : chunk0;
  for (Int r0 = 0; r0 < len; r0 += chunk) {
    const Int rl = len - r0 < chunk ? len - r0 : chunk;
    for (Int j0 = 0; j0 < n; j0 += strip) {
      const Int rem = n - j0;
      int nv = NV, last = W;
      if (rem < strip) {
        nv = static_cast<int>((rem + W - 1) / W);
        last = static_cast<int>(rem - Int{nv - 1} * W);
      }
      for (Int i0 = 0; i0 < m; i0 += CB) {
        const int cb = m - i0 < CB ? static_cast<int>(m - i0) : CB;
        atb_edge<V, CB, NV>(cb, nv, last < W, rl, a + r0 * lda + i0, lda, b + r0 * ldb + j0, ldb,
                            c + i0 * ldc + j0, ldc, last);
      }
    }
  }
}

// ---- CSR X times dense B, and X^T B -----------------------------------------------------------
// Vectors run along B's k columns. csr_b: out row i = sum over row i's entries e (in order) of
// values[e] * B[indices[e]], held in NV accumulators. csrt_b: out[indices[e]] += values[e] *
// B[i], row i of B held in registers; out is updated entry by entry in CSR order.
template <class V, int NV, bool TAIL>
__attribute__((noinline)) void csr_b_tile(Int rows, const Int* indptr, const Int* indices,
                                          const typename V::T* values, const typename V::T* b,
                                          Int ldb, typename V::T* out, Int ldo, int last) {
  using reg = typename V::reg;
  constexpr int W = V::width;
  for (Int i = 0; i < rows; ++i) {
    reg acc[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) acc[v] = V::zero();
    for (Int e = indptr[i]; e < indptr[i + 1]; ++e) {
      const reg x = V::broadcast(values[e]);
      const typename V::T* br = b + indices[e] * ldb;
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) {
        const reg bv = (TAIL && v == NV - 1) ? V::load_n(br + v * W, last) : V::load(br + v * W);
        acc[v] = V::fma(x, bv, acc[v]);
      }
    }
    typename V::T* o = out + i * ldo;
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      if (TAIL && v == NV - 1) {
        V::store_n(o + v * W, acc[v], last);
      } else {
        V::store(o + v * W, acc[v]);
      }
    }
  }
}

template <class V, int NV, bool TAIL>
__attribute__((noinline)) void csrt_b_tile(Int rows, const Int* indptr, const Int* indices,
                                           const typename V::T* values, const typename V::T* b,
                                           Int ldb, typename V::T* out, Int ldo, int last) {
  using reg = typename V::reg;
  constexpr int W = V::width;
  for (Int i = 0; i < rows; ++i) {
    reg bv[NV];
    const typename V::T* br = b + i * ldb;
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v)
      bv[v] = (TAIL && v == NV - 1) ? V::load_n(br + v * W, last) : V::load(br + v * W);
    for (Int e = indptr[i]; e < indptr[i + 1]; ++e) {
      const reg x = V::broadcast(values[e]);
      typename V::T* o = out + indices[e] * ldo;
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) {
        if (TAIL && v == NV - 1) {
          V::store_n(o + v * W, V::fma(x, bv[v], V::load_n(o + v * W, last)), last);
        } else {
          V::store(o + v * W, V::fma(x, bv[v], V::load(o + v * W)));
        }
      }
    }
  }
}

template <class V, int NV, bool TRANSPOSED>
void csr_edge(int nv, bool tail, Int rows, const Int* indptr, const Int* indices,
              const typename V::T* values, const typename V::T* b, Int ldb, typename V::T* out,
              Int ldo, int last) {
  if constexpr (NV > 1) {
    if (nv < NV) {
      return csr_edge<V, NV - 1, TRANSPOSED>(nv, tail, rows, indptr, indices, values, b, ldb, out,
                                             ldo, last);
    }
  }
  if constexpr (TRANSPOSED) {
    if (tail)
      return csrt_b_tile<V, NV, true>(rows, indptr, indices, values, b, ldb, out, ldo, last);
    csrt_b_tile<V, NV, false>(rows, indptr, indices, values, b, ldb, out, ldo, last);
  } else {
    if (tail) return csr_b_tile<V, NV, true>(rows, indptr, indices, values, b, ldb, out, ldo, last);
    csr_b_tile<V, NV, false>(rows, indptr, indices, values, b, ldb, out, ldo, last);
  }
}

// k in as few blocks of at most V::csr_vecs vectors as possible, split evenly.
template <class V, bool TRANSPOSED>
void csr_products(Int rows, const Int* indptr, const Int* indices, const typename V::T* values,
                  Int k, const typename V::T* b, Int ldb, typename V::T* out, Int ldo) {
  constexpr int W = V::width, NVMAX = V::csr_vecs;
  const Int nvec = (k + W - 1) / W;
  const Int blocks = (nvec + NVMAX - 1) / NVMAX;
  const Int per_block = (nvec + blocks - 1) / blocks;
  for (Int v0 = 0; v0 < nvec; v0 += per_block) {
    const int nv = static_cast<int>(nvec - v0 < per_block ? nvec - v0 : per_block);
    const Int j0 = v0 * W;
    const Int cols = k - j0 < Int{nv} * W ? k - j0 : Int{nv} * W;
    const int last = static_cast<int>(cols - Int{nv - 1} * W);
    csr_edge<V, NVMAX, TRANSPOSED>(nv, last < W, rows, indptr, indices, values, b + j0, ldb,
                                   out + j0, ldo, last);
  }
}

// ---- cd's sweep over the components, rows in vector lanes -----------------------------------
// kCdLanes rows at a time, transposed so that lane l holds row i0 + l: each coordinate update
// is the scalar rule (gradient from -r adding g[t, c] a[i, c] for c = 0..k-1, a multiply and an
// add each, then the projected step) applied to every lane at once, which the compiler
// vectorises with this file's instruction set; rows never interact, so every entry gets the
// scalar rule's bits (these files are built with -ffp-contract=off, so a multiply and an add
// stay two roundings). The violation adds |projected gradient| per component, rows in order.
// `work` holds k (2 kCdLanes + 1) values.
template <typename T>
T cd_sweep_lanes(Int rows, Int k, T* a, const T* g, const T* r, const Int* perm, T* work) {
  constexpr Int L = dnmf::la::kCdLanes;
  T* partial = work;
  T* at = work + k;
  T* rt = at + k * L;
  for (Int s = 0; s < k; ++s) partial[s] = T(0);
  for (Int i0 = 0; i0 < rows; i0 += L) {
    const Int n = rows - i0 < L ? rows - i0 : L;
    for (Int c = 0; c < k; ++c)
      for (Int l = 0; l < L; ++l) {
        at[c * L + l] = l < n ? a[(i0 + l) * k + c] : T(0);
        rt[c * L + l] = l < n ? r[(i0 + l) * k + c] : T(0);
      }
    for (Int s = 0; s < k; ++s) {
      const Int t = perm[s];
      const T* gt = g + t * k;
      const T hess = gt[t];
      T grad[L];
      for (Int l = 0; l < L; ++l) grad[l] = -rt[t * L + l];
      for (Int c = 0; c < k; ++c) {
        const T gc = gt[c];
        const T* ac = at + c * L;
        for (Int l = 0; l < L; ++l) grad[l] += gc * ac[l];
      }
      T* a_t = at + t * L;
      T& acc = partial[s];
      for (Int l = 0; l < n; ++l) {
        const T pg = a_t[l] == T(0) ? (grad[l] < T(0) ? grad[l] : T(0)) : grad[l];
        acc += pg < T(0) ? -pg : pg;
      }
      if (hess != T(0)) {
        for (Int l = 0; l < L; ++l) {
          const T v = a_t[l] - grad[l] / hess;
          a_t[l] = v < T(0) ? T(0) : v;
        }
      }
    }
    for (Int c = 0; c < k; ++c)
      for (Int l = 0; l < n; ++l) a[(i0 + l) * k + c] = at[c * L + l];
  }
  T violation = 0;
  for (Int s = 0; s < k; ++s) violation += partial[s];
  return violation;
}

// ---- x / y with y clipped below at eps (the Kullback-Leibler MU numerator's entries) ---------
// The same IEEE operations as the scalar rule (compare, select, one division), so the same bits.
template <class V>
void ratio_clipped(Int n, const typename V::T* x, typename V::T* y, typename V::T eps) {
  constexpr int W = V::width;
  const typename V::reg e = V::broadcast(eps);
  Int j = 0;
  for (; j + W <= n; j += W)
    V::store(y + j, V::div(V::load(x + j), V::clip_below(V::load(y + j), e)));
  if (j < n) {
    const int r = static_cast<int>(n - j);
    V::store_n(y + j, V::div(V::load_n(x + j, r), V::clip_below(V::load_n(y + j, r), e)), r);
  }
}

// ---- peak rate ---------------------------------------------------------------------------
// Independent FMA chains held in registers (enough of them to cover the FMA latency on every
// port): the machine's peak, not a kernel's. Returns their sum so the loop is not removed.
constexpr int kPeakChains = 12;
template <class V>
typename V::T fma_peak_loop(Int reps) {
  using reg = typename V::reg;
  reg acc[kPeakChains];
#pragma GCC unroll 16
  for (int i = 0; i < kPeakChains; ++i) acc[i] = V::broadcast(typename V::T(i));
  const reg mul = V::broadcast(typename V::T(0.999)), add = V::broadcast(typename V::T(0.001));
  for (Int r = 0; r < reps; ++r) {
#pragma GCC unroll 16
    for (int i = 0; i < kPeakChains; ++i) acc[i] = V::fma(acc[i], mul, add);
  }
  typename V::T sum = 0;
#pragma GCC unroll 16
  for (int i = 0; i < kPeakChains; ++i) sum += V::reduce(acc[i]);
  return sum;
}

}  // namespace

// Defines the entry points entry points of one path in namespace dnmf::la::NS (see simd_paths.hpp)
// over the vector types VD (double) and VF (float).
#define DNMF_SIMD_ENTRY_POINTS(NS, VD, VF)                                                        \
  namespace dnmf::la::NS {                                                                        \
  void abt(Int m, Int n, Int len, const double* a, Int lda, const double* b, Int ldb, double* c,  \
           Int ldc) {                                                                             \
    ::abt<VD>(m, n, len, a, lda, b, ldb, c, ldc);                                                 \
  }                                                                                               \
  void abt(Int m, Int n, Int len, const float* a, Int lda, const float* b, Int ldb, float* c,     \
           Int ldc) {                                                                             \
    ::abt<VF>(m, n, len, a, lda, b, ldb, c, ldc);                                                 \
  }                                                                                               \
  void atb_add(Int m, Int n, Int len, const double* a, Int lda, const double* b, Int ldb,         \
               double* c, Int ldc) {                                                              \
    ::atb_add<VD>(m, n, len, a, lda, b, ldb, c, ldc);                                             \
  }                                                                                               \
  void atb_add(Int m, Int n, Int len, const float* a, Int lda, const float* b, Int ldb, float* c, \
               Int ldc) {                                                                         \
    ::atb_add<VF>(m, n, len, a, lda, b, ldb, c, ldc);                                             \
  }                                                                                               \
  void ab(Int m, Int n, Int len, const double* a, Int lda, const double* b, Int ldb, double* c,   \
          Int ldc) {                                                                              \
    ::ab<VD>(m, n, len, a, lda, b, ldb, c, ldc);                                                  \
  }                                                                                               \
  void ab(Int m, Int n, Int len, const float* a, Int lda, const float* b, Int ldb, float* c,      \
          Int ldc) {                                                                              \
    ::ab<VF>(m, n, len, a, lda, b, ldb, c, ldc);                                                  \
  }                                                                                               \
  void csr_b(Int rows, const Int* indptr, const Int* indices, const double* values, Int k,        \
             const double* b, Int ldb, double* out, Int ldo) {                                    \
    ::csr_products<VD, false>(rows, indptr, indices, values, k, b, ldb, out, ldo);                \
  }                                                                                               \
  void csr_b(Int rows, const Int* indptr, const Int* indices, const float* values, Int k,         \
             const float* b, Int ldb, float* out, Int ldo) {                                      \
    ::csr_products<VF, false>(rows, indptr, indices, values, k, b, ldb, out, ldo);                \
  }                                                                                               \
  void csrt_b_add(Int rows, const Int* indptr, const Int* indices, const double* values, Int k,   \
                  const double* b, Int ldb, double* out, Int ldo) {                               \
    ::csr_products<VD, true>(rows, indptr, indices, values, k, b, ldb, out, ldo);                 \
  }                                                                                               \
  void csrt_b_add(Int rows, const Int* indptr, const Int* indices, const float* values, Int k,    \
                  const float* b, Int ldb, float* out, Int ldo) {                                 \
    ::csr_products<VF, true>(rows, indptr, indices, values, k, b, ldb, out, ldo);                 \
  }                                                                                               \
  void ratio_clipped(Int n, const double* x, double* y, double eps) {                             \
    ::ratio_clipped<VD>(n, x, y, eps);                                                            \
  }                                                                                               \
  double cd_sweep(Int rows, Int k, double* a, const double* g, const double* r, const Int* perm,  \
                  double* work) {                                                                 \
    return ::cd_sweep_lanes<double>(rows, k, a, g, r, perm, work);                                \
  }                                                                                               \
  float cd_sweep(Int rows, Int k, float* a, const float* g, const float* r, const Int* perm,      \
                 float* work) {                                                                   \
    return ::cd_sweep_lanes<float>(rows, k, a, g, r, perm, work);                                 \
  }                                                                                               \
  void ratio_clipped(Int n, const float* x, float* y, float eps) {                                \
    ::ratio_clipped<VF>(n, x, y, eps);                                                            \
  }                                                                                               \
  int width(double) {                                                                             \
    return VD::width;                                                                             \
  }                                                                                               \
  int width(float) {                                                                              \
    return VF::width;                                                                             \
  }                                                                                               \
  double fma_peak_loop(Int reps, double) {                                                        \
    return ::fma_peak_loop<VD>(reps);                                                             \
  }                                                                                               \
  float fma_peak_loop(Int reps, float) {                                                          \
    return ::fma_peak_loop<VF>(reps);                                                             \
  }                                                                                               \
  int fma_peak_flops_per_rep(double) {                                                            \
    return 2 * kPeakChains * VD::width;                                                           \
  }                                                                                               \
  int fma_peak_flops_per_rep(float) {                                                             \
    return 2 * kPeakChains * VF::width;                                                           \
  }                                                                                               \
  }
