#include "dnmf/la/masked_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "beta_entries.hpp"
#include "dnmf/la/blas.hpp"
#include "dnmf/la/simd_products.hpp"
#include "dnmf/la/sparse_kernels.hpp"

namespace dnmf::la {
namespace {
using detail::row_dot;

/// A's entry at an observed position.
template <typename T>
T masked_numerator(T x, T y, double beta) {
  return beta == 2.0 ? x : detail::numerator_entry(x, y, beta);
}

/// B's entry at an observed position.
template <typename T>
T masked_denominator(T y, double beta) {
  if (beta == 2.0) return y;
  if (beta == 1.0) return T(1);
  return detail::denominator_entry(y, beta);
}

/// Adds one observed entry to the sums.
template <typename T>
void add_masked_entry(MaskedSums& s, T x, T y, double beta) {
  s.observed += 1.0;
  if (beta == 2.0) {
    const double d = static_cast<double>(x - y);
    s.squares += d * d;
    return;
  }
  if (beta == 1.0) {
    s.s3 += static_cast<double>(y);
  } else if (beta != 0.0) {
    s.s3 += static_cast<double>(numpy_pow(y, beta));
  }
  DivergenceSums d;
  detail::add_divergence_entry(d, x, y, beta);
  s.s1 += d.s1;
  s.s2 += d.s2;
}

/// dst = M o src over one row of n entries: src's bits ANDed with an all-ones or all-zeros word
/// rather than selected, so that the loop has no branch (a random mask mispredicts one in five)
/// and vectorizes; a hidden entry becomes +0 whatever src held there.
template <typename T>
void keep_observed(std::int64_t n, const T* __restrict src, const std::uint8_t* __restrict m,
                   T* __restrict dst) {
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  for (std::int64_t j = 0; j < n; ++j) {
    const Bits keep = Bits(0) - static_cast<Bits>(m[j] != 0);
    Bits v;
    std::memcpy(&v, src + j, sizeof(T));
    v &= keep;
    std::memcpy(dst + j, &v, sizeof(T));
  }
}

/// One row's (or column's) Gram from a list of the other factor's rows: gathered into a panel,
/// then one BLAS Gram. finish(false, g): g = P^T P; finish(true, g): g = full - P^T P, for when
/// the hidden entries are the shorter list (the block's full Gram less theirs).
template <typename T>
class ListedGrams {
 public:
  ListedGrams(std::int64_t k, const T* full) : k_(k), full_(full) {}
  void clear() { n_ = 0; }
  void add(const T* row) {
    if (static_cast<std::size_t>((n_ + 1) * k_) > panel_.size())
      panel_.resize(static_cast<std::size_t>(std::max<std::int64_t>(2 * n_, 16) * k_));
    std::copy_n(row, k_, panel_.data() + n_ * k_);
    ++n_;
  }
  void finish(bool from_full, T* g) const {
    if (from_full) {
      std::copy_n(full_, k_ * k_, g);
      if (n_ > 0) gram(n_, k_, T(-1), panel_.data(), k_, T(1), g, k_);
    } else {
      gram(n_, k_, T(1), panel_.data(), k_, T(0), g, k_);
    }
  }

