#include "dnmf/core/memory_limits.hpp"

#include <sys/resource.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace dnmf {
namespace {

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The "<key>: <number> kB" line of a /proc file, in bytes.
std::optional<double> kb_field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size() + 1, key + ":") != 0) continue;
    char* end = nullptr;
    const double kb = std::strtod(line.c_str() + key.size() + 1, &end);
    if (end == line.c_str() + key.size() + 1) return std::nullopt;
    return kb * 1024.0;
  }
  return std::nullopt;
}

/// `path` and its parents up to the cgroup root: the tightest limit and what that cgroup uses.
struct CgroupLimit {
  double limit = 0, used = 0;
};
std::optional<CgroupLimit> cgroup_limit(const CgroupPath& cg) {
  const std::string root = cg.v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
  const char* limit_file = cg.v2 ? "/memory.max" : "/memory.limit_in_bytes";
  const char* usage_file = cg.v2 ? "/memory.current" : "/memory.usage_in_bytes";
  std::optional<CgroupLimit> best;
  std::string path = cg.path;
  while (true) {
    const std::string dir = root + (path == "/" ? "" : path);
    if (const auto text = slurp(dir + limit_file)) {
      if (const auto limit = parse_cgroup_limit(*text)) {
        const auto used_text = slurp(dir + usage_file);
        const double used = used_text ? std::strtod(used_text->c_str(), nullptr) : 0.0;
        if (!best || *limit - used < best->limit - best->used) best = CgroupLimit{*limit, used};
      }
    }
    if (path.empty() || path == "/") break;
    const std::size_t slash = path.find_last_of('/');
    path = slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
  }
  return best;
}

}  // namespace

std::optional<double> parse_meminfo_available(const std::string& meminfo) {
  return kb_field(meminfo, "MemAvailable");
}

std::optional<double> parse_status_bytes(const std::string& status, const std::string& key) {
  return kb_field(status, key);
}

std::optional<double> parse_cgroup_limit(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  if (!(in >> word) || word == "max") return std::nullopt;
  char* end = nullptr;
  const double bytes = std::strtod(word.c_str(), &end);
  if (end == word.c_str() || *end != '\0' || bytes < 0) return std::nullopt;
  if (bytes >= 0x1p62) return std::nullopt;  // v1 writes "no limit" as ~2^63
  return bytes;
}

std::optional<CgroupPath> parse_proc_cgroup(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::optional<CgroupPath> v1, v2;
  while (std::getline(in, line)) {
    // hierarchy-ID:controller-list:cgroup-path
    const std::size_t a = line.find(':');
    const std::size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string id = line.substr(0, a), controllers = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    if (id == "0" && controllers.empty()) v2 = CgroupPath{path, true};
    std::istringstream list(controllers);
    std::string c;
    while (std::getline(list, c, ','))
      if (c == "memory") v1 = CgroupPath{path, false};
  }
  // In the hybrid layout the memory controller is still a v1 hierarchy beside the "0::" line.
  return v1 ? v1 : v2;
}

std::optional<MemoryLimit> memory_limit(int node_ranks, double address_reserve) {
  const double ranks = node_ranks > 0 ? node_ranks : 1;
  const auto status = slurp("/proc/self/status");
  const double rss = status ? parse_status_bytes(*status, "VmRSS").value_or(0.0) : 0.0;
  const double size = status ? parse_status_bytes(*status, "VmSize").value_or(rss) : rss;
  std::optional<MemoryLimit> best;
  auto consider = [&](double bytes, const char* source) {
    if (!best || bytes < best->bytes) best = MemoryLimit{bytes, source};
  };
  // A cgroup's limit covers every process in it, the node's other ranks included.
  if (const auto text = slurp("/proc/self/cgroup")) {
    if (const auto cg = parse_proc_cgroup(*text)) {
      if (const auto c = cgroup_limit(*cg)) {
        consider(rss + std::max(c->limit - c->used, 0.0) / ranks,
                 cg->v2 ? "cgroup memory.max" : "cgroup memory.limit_in_bytes");
      }
    }
  }
  // RLIMIT_AS counts address space: what is mapped but not resident (libraries, thread stacks,
  // MPI's shared segments) is not available to the buffers.
  rlimit as{};
  if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
    consider(static_cast<double>(as.rlim_cur) - (size - rss) - address_reserve,
             "RLIMIT_AS, ulimit -v");
  }
  if (const auto meminfo = slurp("/proc/meminfo")) {
    if (const auto avail = parse_meminfo_available(*meminfo)) {
      consider(rss + *avail / ranks, "MemAvailable");
    }
  }
  return best;
}

}  // namespace dnmf
