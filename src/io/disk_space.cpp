#include "dnmf/io/disk_space.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "dnmf/core/error.hpp"

namespace dnmf::io {
namespace {

std::string mib(std::int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

[[noreturn]] void no_space(const std::string& target, std::int64_t bytes, int err) {
  std::string why = std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) why += " (disk full?)";
  throw IoError("cannot write '" + target + "': the file needs about " + mib(bytes) + ": " + why);
}

}  // namespace

void claim_space(const std::string& scratch, const std::string& target, std::int64_t bytes) {
  if (bytes <= 0) return;
  const int fd = ::open(scratch.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw IoError("cannot write '" + target + "': " + std::strerror(errno));
  // fallocate, not posix_fallocate: where the file system cannot reserve blocks, glibc's
  // emulation would write to every block of a possibly huge file.
  const int rc = ::fallocate(fd, 0, 0, static_cast<off_t>(bytes)) == 0 ? 0 : errno;
  ::close(fd);
  ::unlink(scratch.c_str());
  if (rc == 0) return;
  if (rc != EOPNOTSUPP && rc != ENOSYS) no_space(target, bytes, rc);
  // No preallocation here (some network file systems): the free space is the best we know.
  struct statvfs st {};
  const std::size_t slash = scratch.find_last_of('/');
  const std::string folder = slash == std::string::npos ? "." : scratch.substr(0, slash + 1);
  if (::statvfs(folder.c_str(), &st) == 0 &&
      static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize) <
          static_cast<double>(bytes)) {
    no_space(target, bytes, ENOSPC);
  }
}

}  // namespace dnmf::io