 private:
  std::int64_t k_, n_ = 0;
  const T* full_;
  std::vector<T> panel_;
};

}  // namespace

template <typename T>
void masked_mu_products(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                        std::int64_t ldx, const std::uint8_t* mask, const T* w, const T* ht,
                        double beta, MuSide side, T* num, T* den) {
  const std::int64_t out_rows = side == MuSide::w ? rows : cols;
  std::fill(num, num + out_rows * k, T(0));
  std::fill(den, den + out_rows * k, T(0));
  const std::vector<T> h = detail::transposed(cols, k, ht);  // H (k x cols)
  std::vector<T> b, num_t, den_t;
  if (side == MuSide::h) {
    num_t.assign(static_cast<std::size_t>(k * cols), T(0));
    den_t.assign(num_t.size(), T(0));
  }
  detail::for_each_wh_panel(rows, cols, k, w, ht, [&](std::int64_t r0, std::int64_t nr, T* a) {
    b.resize(static_cast<std::size_t>(nr * cols));
    for (std::int64_t i = 0; i < nr; ++i) {
      const T* xr = x + (r0 + i) * ldx;
      const std::uint8_t* mr = mask + (r0 + i) * cols;
      T* ar = a + i * cols;
      T* br = b.data() + i * cols;
      if (beta == 2.0) {  // B = M o Y, then A = M o X (A held Y)
        keep_observed(cols, ar, mr, br);
        keep_observed(cols, xr, mr, ar);
        continue;
      }
      for (std::int64_t j = 0; j < cols; ++j) {
        if (mr[j]) {
          br[j] = masked_denominator(ar[j], beta);
          ar[j] = masked_numerator(xr[j], ar[j], beta);
        } else {
          ar[j] = br[j] = T(0);
        }
      }
    }
    if (side == MuSide::w) {
      product_ab(nr, k, cols, a, cols, ht, k, num + r0 * k, k, h.data(), cols);
      product_ab(nr, k, cols, b.data(), cols, ht, k, den + r0 * k, k, h.data(), cols);
    } else {
      product_atb_add(k, cols, nr, w + r0 * k, k, a, cols, num_t.data(), cols);
      product_atb_add(k, cols, nr, w + r0 * k, k, b.data(), cols, den_t.data(), cols);
    }
  });
  if (side == MuSide::h) {
    for (std::int64_t c = 0; c < k; ++c)
      for (std::int64_t j = 0; j < cols; ++j) {
        num[j * k + c] = num_t[c * cols + j];
        den[j * k + c] = den_t[c * cols + j];
      }
  }
}

template <typename T>
void csr_masked_mu_products(const Csr<T>& x, std::int64_t k, const T* w, const T* ht, double beta,
                            MuSide side, T* num, T* den) {
  const std::int64_t out_rows = side == MuSide::w ? x.rows : x.cols;
  std::fill(num, num + out_rows * k, T(0));
  std::fill(den, den + out_rows * k, T(0));
  for (std::int64_t i = 0; i < x.rows; ++i) {
    const T* wi = w + i * k;
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
      const std::int64_t j = x.indices[e];
      const T* hj = ht + j * k;
      const T y = row_dot(wi, hj, k);
      const T a = masked_numerator(x.values[e], y, beta);
      const T bb = masked_denominator(y, beta);
      const T* v = side == MuSide::w ? hj : wi;
      T* on = num + (side == MuSide::w ? i : j) * k;
      T* od = den + (side == MuSide::w ? i : j) * k;
      for (std::int64_t c = 0; c < k; ++c) {
        on[c] += a * v[c];
        od[c] += bb * v[c];
      }
    }
  }
}

template <typename T>
MaskedSums masked_divergence_sums(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                                  std::int64_t ldx, const std::uint8_t* mask, const T* w,
                                  const T* ht, double beta) {
  MaskedSums s;
  detail::for_each_wh_panel(rows, cols, k, w, ht, [&](std::int64_t r0, std::int64_t nr, T* y) {
    for (std::int64_t i = 0; i < nr; ++i) {
      const T* xr = x + (r0 + i) * ldx;
      const std::uint8_t* mr = mask + (r0 + i) * cols;
      const T* yr = y + i * cols;
      for (std::int64_t j = 0; j < cols; ++j)
        if (mr[j]) add_masked_entry(s, xr[j], yr[j], beta);
    }
  });
  return s;
}

template <typename T>
MaskedSums csr_masked_divergence_sums(const Csr<T>& x, std::int64_t k, const T* w, const T* ht,
                                      double beta) {
  MaskedSums s;
  for (std::int64_t i = 0; i < x.rows; ++i)
    for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e)
      add_masked_entry(s, x.values[e], row_dot(w + i * k, ht + x.indices[e] * k, k), beta);
  return s;
}

