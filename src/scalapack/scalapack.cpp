#include "dnmf/scalapack/scalapack.hpp"

#include <algorithm>
#include <cstddef>
#include <string>

#include "dnmf/core/error.hpp"
#include "dnmf/la/lapack.hpp"

// BLACS and ScaLAPACK ship no C header. Fortran routines take every argument by pointer, ints
// are 32-bit (Debian's libscalapack-openmpi), and each CHARACTER argument adds a hidden length
// (size_t with gfortran >= 8) at the end of the argument list. p?gemr2d_ is C (REDIST).
extern "C" {
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridmap(int* context, int* usermap, int ldumap, int nprow, int npcol);
void Cblacs_gridinfo(int context, int* nprow, int* npcol, int* myrow, int* mycol);
void Cblacs_gridexit(int context);

int numroc_(const int* n, const int* nb, const int* iproc, const int* isrcproc, const int* nprocs);
void descinit_(int* desc, const int* m, const int* n, const int* mb, const int* nb,
               const int* irsrc, const int* icsrc, const int* ictxt, const int* lld, int* info);

void pdgemr2d_(const int* m, const int* n, const double* a, const int* ia, const int* ja,
               const int* desca, double* b, const int* ib, const int* jb, const int* descb,
               const int* gcontext);
void psgemr2d_(const int* m, const int* n, const float* a, const int* ia, const int* ja,
               const int* desca, float* b, const int* ib, const int* jb, const int* descb,
               const int* gcontext);

void pdgetrf_(const int* m, const int* n, double* a, const int* ia, const int* ja, const int* desca,
              int* ipiv, int* info);
void psgetrf_(const int* m, const int* n, float* a, const int* ia, const int* ja, const int* desca,
              int* ipiv, int* info);

void pdlapiv_(const char* direc, const char* rowcol, const char* pivroc, const int* m, const int* n,
              double* a, const int* ia, const int* ja, const int* desca, int* ipiv, const int* ip,
              const int* jp, const int* descip, int* iwork, std::size_t, std::size_t, std::size_t);
void pslapiv_(const char* direc, const char* rowcol, const char* pivroc, const int* m, const int* n,
              float* a, const int* ia, const int* ja, const int* desca, int* ipiv, const int* ip,
              const int* jp, const int* descip, int* iwork, std::size_t, std::size_t, std::size_t);

void pdgeqrf_(const int* m, const int* n, double* a, const int* ia, const int* ja, const int* desca,
              double* tau, double* work, const int* lwork, int* info);
void psgeqrf_(const int* m, const int* n, float* a, const int* ia, const int* ja, const int* desca,
              float* tau, float* work, const int* lwork, int* info);

void pdorgqr_(const int* m, const int* n, const int* k, double* a, const int* ia, const int* ja,
              const int* desca, const double* tau, double* work, const int* lwork, int* info);
void psorgqr_(const int* m, const int* n, const int* k, float* a, const int* ia, const int* ja,
              const int* desca, const float* tau, float* work, const int* lwork, int* info);
}

