#pragma once
/// @file The distributed products of one alternating NMF iteration (MPI-FAUN schedule). Only
/// k-sized data moves: factor blocks and k x k Grams; X stays where it was read.

#include <functional>
#include <utility>
#include <vector>

#include "dnmf/core/timers.hpp"
#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/la/kernels.hpp"

namespace dnmf {

/// Products with a fixed distributed X. Keeps gather and partial-product buffers between calls.
template <typename T>
class DistProducts {
 public:
  explicit DistProducts(const DistMatrix<T>& x, PhaseTimers* timers = nullptr)
      : x_(x), timers_(timers ? timers : &own_timers_) {}

  const DistMatrix<T>& x() const { return x_; }

  /// g = F^T F (k x k) summed over all ranks; replicated on every rank. Collective.
  void gram(const DistFactor<T>& f, Matrix<T>& g);

  /// out = (X Ht)[my W rows], i.e. X H^T for the rows of W this rank owns.
  ///   1. all-gather Ht's block C_j within my grid column;
  ///   2. local product X_ij Ht_j (|R_i| x k);
  ///   3. reduce-scatter the partial products within my grid row.
  /// `w_layout` is the layout of W (for the owned row counts). Collective.
  void x_times_ht(const DistFactor<T>& ht, const FactorLayout& w_layout, Matrix<T>& out);

  /// out = (X^T W)[my Ht rows]; the mirror image of x_times_ht with the grid's row and column
  /// communicators swapping roles. Collective.
  void xt_times_w(const DistFactor<T>& w, const FactorLayout& ht_layout, Matrix<T>& out);

  /// ||X - W H||_F^2 summed block by block (each rank over its own block of X, never forming
  /// the global product), then all-reduced. Collective.
  double squared_residual(const DistFactor<T>& w, const DistFactor<T>& ht);

  /// D_beta(X | W H) (spec §6) for any beta: each rank sums over its own block of X, forming
  /// W H one row panel at a time, then one all-reduce. Collective.
  double divergence(const DistFactor<T>& w, const DistFactor<T>& ht, double beta);

  /// The numerator and denominator of scikit-learn's MU step for beta != 2 (spec §5.3), for the
  /// rows of W (side w) or of Ht (side h) that this rank owns. Gathers both factors' blocks,
  /// forms each block of W H locally, and reduce-scatters the partial products. For beta = 1
  /// the denominator is the other factor's column sums (H's row sums), broadcast over the rows;
  /// on side h a zero sum is replaced by 1, as scikit-learn does. Collective.
  void beta_mu_terms(const DistFactor<T>& w, const DistFactor<T>& ht, double beta, la::MuSide side,
                     Matrix<T>& num, Matrix<T>& den);

  /// anls-bpp on the observed entries (X masked): for each row of W (side w) or of Ht (side h)
  /// that this rank owns, its own Gram over the observed entries of its row (column) of X,
  /// G_i = H diag(M_i) H^T, in `grams` (owned rows x k*k), and rhs_i = (M_i o X_i) H^T in `rhs`.
  /// Each rank forms the partial Grams of its block's rows, reduce-scattered within the grid
  /// row (side w) or column (side h): |R_i| k^2 words instead of the unmasked |R_i| k. Collective.
  void masked_normal_equations(const DistFactor<T>& w, const DistFactor<T>& ht, la::MuSide side,
                               Matrix<T>& grams, Matrix<T>& rhs);
  /// Whether one_pass() applies: X (dense or sparse) whose rows each rank holds whole (PC = 1),
  /// and no mask (the masked products go through beta_mu_terms).
  bool one_pass_possible() const { return x_.grid().pc() == 1 && !x_.masked(); }

  /// W's update and the two products around it in one visit of X, dense or CSR (requires
  /// one_pass_possible()). For each cache-sized panel P of my rows of X:
  ///   r = X_P Ht (the panel's rows of X H^T),
  ///   update(panel, r): the caller updates W's rows `panel` (local indices) in place from r,
  ///   X^T W and W^T W accumulate the panel's contributions with the updated rows,
  /// so X is read once per iteration instead of twice. Then `xtw` = (X^T W)[my Ht rows]
  /// (reduce-scattered over my grid column) and `wtw` = W^T W (all-reduced): what the H
  /// update needs. Per row the arithmetic is that of x_times_ht, the update and xt_times_w in
  /// turn; only the order of the sums over rows differs. Collective.
  void one_pass(const DistFactor<T>& ht, DistFactor<T>& w,
                const std::function<void(Range panel, Matrix<T>& r)>& update, Matrix<T>& xtw,
                Matrix<T>& wtw);

  PhaseTimers& timers() { return *timers_; }

 private:
  /// W's block for my grid row and Ht's for my grid column, gathered (timed as allgather).
  std::pair<const Matrix<T>*, const Matrix<T>*> gather_both(const DistFactor<T>& w,
                                                            const DistFactor<T>& ht);
  /// InternalError unless Ht's blocks follow X's column axis and W's its row axis.
  void require_layouts(const Axis& cols, const Axis& rows) const;
  /// The masked counterparts (issue #16), used when x_.masked(): beta_mu_terms for every beta
  /// (beta = 2 included) and the divergence, over the observed entries only.
  void masked_mu_terms(const DistFactor<T>& w, const DistFactor<T>& ht, double beta,
                       la::MuSide side, Matrix<T>& num, Matrix<T>& den);
  double masked_divergence(const DistFactor<T>& w, const DistFactor<T>& ht, double beta);

  const DistMatrix<T>& x_;
  PhaseTimers own_timers_;
  PhaseTimers* timers_;
  Matrix<T> gathered_;     // a factor's block (|R_i| or |C_j| rows x k)
  Matrix<T> partial_;      // local product before the reduce-scatter
  Matrix<T> panel_;        // one_pass: a panel's rows of X H^T
  Matrix<T> wide_;         // W^T X as computed (k x cols), before transposing
  Matrix<T> ht_t_;         // Ht's gathered block transposed (k x cols), for the X Ht kernel
  std::vector<T> ht_pad_;  // one_pass: Ht's block with 64-byte rows, read in place per panel
  Matrix<T> other_;        // second gathered block for the residual
  Matrix<T> partial_den_;
};

}  // namespace dnmf