double masked_divergence(const MaskedSums& s, double beta) {
  if (beta == 2.0) return 0.5 * s.squares;
  if (beta == 1.0) return s.s1 + (s.s3 - s.s2);
  if (beta == 0.0) return s.s1 - s.observed - s.s2;
  return (s.s1 - beta * s.s2 + s.s3 * (beta - 1.0)) / (beta * (beta - 1.0));
}

template <typename T>
void masked_normal_equations(std::int64_t rows, std::int64_t cols, std::int64_t k, const T* x,
                             std::int64_t ldx, const std::uint8_t* mask, const T* w, const T* ht,
                             MuSide side, T* grams, T* rhs) {
  const bool w_side = side == MuSide::w;
  const std::int64_t lines = w_side ? cols : rows;
  const T* other = w_side ? ht : w;  // the factor whose rows make the Grams
  std::vector<T> full(static_cast<std::size_t>(k * k));
  gram(lines, k, T(1), other, k, T(0), full.data(), k);
  // rhs = (M o X) Ht (or its mirror), by panels of rows of M o X copied with the hidden entries
  // set to 0, so that no value under the mask reaches the sums, to the bit (select-k's held-out
  // entries keep their values in X).
  constexpr std::int64_t panel_rows = 64;
  std::vector<T> panel(static_cast<std::size_t>(std::min(rows, panel_rows) * cols));
  for (std::int64_t i0 = 0; i0 < rows; i0 += panel_rows) {
    const std::int64_t n = std::min(panel_rows, rows - i0);
    for (std::int64_t i = 0; i < n; ++i)
      keep_observed(cols, x + (i0 + i) * ldx, mask + (i0 + i) * cols, panel.data() + i * cols);
    if (w_side) {
      gemm(Op::none, Op::none, n, k, cols, T(1), panel.data(), cols, ht, k, T(0), rhs + i0 * k, k);
    } else {
      gemm(Op::trans, Op::none, cols, k, n, T(1), panel.data(), cols, w + i0 * k, k,
           i0 == 0 ? T(0) : T(1), rhs, k);
    }
  }
  if (rows == 0 && !w_side) std::fill(rhs, rhs + cols * k, T(0));
  ListedGrams<T> listed(k, full.data());
  if (w_side) {
    for (std::int64_t i = 0; i < rows; ++i) {
      const std::uint8_t* m = mask + i * cols;
      const std::int64_t seen = std::count_if(m, m + cols, [](std::uint8_t b) { return b != 0; });
      const bool list_hidden = cols - seen < seen;
      listed.clear();
      for (std::int64_t j = 0; j < cols; ++j)
        if ((m[j] != 0) != list_hidden) listed.add(ht + j * k);
      listed.finish(list_hidden, grams + i * k * k);
    }
    return;
  }
  // Side h: the columns a chunk at a time, each column's list of rows gathered in one pass over
  // the chunk's mask bytes (row-major mask, so a column is never walked with a stride alone).
  constexpr std::int64_t chunk = 16;
  std::vector<std::int64_t> seen(static_cast<std::size_t>(chunk));
  std::vector<std::vector<std::int64_t>> picked(static_cast<std::size_t>(chunk));
  for (std::int64_t j0 = 0; j0 < cols; j0 += chunk) {
    const std::int64_t n = std::min(chunk, cols - j0);
    std::fill(seen.begin(), seen.end(), 0);
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t c = 0; c < n; ++c) seen[c] += mask[i * cols + j0 + c] != 0;
    for (auto& p : picked) p.clear();
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t c = 0; c < n; ++c) {
        const bool list_hidden = rows - seen[c] < seen[c];
        if ((mask[i * cols + j0 + c] != 0) != list_hidden) picked[c].push_back(i);
      }
    for (std::int64_t c = 0; c < n; ++c) {
      const bool list_hidden = rows - seen[c] < seen[c];
      listed.clear();
      for (std::int64_t i : picked[c]) listed.add(w + i * k);
      listed.finish(list_hidden, grams + (j0 + c) * k * k);
    }
  }
}