namespace dnmf::scalapack {
namespace {

// Shared with the serial LAPACK wrappers: 32-bit arguments, info < 0, workspace queries.
using la::check_arguments;
using la::narrow_to_int;

/// ScaLAPACK's 1-based global index from our 0-based offset.
int one_based(std::int64_t offset, const char* what) {
  return narrow_to_int(offset + 1, what);
}

// --- bottom layer: one overload per precision ------------------------------------------

void gemr2d_raw(const int* m, const int* n, const double* a, const int* ia, const int* ja,
                const int* da, double* b, const int* ib, const int* jb, const int* db,
                const int* ctxt) {
  pdgemr2d_(m, n, a, ia, ja, da, b, ib, jb, db, ctxt);
}
void gemr2d_raw(const int* m, const int* n, const float* a, const int* ia, const int* ja,
                const int* da, float* b, const int* ib, const int* jb, const int* db,
                const int* ctxt) {
  psgemr2d_(m, n, a, ia, ja, da, b, ib, jb, db, ctxt);
}
void getrf_raw(const int* m, const int* n, double* a, const int* ia, const int* ja, const int* d,
               int* ipiv, int* info) {
  pdgetrf_(m, n, a, ia, ja, d, ipiv, info);
}
void getrf_raw(const int* m, const int* n, float* a, const int* ia, const int* ja, const int* d,
               int* ipiv, int* info) {
  psgetrf_(m, n, a, ia, ja, d, ipiv, info);
}
void lapiv_raw(const char* direc, const int* m, const int* n, double* a, const int* ia,
               const int* ja, const int* d, int* ipiv, const int* descip, int* iwork) {
  const int one = 1;
  pdlapiv_(direc, "R", "C", m, n, a, ia, ja, d, ipiv, &one, &one, descip, iwork, 1, 1, 1);
}
void lapiv_raw(const char* direc, const int* m, const int* n, float* a, const int* ia,
               const int* ja, const int* d, int* ipiv, const int* descip, int* iwork) {
  const int one = 1;
  pslapiv_(direc, "R", "C", m, n, a, ia, ja, d, ipiv, &one, &one, descip, iwork, 1, 1, 1);
}
void geqrf_raw(const int* m, const int* n, double* a, const int* ia, const int* ja, const int* d,
               double* tau, double* work, const int* lwork, int* info) {
  pdgeqrf_(m, n, a, ia, ja, d, tau, work, lwork, info);
}
void geqrf_raw(const int* m, const int* n, float* a, const int* ia, const int* ja, const int* d,
               float* tau, float* work, const int* lwork, int* info) {
  psgeqrf_(m, n, a, ia, ja, d, tau, work, lwork, info);
}
void orgqr_raw(const int* m, const int* n, const int* k, double* a, const int* ia, const int* ja,
               const int* d, const double* tau, double* work, const int* lwork, int* info) {
  pdorgqr_(m, n, k, a, ia, ja, d, tau, work, lwork, info);
}
void orgqr_raw(const int* m, const int* n, const int* k, float* a, const int* ia, const int* ja,
               const int* d, const float* tau, float* work, const int* lwork, int* info) {
  psorgqr_(m, n, k, a, ia, ja, d, tau, work, lwork, info);
}
// --- middle layer: argument checks, narrowing, workspace queries -------------------------

template <typename T>
void gemr2d_t(std::int64_t m, std::int64_t n, const T* a, std::int64_t ia, std::int64_t ja,
              const Descriptor& desc_a, T* b, std::int64_t ib, std::int64_t jb,
              const Descriptor& desc_b, const BlacsGrid& grid) {
  const int m32 = narrow_to_int(m, "m"), n32 = narrow_to_int(n, "n");
  const int ia1 = one_based(ia, "ia"), ja1 = one_based(ja, "ja");
  const int ib1 = one_based(ib, "ib"), jb1 = one_based(jb, "jb");
  const std::vector<int> da = desc_a.raw(), db = desc_b.raw();
  const int ctxt = grid.context();
  gemr2d_raw(&m32, &n32, a, &ia1, &ja1, da.data(), b, &ib1, &jb1, db.data(), &ctxt);
}

template <typename T>
std::int64_t getrf_t(std::int64_t m, std::int64_t n, T* a, std::int64_t ia, std::int64_t ja,
                     const Descriptor& desc, std::vector<int>& ipiv) {
  if (desc.row_block != desc.col_block) {
    throw InternalError("p?getrf needs square blocks, got " + std::to_string(desc.row_block) +
                        " x " + std::to_string(desc.col_block));
  }
  int nprow = 0, npcol = 0, myrow = 0, mycol = 0;
  Cblacs_gridinfo(desc.context, &nprow, &npcol, &myrow, &mycol);
  // LOCr(M_A) + MB_A entries, as p?getrf documents.
  ipiv.assign(static_cast<std::size_t>(
                  numroc(desc.rows, desc.row_block, myrow, desc.row_src, nprow) + desc.row_block),
              0);
  const int m32 = narrow_to_int(m, "m"), n32 = narrow_to_int(n, "n");
  const int ia1 = one_based(ia, "ia"), ja1 = one_based(ja, "ja");
  const std::vector<int> d = desc.raw();
  int info = 0;
  getrf_raw(&m32, &n32, a, &ia1, &ja1, d.data(), ipiv.data(), &info);
  check_arguments(info, "p?getrf");
  return info;
}

template <typename T>
void apply_row_pivots_t(PivotDirection direction, std::int64_t npiv, std::int64_t n, T* a,
                        std::int64_t ja, const Descriptor& desc, std::vector<int>& ipiv) {
  int nprow = 0, npcol = 0, myrow = 0, mycol = 0;
  Cblacs_gridinfo(desc.context, &nprow, &npcol, &myrow, &mycol);
  // The pivot vector as p?getrs describes it: a column vector aligned with A's rows, on my
  // process column, with MB extra local entries of workspace.
  Descriptor ip;
  ip.context = desc.context;
  ip.rows = desc.rows + desc.row_block * nprow;
  ip.cols = 1;
  ip.row_block = desc.row_block;
  ip.col_block = 1;
  ip.row_src = desc.row_src;
  ip.col_src = mycol;
  ip.lld = desc.row_block +
           narrow_to_int(numroc(desc.rows, desc.row_block, myrow, desc.row_src, nprow), "lld");
  // p?lapiv returns at once when asked for fewer than two interchanges, yet a single one can
  // still move row 0 anywhere. Apply two then, the second made a no-op (row 1 with itself; its
  // entry is unused by getrf when only one pivot exists).
  if (npiv == 1 && desc.rows >= 2) {
    const int block = 1 / desc.row_block;
    if (myrow == (block + desc.row_src) % nprow) {
      ipiv[static_cast<std::size_t>((block / nprow) * desc.row_block + 1 % desc.row_block)] = 2;
    }
    npiv = 2;
  }
  const std::vector<int> d = desc.raw(), dip = ip.raw();
  const int m32 = narrow_to_int(npiv, "npiv"), n32 = narrow_to_int(n, "n");
  const int ia1 = 1, ja1 = one_based(ja, "ja");
  int iwork = 0;  // not referenced when the pivots already lie along a process column
  lapiv_raw(direction == PivotDirection::forward ? "F" : "B", &m32, &n32, a, &ia1, &ja1, d.data(),
            ipiv.data(), dip.data(), &iwork);
}

template <typename T>
std::int64_t geqrf_t(std::int64_t m, std::int64_t n, T* a, std::int64_t ia, std::int64_t ja,
                     const Descriptor& desc, std::vector<T>& tau) {
  int nprow = 0, npcol = 0, myrow = 0, mycol = 0;
  Cblacs_gridinfo(desc.context, &nprow, &npcol, &myrow, &mycol);
  tau.assign(static_cast<std::size_t>(std::max<std::int64_t>(
                 1, numroc(ja + n, desc.col_block, mycol, desc.col_src, npcol))),
             T(0));
  const int m32 = narrow_to_int(m, "m"), n32 = narrow_to_int(n, "n");
  const int ia1 = one_based(ia, "ia"), ja1 = one_based(ja, "ja");
  const std::vector<int> d = desc.raw();
  int info = 0, lwork = -1;
  T query = 0;
  geqrf_raw(&m32, &n32, a, &ia1, &ja1, d.data(), tau.data(), &query, &lwork, &info);
  check_arguments(info, "p?geqrf (workspace query)");
  lwork = la::workspace_size(static_cast<double>(query));
  std::vector<T> work(static_cast<std::size_t>(lwork));
  geqrf_raw(&m32, &n32, a, &ia1, &ja1, d.data(), tau.data(), work.data(), &lwork, &info);
  check_arguments(info, "p?geqrf");
  return info;
}

template <typename T>
std::int64_t orgqr_t(std::int64_t m, std::int64_t n, std::int64_t k, T* a, std::int64_t ia,
                     std::int64_t ja, const Descriptor& desc, const std::vector<T>& tau) {
  const int m32 = narrow_to_int(m, "m"), n32 = narrow_to_int(n, "n"), k32 = narrow_to_int(k, "k");
  const int ia1 = one_based(ia, "ia"), ja1 = one_based(ja, "ja");
  const std::vector<int> d = desc.raw();
  int info = 0, lwork = -1;
  T query = 0;
  orgqr_raw(&m32, &n32, &k32, a, &ia1, &ja1, d.data(), tau.data(), &query, &lwork, &info);
  check_arguments(info, "p?orgqr (workspace query)");
  lwork = la::workspace_size(static_cast<double>(query));
  std::vector<T> work(static_cast<std::size_t>(lwork));
  orgqr_raw(&m32, &n32, &k32, a, &ia1, &ja1, d.data(), tau.data(), work.data(), &lwork, &info);
  check_arguments(info, "p?orgqr");
  return info;
}

}  // namespace

// --- BlacsGrid, descriptors -------------------------------------------------------------

BlacsGrid::BlacsGrid(const mpi::Comm& comm, int nprow, int npcol, const std::vector<int>& usermap)
    : nprow_(nprow), npcol_(npcol) {
  if (nprow < 1 || npcol < 1 || nprow * npcol != comm.size()) {
    throw InternalError("BLACS grid " + std::to_string(nprow) + " x " + std::to_string(npcol) +
                        " does not match a communicator of " + std::to_string(comm.size()) +
                        " ranks");
  }
  std::vector<int> map(usermap);
  if (map.empty()) {
    map.resize(static_cast<std::size_t>(nprow) * static_cast<std::size_t>(npcol));
    for (std::size_t i = 0; i < map.size(); ++i) map[i] = static_cast<int>(i);
  } else if (map.size() != static_cast<std::size_t>(nprow) * static_cast<std::size_t>(npcol)) {
    throw InternalError("BLACS grid: usermap has " + std::to_string(map.size()) +
                        " entries for a " + std::to_string(nprow) + " x " + std::to_string(npcol) +
                        " grid");
  }
  // The system handle names `comm` inside the BLACS; the grid made from it owns communicators
  // of its own, so the handle is released at once.
  const int handle = Csys2blacs_handle(comm.get());
  context_ = handle;
  Cblacs_gridmap(&context_, map.data(), nprow, nprow, npcol);
  Cfree_blacs_system_handle(handle);
  int r = 0, c = 0;
  Cblacs_gridinfo(context_, &r, &c, &myrow_, &mycol_);
  if (r != nprow || c != npcol || myrow_ < 0 || mycol_ < 0) {
    throw InternalError("BLACS grid: this rank is not part of the grid it was built for");
  }
}

BlacsGrid::~BlacsGrid() {
  if (context_ >= 0) Cblacs_gridexit(context_);
}

std::vector<int> Descriptor::raw() const {
  return {1, context, rows, cols, row_block, col_block, row_src, col_src, lld};
}

std::int64_t numroc(std::int64_t n, std::int64_t block, int iproc, int src, int nprocs) {
  const int n32 = narrow_to_int(n, "n"), nb32 = narrow_to_int(block, "block");
  return numroc_(&n32, &nb32, &iproc, &src, &nprocs);
}

Descriptor make_descriptor(const BlacsGrid& grid, std::int64_t rows, std::int64_t cols,
                           std::int64_t row_block, std::int64_t col_block, std::int64_t lld) {
  Descriptor d;
  d.context = grid.context();
  d.rows = narrow_to_int(rows, "rows");
  d.cols = narrow_to_int(cols, "cols");
  d.row_block = narrow_to_int(row_block, "row_block");
  d.col_block = narrow_to_int(col_block, "col_block");
  d.row_src = 0;
  d.col_src = 0;
  d.lld = narrow_to_int(lld, "lld");
  int raw[9];
  int info = 0;
  descinit_(raw, &d.rows, &d.cols, &d.row_block, &d.col_block, &d.row_src, &d.col_src, &d.context,
            &d.lld, &info);
  check_arguments(info, "descinit");
  return d;
}

// --- public overloads --------------------------------------------------------------------

void gemr2d(std::int64_t m, std::int64_t n, const double* a, std::int64_t ia, std::int64_t ja,
            const Descriptor& desc_a, double* b, std::int64_t ib, std::int64_t jb,
            const Descriptor& desc_b, const BlacsGrid& grid) {
  gemr2d_t(m, n, a, ia, ja, desc_a, b, ib, jb, desc_b, grid);
}
void gemr2d(std::int64_t m, std::int64_t n, const float* a, std::int64_t ia, std::int64_t ja,
            const Descriptor& desc_a, float* b, std::int64_t ib, std::int64_t jb,
            const Descriptor& desc_b, const BlacsGrid& grid) {
  gemr2d_t(m, n, a, ia, ja, desc_a, b, ib, jb, desc_b, grid);
}

std::int64_t getrf(std::int64_t m, std::int64_t n, double* a, std::int64_t ia, std::int64_t ja,
                   const Descriptor& desc, std::vector<int>& ipiv) {
  return getrf_t(m, n, a, ia, ja, desc, ipiv);
}
std::int64_t getrf(std::int64_t m, std::int64_t n, float* a, std::int64_t ia, std::int64_t ja,
                   const Descriptor& desc, std::vector<int>& ipiv) {
  return getrf_t(m, n, a, ia, ja, desc, ipiv);
}

void apply_row_pivots(PivotDirection direction, std::int64_t npiv, std::int64_t n, double* a,
                      std::int64_t ja, const Descriptor& desc, std::vector<int>& ipiv) {
  apply_row_pivots_t(direction, npiv, n, a, ja, desc, ipiv);
}
void apply_row_pivots(PivotDirection direction, std::int64_t npiv, std::int64_t n, float* a,
                      std::int64_t ja, const Descriptor& desc, std::vector<int>& ipiv) {
  apply_row_pivots_t(direction, npiv, n, a, ja, desc, ipiv);
}

std::int64_t geqrf(std::int64_t m, std::int64_t n, double* a, std::int64_t ia, std::int64_t ja,
                   const Descriptor& desc, std::vector<double>& tau) {
  return geqrf_t(m, n, a, ia, ja, desc, tau);
}
std::int64_t geqrf(std::int64_t m, std::int64_t n, float* a, std::int64_t ia, std::int64_t ja,
                   const Descriptor& desc, std::vector<float>& tau) {
  return geqrf_t(m, n, a, ia, ja, desc, tau);
}

std::int64_t orgqr(std::int64_t m, std::int64_t n, std::int64_t k, double* a, std::int64_t ia,
                   std::int64_t ja, const Descriptor& desc, const std::vector<double>& tau) {
  return orgqr_t(m, n, k, a, ia, ja, desc, tau);
}
std::int64_t orgqr(std::int64_t m, std::int64_t n, std::int64_t k, float* a, std::int64_t ia,
                   std::int64_t ja, const Descriptor& desc, const std::vector<float>& tau) {
  return orgqr_t(m, n, k, a, ia, ja, desc, tau);
}

}  // namespace dnmf::scalapack
