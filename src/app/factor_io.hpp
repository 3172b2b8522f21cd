#pragma once
// Moving matrices between files and their distributed blocks: X, the factors W and H (files
// hold rows in item order, factors may be permuted), and the output files.

#include <string>
#include <vector>

#include "dnmf/core/timers.hpp"
#include "dnmf/dist/dist_matrix.hpp"
#include "dnmf/io/hdf5.hpp"

namespace dnmf::app {

/// Checks a factor's shape as scikit-learn's _check_init does: InputError "Array with wrong
/// first (second) dimension passed to NMF (input NAME). Expected .., but got .. (WHERE)".
/// Shared by fit's custom init and transform's model H.
void check_factor_shape(const char* name, const std::string& where, std::int64_t rows,
                        std::int64_t cols, std::int64_t want_rows, std::int64_t want_cols);

/// Reads X's block for this rank (timed as I/O). Collective.
template <typename T>
void read_x(const io::DatasetInfo& info, DistMatrix<T>& x, PhaseTimers& timers);

/// Reads an n x k W stored in a file into the owned rows of `w` (any layout). Collective.
template <typename T>
void read_w(const mpi::Comm& comm, const io::ObjectPath& path, DistFactor<T>& w);

/// Reads a k x p H stored in a file into the owned rows of Ht (p x k). Collective.
template <typename T>
void read_h_as_ht(const mpi::Comm& comm, const io::ObjectPath& path, DistFactor<T>& ht);

/// The whole factor on every rank, rows in item order. Collective over f's grid.
template <typename T>
Matrix<T> gather_whole(const DistFactor<T>& f);

/// The bytes of W and, when given, H as stored in a file (for AtomicFileWriter's space check).
template <typename T>
std::int64_t factor_bytes(const DistFactor<T>& w, const DistFactor<T>* ht);

/// Writes /W from `w` and, when given, /H from `ht`, rows in item order, into an open file.
template <typename T>
void write_w_and_h(io::AtomicFileWriter& file, const DistFactor<T>& w, const DistFactor<T>* ht);

/// Writes `w` (n x k) as /W plus, when given, H (from Ht), names and attributes, atomically.
template <typename T>
void write_factors(const mpi::Comm& comm, const std::string& output, const DistFactor<T>& w,
                   const DistFactor<T>* ht, const std::vector<std::string>& feature_names,
                   const std::vector<io::Attribute>& attrs);

}  // namespace dnmf::app