template <typename T>
void csr_masked_normal_equations(const Csr<T>& x, std::int64_t k, const T* w, const T* ht,
                                 MuSide side, T* grams, T* rhs) {
  const bool w_side = side == MuSide::w;
  const std::int64_t out_rows = w_side ? x.rows : x.cols;
  std::fill(rhs, rhs + out_rows * k, T(0));
  ListedGrams<T> listed(k, nullptr);
  if (w_side) {
    for (std::int64_t i = 0; i < x.rows; ++i) {
      listed.clear();
      T* r = rhs + i * k;
      for (std::int64_t e = x.indptr[i]; e < x.indptr[i + 1]; ++e) {
        const T* v = ht + x.indices[e] * k;
        listed.add(v);
        for (std::int64_t c = 0; c < k; ++c) r[c] += x.values[e] * v[c];
      }
      listed.finish(false, grams + i * k * k);
    }
    return;
  }
  // Side h: each column's rows, found by walking every row's sorted indices with a cursor, a
  // range of columns at a time (about 2^20 entries), so the transposed pattern is never whole.
  std::vector<std::int64_t> per_col(static_cast<std::size_t>(x.cols), 0);
  for (std::int64_t e = 0; e < x.nnz(); ++e) ++per_col[x.indices[e]];
  std::vector<std::int64_t> cursor(x.indptr.begin(), x.indptr.end() - 1);
  std::vector<std::int64_t> start, rows_of;
  for (std::int64_t j0 = 0; j0 < x.cols;) {
    std::int64_t j1 = j0, entries = 0;
    while (j1 < x.cols && (j1 == j0 || entries + per_col[j1] <= (std::int64_t{1} << 20)))
      entries += per_col[j1++];
    start.assign(static_cast<std::size_t>(j1 - j0 + 1), 0);
    for (std::int64_t j = j0; j < j1; ++j) start[j - j0 + 1] = start[j - j0] + per_col[j];
    rows_of.resize(static_cast<std::size_t>(entries));
    std::vector<std::int64_t> fill(start.begin(), start.end() - 1);
    for (std::int64_t i = 0; i < x.rows; ++i)
      for (std::int64_t& e = cursor[i]; e < x.indptr[i + 1] && x.indices[e] < j1; ++e) {
        const std::int64_t j = x.indices[e];
        rows_of[fill[j - j0]++] = i;
        T* r = rhs + j * k;
        const T* v = w + i * k;
        for (std::int64_t c = 0; c < k; ++c) r[c] += x.values[e] * v[c];
      }
    for (std::int64_t j = j0; j < j1; ++j) {
      listed.clear();
      for (std::int64_t p = start[j - j0]; p < start[j - j0 + 1]; ++p)
        listed.add(w + rows_of[p] * k);
      listed.finish(false, grams + j * k * k);
    }
    j0 = j1;
  }
}

