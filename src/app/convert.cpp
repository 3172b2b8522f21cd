// `dnmf convert`: a Matrix Market file to an HDF5 CSR group, in a new file or added to an
// existing one.

#include <chrono>

#include "dnmf/app/commands.hpp"
#include "dnmf/io/matrix_market.hpp"
#include "plan.hpp"
#include "report.hpp"

namespace dnmf::app {

void convert(const mpi::Comm& comm, const ConvertConfig& cfg, std::ostream& out) {
  const std::string &source = cfg.source, &target = cfg.target;
  check_outputs(comm, {{"SOURCE", source}}, {{"DST", target}});
  // One process does the work: the input is a stream of text. The others wait for the verdict.
  const mpi::Comm self = comm.split(comm.rank(), 0);
  mpi::agree(comm, [&] {
    if (comm.rank() != 0) return;
    const auto start = std::chrono::steady_clock::now();
    // The content decides, not the name: x.mtx.gz, X.MTX and a file without extension work.
    if (!io::is_matrix_market(source)) {
      throw UsageError(
          "convert: SOURCE must be a Matrix Market file (first line "
          "'%%MatrixMarket ...', plain or gzip-compressed), got '" +
          source + "'");
    }
    const io::ObjectPath dst = io::parse_object_path(target, "/X");
    // Refused before the (possibly long) read: an object already there is the user's.
    bool present = false;
    try {
      present = io::file_has_object(dst.file, dst.object);
    } catch (const IoError& e) {
      throw IoError(std::string(e.what()) + "; convert adds to an existing DST and never " +
                    "replaces a file that is not HDF5: remove it or choose another DST");
    }
    if (!cfg.overwrite && present) {
      throw UsageError("convert: '" + dst.file + "' already holds '" + dst.object +
                       "'; give --overwrite to replace it (the file's other objects are kept)");
    }
    io::MatrixMarketHeader header;
    const Csr<double> c = io::read_matrix_market(source, &header);
    const std::int64_t bytes = (c.rows + 1 + 2 * c.nnz()) * std::int64_t{8};
    // The object joins an existing file: written into a copy of it, renamed over it when done.
    io::AtomicFileWriter file(self, dst.file, false, bytes,
                              io::AtomicFileWriter::Start::copy_of_target);
    if (file.has_object(dst.object)) file.remove_object(dst.object);  // --overwrite
    file.create_group(dst.object);
    file.write_vector(dst.object + "/indptr", c.rows + 1, 0, c.rows + 1, c.indptr.data());
    file.write_vector(dst.object + "/indices", c.nnz(), 0, c.nnz(), c.indices.data());
    file.write_vector(dst.object + "/data", c.nnz(), 0, c.nnz(), c.values.data());
    file.write_attributes({io::Attribute::of("encoding-type", std::string("csr_matrix")),
                           io::Attribute::of("encoding-version", std::string("0.1.0")),
                           io::Attribute::of("shape", std::vector<std::int64_t>{c.rows, c.cols})},
                          dst.object);
    file.commit();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out << "dnmf convert: " << source << " (" << c.rows << " x " << c.cols << ", " << header.entries
        << " entries" << (header.symmetric ? ", symmetric" : "")
        << (header.pattern ? ", pattern" : "") << ") -> " << dst.str() << " as CSR with " << c.nnz()
        << " stored entries in " << fmt("%.2f", secs) << " s\n"
        << std::flush;
  });
}

}  // namespace dnmf::app
