#include "checkpoint.hpp"

#include <csignal>

#include "factor_io.hpp"

namespace dnmf::app {
namespace {
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int) {
  g_stop_signal = 1;
}
}  // namespace

void install_stop_signals() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_signal_received() {
  return g_stop_signal != 0;
}

template <typename T>
io::Fingerprint fingerprint(const DistMatrix<T>& x) {
  double s[3] = {0, 0, 0};
  auto add = [&](std::int64_t i, std::int64_t j, double v) {
    // By item, not position: the fingerprint must not depend on the layout.
    const auto gi = static_cast<std::uint64_t>(x.row_axis().item(x.row_range().begin + i));
    const auto gj = static_cast<std::uint64_t>(x.col_axis().item(x.col_range().begin + j));
    s[0] += v;
    s[1] += v * v;
    s[2] += v * (1.0 + static_cast<double>((gi * 2654435761u + gj * 40503u) % 4093u) / 4093.0);
  };
  if (x.sparse()) {  // zeros add nothing, so stored entries give the same sums as dense
    const Csr<T>& c = x.csr();
    for (std::int64_t i = 0; i < c.rows; ++i)
      for (std::int64_t e = c.indptr[i]; e < c.indptr[i + 1]; ++e)
        add(i, c.indices[e], static_cast<double>(c.values[e]));
  } else {
    const Matrix<T>& l = x.local();
    for (std::int64_t i = 0; i < l.rows(); ++i)
      for (std::int64_t j = 0; j < l.cols(); ++j) add(i, j, static_cast<double>(l(i, j)));
  }
  // Which entries are observed is part of the input: a missing entry, or a stored entry that is
  // the only kind observed (--missing unstored), moves the third sum by its own weight.
  if (x.observed() == Observed::masked) {
    const Matrix<T>& l = x.local();
    for (std::int64_t i = 0; i < l.rows(); ++i)
      for (std::int64_t j = 0; j < l.cols(); ++j)
        if (!x.mask()[static_cast<std::size_t>(i * l.cols() + j)]) add(i, j, -0.5);
  } else if (x.observed() == Observed::holes) {
    const Csr<T>& h = x.holes();
    for (std::int64_t i = 0; i < h.rows; ++i)
      for (std::int64_t e = h.indptr[i]; e < h.indptr[i + 1]; ++e) add(i, h.indices[e], -0.5);
  } else if (x.observed() == Observed::stored) {
    const Csr<T>& c = x.csr();
    for (std::int64_t i = 0; i < c.rows; ++i)
      for (std::int64_t e = c.indptr[i]; e < c.indptr[i + 1]; ++e) add(i, c.indices[e], 0.25);
  }
  x.grid().all().allreduce_sum(s, 3);
  return {x.rows(), x.cols(), s[0], s[1], s[2]};
}

template <typename T>
void write_checkpoint(const std::string& path, const io::CheckpointInfo& info,
                      const DistFactor<T>& w, const DistFactor<T>& ht) {
  const mpi::Comm& comm = w.grid().all();
  io::AtomicFileWriter file(comm, path, /*keep_previous=*/true, factor_bytes(w, &ht));
  write_w_and_h(file, w, &ht);
  file.write_attributes(io::checkpoint_attributes(info));
  file.commit();
}

io::CheckpointInfo read_checkpoint(const mpi::Comm& comm, const std::string& path) {
  const std::vector<io::Attribute> attrs = io::read_root_attributes(comm, path);
  io::CheckpointInfo c;
  mpi::agree(comm, [&] { c = io::checkpoint_info(attrs, path); });
  return c;
}

template io::Fingerprint fingerprint<double>(const DistMatrix<double>&);
template io::Fingerprint fingerprint<float>(const DistMatrix<float>&);
template void write_checkpoint<double>(const std::string&, const io::CheckpointInfo&,
                                       const DistFactor<double>&, const DistFactor<double>&);
template void write_checkpoint<float>(const std::string&, const io::CheckpointInfo&,
                                      const DistFactor<float>&, const DistFactor<float>&);

}  // namespace dnmf::app