template <typename T>
void csr_holes_mu_products(const Csr<T>& x, const Csr<T>& holes, std::int64_t k, const T* w,
                           const T* ht, double beta, MuSide side, T* num, T* den) {
  const bool w_side = side == MuSide::w;
  const std::int64_t out_rows = w_side ? x.rows : x.cols;
  // Numerator: X's stored entries (the holes are not among them).
  if (beta == 2.0) {
    if (w_side) {
      csr_times_dense(x, k, ht, num);
    } else {
      csr_transpose_times_dense(x, k, w, num);
    }
  } else {
    csr_beta_numerator(x, k, w, ht, beta, side, num);
  }
  // Denominator over every entry of the block ...
  if (beta == 1.0) {  // M's all-ones part: the other factor's column sums over the block
    const T* other = w_side ? ht : w;
    const std::int64_t n_other = w_side ? x.cols : x.rows;
    std::vector<T> colsum(static_cast<std::size_t>(k), T(0));
    for (std::int64_t r = 0; r < n_other; ++r)
      for (std::int64_t c = 0; c < k; ++c) colsum[c] += other[r * k + c];
    for (std::int64_t r = 0; r < out_rows; ++r)
      for (std::int64_t c = 0; c < k; ++c) den[r * k + c] = colsum[c];
  } else {
    beta_denominator(x.rows, x.cols, k, w, ht, beta, side, den);
  }
  // ... less the holes' share.
  for (std::int64_t i = 0; i < holes.rows; ++i) {
    const T* wi = w + i * k;
    for (std::int64_t e = holes.indptr[i]; e < holes.indptr[i + 1]; ++e) {
      const std::int64_t j = holes.indices[e];
      const T* hj = ht + j * k;
      const T b = masked_denominator(row_dot(wi, hj, k), beta);
      const T* v = w_side ? hj : wi;
      T* od = den + (w_side ? i : j) * k;
      for (std::int64_t c = 0; c < k; ++c) od[c] -= b * v[c];
    }
  }
}

template <typename T>
MaskedSums csr_holes_divergence_sums(const Csr<T>& x, const Csr<T>& holes, std::int64_t k,
                                     const T* w, const T* ht, double beta) {
  MaskedSums s;
  s.observed =
      static_cast<double>(x.rows) * static_cast<double>(x.cols) - static_cast<double>(holes.nnz());
  if (beta == 2.0) {  // ||X||^2 - 2 <X, WH> + <W^T W, H^T H> over the block, less Y^2 at holes
    const SparseFrobeniusSums f = csr_frobenius_sums(x, k, w, ht);
    std::vector<double> gw(static_cast<std::size_t>(k * k), 0.0), gh(gw.size(), 0.0);
    for (std::int64_t i = 0; i < x.rows; ++i)
      for (std::int64_t a = 0; a < k; ++a)
        for (std::int64_t b = 0; b < k; ++b)
          gw[a * k + b] += static_cast<double>(w[i * k + a]) * static_cast<double>(w[i * k + b]);
    for (std::int64_t j = 0; j < x.cols; ++j)
      for (std::int64_t a = 0; a < k; ++a)
        for (std::int64_t b = 0; b < k; ++b)
          gh[a * k + b] += static_cast<double>(ht[j * k + a]) * static_cast<double>(ht[j * k + b]);
    double grams = 0;
    for (std::size_t e = 0; e < gw.size(); ++e) grams += gw[e] * gh[e];
    s.squares = f.x_squares - 2.0 * f.cross + grams;
    for (std::int64_t i = 0; i < holes.rows; ++i)
      for (std::int64_t e = holes.indptr[i]; e < holes.indptr[i + 1]; ++e) {
        const double y = static_cast<double>(row_dot(w + i * k, ht + holes.indices[e] * k, k));
        s.squares -= y * y;
      }
    return s;
  }
  const DivergenceSums d = csr_divergence_sums(x, k, w, ht, beta);
  s.s1 = d.s1;
  s.s2 = d.s2;
  if (beta == 1.0) {  // sum of Y over the block: (column sums of W) . (column sums of Ht)
    std::vector<double> cw(static_cast<std::size_t>(k), 0.0), ch(cw.size(), 0.0);
    for (std::int64_t i = 0; i < x.rows; ++i)
      for (std::int64_t c = 0; c < k; ++c) cw[c] += static_cast<double>(w[i * k + c]);
    for (std::int64_t j = 0; j < x.cols; ++j)
      for (std::int64_t c = 0; c < k; ++c) ch[c] += static_cast<double>(ht[j * k + c]);
    for (std::int64_t c = 0; c < k; ++c) s.s3 += cw[c] * ch[c];
  } else if (beta != 0.0) {
    s.s3 = wh_power_sum(x.rows, x.cols, k, w, ht, beta);
  }
  if (beta != 0.0)
    for (std::int64_t i = 0; i < holes.rows; ++i)
      for (std::int64_t e = holes.indptr[i]; e < holes.indptr[i + 1]; ++e) {
        const T y = row_dot(w + i * k, ht + holes.indices[e] * k, k);
        s.s3 -= beta == 1.0 ? static_cast<double>(y) : static_cast<double>(numpy_pow(y, beta));
      }
  return s;
}

