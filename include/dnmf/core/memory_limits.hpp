#pragma once
/// @file The memory a process can have: its cgroup's limit, RLIMIT_AS and the node's
/// MemAvailable, read from /proc and /sys. The text parsers are pure, for tests.

#include <cstdint>
#include <optional>
#include <string>

namespace dnmf {

/// "MemAvailable:  123456 kB" in /proc/meminfo, in bytes; nullopt when absent.
std::optional<double> parse_meminfo_available(const std::string& meminfo);

/// A field of /proc/self/status given in kB ("VmRSS", "VmSize"), in bytes.
std::optional<double> parse_status_bytes(const std::string& status, const std::string& key);

/// A cgroup limit file (v2 memory.max, v1 memory.limit_in_bytes) in bytes; nullopt for "max"
/// or v1's "no limit" (a number near 2^63, rounded down to the page size).
std::optional<double> parse_cgroup_limit(const std::string& text);

/// This process's memory cgroup from /proc/self/cgroup text: the path in the v1 hierarchy
/// holding the memory controller if there is one (hybrid layouts), else the v2 path
/// ("0::/path"); `v2` tells which. nullopt when neither.
struct CgroupPath {
  std::string path;
  bool v2 = true;
};
std::optional<CgroupPath> parse_proc_cgroup(const std::string& text);

/// The smallest memory limit this process is under, with the bytes it may still add to what it
/// already has resident (so comparable with a plan that includes the process itself).
struct MemoryLimit {
  double bytes = 0;    ///< what the process may have resident in total
  std::string source;  ///< "cgroup memory.max", "RLIMIT_AS (ulimit -v)" or "MemAvailable"
};

/// The tightest of: the cgroup limit less what the cgroup uses, shared by the `node_ranks`
/// ranks on this node; RLIMIT_AS less the address space mapped but not resident; MemAvailable
/// shared by the node's ranks. Each is added to this process's resident size where it counts
/// only what is free. `address_reserve` is address space the process will still map without
/// making it resident (OpenBLAS's buffer), taken off RLIMIT_AS only. nullopt when none is known.
std::optional<MemoryLimit> memory_limit(int node_ranks, double address_reserve = 0);

}  // namespace dnmf
