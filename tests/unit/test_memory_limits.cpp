// The parsers behind fit's memory check (src/core/memory_limits.cpp): /proc/meminfo,
// /proc/self/status, /proc/self/cgroup and the cgroup limit files, as pure functions of text.
#include <gtest/gtest.h>

#include "dnmf/core/memory_limits.hpp"

namespace dnmf {
namespace {

TEST(MemoryLimits, MemAvailableInBytes) {
  const std::string meminfo =
      "MemTotal:       32768000 kB\n"
      "MemFree:         1000000 kB\n"
      "MemAvailable:   23279756 kB\n"
      "Buffers:          123456 kB\n";
  ASSERT_TRUE(parse_meminfo_available(meminfo).has_value());
  EXPECT_DOUBLE_EQ(*parse_meminfo_available(meminfo), 23279756.0 * 1024);
  EXPECT_FALSE(parse_meminfo_available("MemTotal: 100 kB\nMemFree: 50 kB\n").has_value());
  // A key that only starts like the one asked for is not it.
  EXPECT_FALSE(parse_meminfo_available("MemAvailableX: 5 kB\n").has_value());
}

TEST(MemoryLimits, StatusFields) {
  const std::string status =
      "Name:\tdnmf\nVmPeak:\t  300000 kB\nVmSize:\t  250820 kB\n"
      "VmRSS:\t   22112 kB\n";
  EXPECT_DOUBLE_EQ(*parse_status_bytes(status, "VmSize"), 250820.0 * 1024);
  EXPECT_DOUBLE_EQ(*parse_status_bytes(status, "VmRSS"), 22112.0 * 1024);
  EXPECT_FALSE(parse_status_bytes(status, "VmSwap").has_value());
}

TEST(MemoryLimits, CgroupLimitFiles) {
  EXPECT_DOUBLE_EQ(*parse_cgroup_limit("1073741824\n"), 1073741824.0);
  EXPECT_FALSE(parse_cgroup_limit("max\n").has_value());                  // v2: no limit
  EXPECT_FALSE(parse_cgroup_limit("9223372036854771712\n").has_value());  // v1: no limit
  EXPECT_FALSE(parse_cgroup_limit("").has_value());
  EXPECT_FALSE(parse_cgroup_limit("garbage").has_value());
}

TEST(MemoryLimits, ProcSelfCgroup) {
  // Pure v2.
  auto v2 = parse_proc_cgroup("0::/user.slice/user-1000.slice/session-2.scope\n");
  ASSERT_TRUE(v2.has_value());
  EXPECT_TRUE(v2->v2);
  EXPECT_EQ(v2->path, "/user.slice/user-1000.slice/session-2.scope");
  // Hybrid: the memory controller is a v1 hierarchy; it wins over the "0::" line.
  auto hybrid = parse_proc_cgroup(
      "9:name=systemd:/\n5:devices:/\n4:memory:/process_api/b137\n3:cpu,cpuacct:/x\n0::/\n");
  ASSERT_TRUE(hybrid.has_value());
  EXPECT_FALSE(hybrid->v2);
  EXPECT_EQ(hybrid->path, "/process_api/b137");
  // v1 with the memory controller sharing a hierarchy.
  auto shared = parse_proc_cgroup("7:cpuset:/\n4:cpu,memory:/slurm/uid_0/job_12\n");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->path, "/slurm/uid_0/job_12");
  EXPECT_FALSE(parse_proc_cgroup("3:cpu:/\n").has_value());
  EXPECT_FALSE(parse_proc_cgroup("").has_value());
}

}  // namespace
}  // namespace dnmf
