#pragma once
/// @file Typed wrappers for the BLACS and the ScaLAPACK routines dnmf uses: the only place that
/// touches these Fortran/C symbols (serial LAPACK is in dnmf/la/lapack.hpp). Sizes are int64
/// and narrowed to ScaLAPACK's 32-bit int with an overflow check.
///
/// Conventions (differing from ScaLAPACK's own, on purpose):
///   - global row/column offsets of a sub-matrix (ScaLAPACK's IA, JA) are 0-based here;
///   - local arrays are column-major, as ScaLAPACK stores them (dnmf's Matrix is row-major:
///     callers convert);
///   - error policy (as in la/lapack.hpp): `info < 0` (an illegal argument: our bug) throws
///     InternalError naming the routine; `info > 0` (a numerical fact: singular U, no
///     convergence) is returned, for la::check_converged where the caller cannot go on.
///
/// Collective routines must be called by every process of the descriptor's BLACS grid.

#include <cstdint>
#include <vector>

#include "dnmf/mpi/comm.hpp"

namespace dnmf::scalapack {

/// A BLACS process grid (a "context") over the ranks of a communicator. RAII: the context is
/// released in the destructor. Not copyable or movable: descriptors refer to its context.
///
/// Built on `comm` through Csys2blacs_handle / Cblacs_gridmap, never on MPI_COMM_WORLD, so it
/// works on any communicator (a sub-communicator in tests, a library embedded in an
/// application). The system handle is released right after the grid is made; the grid keeps
/// its own communicators.
class BlacsGrid {
 public:
  /// An nprow x npcol grid over all ranks of `comm` (nprow * npcol == comm.size()). Process
  /// (i, j) is rank `usermap[i + j * nprow]` of `comm`; an empty usermap means column-major
  /// rank order (rank i + j * nprow). Collective over `comm`.
  BlacsGrid(const mpi::Comm& comm, int nprow, int npcol, const std::vector<int>& usermap = {});
  ~BlacsGrid();
  BlacsGrid(const BlacsGrid&) = delete;
  BlacsGrid& operator=(const BlacsGrid&) = delete;

  int context() const { return context_; }
  int nprow() const { return nprow_; }
  int npcol() const { return npcol_; }
  int myrow() const { return myrow_; }  ///< my process row
  int mycol() const { return mycol_; }  ///< my process column

 private:
  int context_ = -1;
  int nprow_ = 0, npcol_ = 0, myrow_ = -1, mycol_ = -1;
};

/// A ScaLAPACK array descriptor (DTYPE = 1, dense block-cyclic) with named fields. Algorithm
/// code reads these names; `raw()` is the 9-int array the Fortran routines take.
struct Descriptor {
  int context = -1;   ///< BLACS context (CTXT_)
  int rows = 0;       ///< global rows (M_)
  int cols = 0;       ///< global columns (N_)
  int row_block = 1;  ///< rows per block (MB_)
  int col_block = 1;  ///< columns per block (NB_)
  int row_src = 0;    ///< process row holding the first row (RSRC_)
  int col_src = 0;    ///< process column holding the first column (CSRC_)
  int lld = 1;        ///< leading dimension of the local column-major array (LLD_)