template <typename T>
void csr_holes_normal_equations(const Csr<T>& x, const Csr<T>& holes, std::int64_t k, const T* w,
                                const T* ht, MuSide side, T* grams, T* rhs) {
  const bool w_side = side == MuSide::w;
  const std::int64_t out_rows = w_side ? x.rows : x.cols;
  if (w_side) {
    csr_times_dense(x, k, ht, rhs);
  } else {
    csr_transpose_times_dense(x, k, w, rhs);
  }
  const T* other = w_side ? ht : w;
  const std::int64_t n_other = w_side ? x.cols : x.rows;
  std::vector<T> g(static_cast<std::size_t>(k * k));
  gram(n_other, k, T(1), other, k, T(0), g.data(), k);
  for (std::int64_t r = 0; r < out_rows; ++r) std::copy(g.begin(), g.end(), grams + r * k * k);
  for (std::int64_t i = 0; i < holes.rows; ++i)
    for (std::int64_t e = holes.indptr[i]; e < holes.indptr[i + 1]; ++e) {
      const std::int64_t j = holes.indices[e];
      const T* v = w_side ? ht + j * k : w + i * k;
      T* gr = grams + (w_side ? i : j) * k * k;
      for (std::int64_t a = 0; a < k; ++a)
        for (std::int64_t b = 0; b < k; ++b) gr[a * k + b] -= v[a] * v[b];
    }
}

#define DNMF_INSTANTIATE_MASKED(T)                                                                 \
  template void masked_mu_products<T>(std::int64_t, std::int64_t, std::int64_t, const T*,          \
                                      std::int64_t, const std::uint8_t*, const T*, const T*,       \
                                      double, MuSide, T*, T*);                                     \
  template void csr_masked_mu_products<T>(const Csr<T>&, std::int64_t, const T*, const T*, double, \
                                          MuSide, T*, T*);                                         \
  template MaskedSums masked_divergence_sums<T>(std::int64_t, std::int64_t, std::int64_t,          \
                                                const T*, std::int64_t, const std::uint8_t*,       \
                                                const T*, const T*, double);                       \
  template MaskedSums csr_masked_divergence_sums<T>(const Csr<T>&, std::int64_t, const T*,         \
                                                    const T*, double);                             \
  template void masked_normal_equations<T>(std::int64_t, std::int64_t, std::int64_t, const T*,     \
                                           std::int64_t, const std::uint8_t*, const T*, const T*,  \
                                           MuSide, T*, T*);                                        \
  template void csr_masked_normal_equations<T>(const Csr<T>&, std::int64_t, const T*, const T*,    \
                                               MuSide, T*, T*);                                    \
  template void csr_holes_mu_products<T>(const Csr<T>&, const Csr<T>&, std::int64_t, const T*,     \
                                         const T*, double, MuSide, T*, T*);                        \
  template MaskedSums csr_holes_divergence_sums<T>(const Csr<T>&, const Csr<T>&, std::int64_t,     \
                                                   const T*, const T*, double);                    \
  template void csr_holes_normal_equations<T>(const Csr<T>&, const Csr<T>&, std::int64_t,          \
                                              const T*, const T*, MuSide, T*, T*);
DNMF_INSTANTIATE_MASKED(double)
DNMF_INSTANTIATE_MASKED(float)
#undef DNMF_INSTANTIATE_MASKED

}  // namespace dnmf::la
