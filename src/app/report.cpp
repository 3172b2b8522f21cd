#include "report.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <memory>

namespace dnmf::app {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

IterationObserver progress_printer(const mpi::Comm& comm, const NmfParams& params,
                                   std::ostream& out) {
  if (comm.rank() != 0) return {};
  const std::int64_t every = params.verbose >= 2 ? 1 : 10;
  auto last_progress = std::make_shared<double>(0.0);
  return [&out, params, every, last_progress](const IterationInfo& it) {
    if (params.verbose) {
      if (it.iteration == 1) out << "  iteration        error    violation    seconds\n";
      if (!std::isnan(it.error) || !std::isnan(it.violation) || it.iteration % every == 0) {
        auto cell = [](double v) {
          return std::isnan(v) ? std::string("          -") : fmt("%11.6g", v);
        };
        out << std::setw(11) << it.iteration << "  " << cell(it.error) << "  " << cell(it.violation)
            << "  " << fmt("%9.3f", it.seconds) << "\n"
            << std::flush;
      }
    } else if (it.seconds - *last_progress >= 30.0) {  // a heartbeat on long quiet runs
      *last_progress = it.seconds;
      out << "  ... iteration " << it.iteration << " of at most " << params.max_iter << ", "
          << fmt("%.1f", it.seconds) << " s\n"
          << std::flush;
    }
  };
}

void report_phases(const mpi::Comm& comm, const PhaseTimers& timers, std::int64_t iters,
                   std::int64_t bytes, std::ostream& out) {
  const int p = comm.size();
  const double per_iter =
      static_cast<double>(bytes) / static_cast<double>(std::max<std::int64_t>(iters, 1));
  const double b_min = comm.allreduce_min(per_iter), b_max = comm.allreduce_max(per_iter);
  const double b_avg = comm.allreduce_sum(per_iter) / p;
  if (comm.rank() == 0) {
    out << "  received per iteration per rank: min " << fmt("%.0f", b_min) << " B  avg "
        << fmt("%.0f", b_avg) << " B  max " << fmt("%.0f", b_max) << " B\n";
  }
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  const double rss = static_cast<double>(usage.ru_maxrss) / 1024.0;  // MiB (ru_maxrss is KiB)
  const double rss_min = comm.allreduce_min(rss), rss_max = comm.allreduce_max(rss);
  const double rss_avg = comm.allreduce_sum(rss) / p;
  if (comm.rank() == 0) {
    out << "  peak RSS per rank: min " << fmt("%.1f", rss_min) << " MiB  avg "
        << fmt("%.1f", rss_avg) << " MiB  max " << fmt("%.1f", rss_max) << " MiB\n";
  }
  for (int i = 0; i < static_cast<int>(Phase::count); ++i) {
    const double t = timers.all()[i];
    const double mn = comm.allreduce_min(t), mx = comm.allreduce_max(t);
    const double avg = comm.allreduce_sum(t) / p;
    if (comm.rank() == 0 && mx > 0) {
      out << "  phase " << std::left << std::setw(15) << phase_names[i] << std::right << " min "
          << fmt("%9.4f", mn) << " s  avg " << fmt("%9.4f", avg) << " s  max " << fmt("%9.4f", mx)
          << " s  (" << fmt("%.2e", avg / static_cast<double>(std::max<std::int64_t>(iters, 1)))
          << " s/iter avg)\n";
    }
  }
}

}  // namespace dnmf::app