  /// The layout ScaLAPACK expects: {DTYPE, CTXT, M, N, MB, NB, RSRC, CSRC, LLD}.
  std::vector<int> raw() const;
};

/// Number of rows (or columns) of an n-long dimension, split in blocks of `block` dealt
/// cyclically over `nprocs` processes starting at `src`, that process `iproc` holds (NUMROC).
std::int64_t numroc(std::int64_t n, std::int64_t block, int iproc, int src, int nprocs);

/// A checked descriptor of a rows x cols matrix in blocks of row_block x col_block on `grid`,
/// first block on process (0, 0), local leading dimension `lld` (DESCINIT). Throws
/// InternalError if ScaLAPACK rejects it (e.g. lld < local rows).
Descriptor make_descriptor(const BlacsGrid& grid, std::int64_t rows, std::int64_t cols,
                           std::int64_t row_block, std::int64_t col_block, std::int64_t lld);

/// Copies the m x n sub-matrix of A at global offset (ia, ja) into B at (ib, jb), whatever the
/// two distributions are (p?gemr2d). `a`/`b` are the local arrays. `grid` must contain every
/// process of both descriptors' grids. Collective over `grid`. Cost: one all-to-all of the data.
///   before: rank 0 holds rows 0-2, rank 1 rows 3-4 (block 3)  after: rows dealt in blocks of 2:
///           rank 0 rows 0-1 and 4, rank 1 rows 2-3
void gemr2d(std::int64_t m, std::int64_t n, const double* a, std::int64_t ia, std::int64_t ja,
            const Descriptor& desc_a, double* b, std::int64_t ib, std::int64_t jb,
            const Descriptor& desc_b, const BlacsGrid& grid);
void gemr2d(std::int64_t m, std::int64_t n, const float* a, std::int64_t ia, std::int64_t ja,
            const Descriptor& desc_a, float* b, std::int64_t ib, std::int64_t jb,
            const Descriptor& desc_b, const BlacsGrid& grid);

/// LU with partial pivoting of the m x n sub-matrix at (ia, ja): A = P L U (p?getrf). On exit
/// A holds L (unit lower, below the diagonal) and U. `ipiv` receives ScaLAPACK's pivot vector
/// (local, LOCr(M)+MB entries, tied to A's distribution): pass it on to `apply_row_pivots`
/// unchanged. Needs square blocks (row_block == col_block). Returns info: 0, or i > 0 when
/// U(i-1, i-1) is exactly zero (the factorization is still complete). Collective.
/// Cost: ~ m n^2 flops for m >= n; one pivot search across process rows per column.
std::int64_t getrf(std::int64_t m, std::int64_t n, double* a, std::int64_t ia, std::int64_t ja,
                   const Descriptor& desc, std::vector<int>& ipiv);
std::int64_t getrf(std::int64_t m, std::int64_t n, float* a, std::int64_t ia, std::int64_t ja,
                   const Descriptor& desc, std::vector<int>& ipiv);

/// Which way `apply_row_pivots` applies the interchanges of getrf.
enum class PivotDirection {
  forward,  ///< first to last: computes P^T A (what getrf did to A's rows)
  backward  ///< last to first: computes P A (undoes it; P L is "L with rows put back")
};

/// Applies the first `npiv` row interchanges recorded by getrf on a matrix with A's
/// distribution to the n columns starting at column ja of that matrix (p?lapiv with the pivot
/// vector distributed over a process column, as getrf leaves it). Interchanges may involve any
/// row of the matrix. Collective. (p?lapiv ignores a single interchange; for npiv == 1 this
/// wrapper applies two, overwriting row 1's pivot entry with a no-op: fine after a getrf that
/// produced one pivot, as getrf does for one column or one row.)
void apply_row_pivots(PivotDirection direction, std::int64_t npiv, std::int64_t n, double* a,
                      std::int64_t ja, const Descriptor& desc, std::vector<int>& ipiv);
void apply_row_pivots(PivotDirection direction, std::int64_t npiv, std::int64_t n, float* a,
                      std::int64_t ja, const Descriptor& desc, std::vector<int>& ipiv);

/// Householder QR of the m x n sub-matrix at (ia, ja) (p?geqrf): on exit R is on and above the
/// diagonal, the reflectors below it, their scalars in `tau` (resized to LOCc(ja + n)).
/// Workspace query, allocate, call. Returns info (always 0 unless an argument is illegal,
/// which throws). Collective. Cost: ~ 2 m n^2 flops for m >= n.
std::int64_t geqrf(std::int64_t m, std::int64_t n, double* a, std::int64_t ia, std::int64_t ja,
                   const Descriptor& desc, std::vector<double>& tau);
std::int64_t geqrf(std::int64_t m, std::int64_t n, float* a, std::int64_t ia, std::int64_t ja,
                   const Descriptor& desc, std::vector<float>& tau);

/// Forms the m x n matrix Q with orthonormal columns from the first k reflectors of geqrf
/// (p?orgqr; m >= n >= k), overwriting the sub-matrix at (ia, ja). Returns info. Collective.
std::int64_t orgqr(std::int64_t m, std::int64_t n, std::int64_t k, double* a, std::int64_t ia,
                   std::int64_t ja, const Descriptor& desc, const std::vector<double>& tau);
std::int64_t orgqr(std::int64_t m, std::int64_t n, std::int64_t k, float* a, std::int64_t ia,
                   std::int64_t ja, const Descriptor& desc, const std::vector<float>& tau);

}  // namespace dnmf::scalapack
