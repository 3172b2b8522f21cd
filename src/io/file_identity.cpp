#include "dnmf/io/file_identity.hpp"

#include <sys/stat.h>

#include <optional>
#include <tuple>

#include "dnmf/core/error.hpp"

namespace dnmf::io {
namespace {

/// A file's identity: its own device and inode when it exists, else its folder's plus its name.
struct Identity {
  dev_t dev = 0;
  ino_t ino = 0;
  std::string name;  ///< empty for an existing file
  bool operator==(const Identity& o) const {
    return std::tie(dev, ino, name) == std::tie(o.dev, o.ino, o.name);
  }
};

std::optional<Identity> identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return Identity{st.st_dev, st.st_ino, {}};
  // Not there (or a dangling link, which a rename would replace): the folder and the name.
  const std::size_t slash = path.find_last_of('/');
  const std::string folder = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") return std::nullopt;
  if (::stat(folder.c_str(), &st) != 0) return std::nullopt;
  return Identity{st.st_dev, st.st_ino, name};
}

}  // namespace

bool same_file(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  const auto ia = identity(a), ib = identity(b);
  return ia && ib && *ia == *ib;
}

void check_outputs_distinct(const std::vector<RolePath>& inputs,
                            const std::vector<RolePath>& outputs) {
  for (std::size_t o = 0; o < outputs.size(); ++o) {
    for (const RolePath& in : inputs) {
      if (same_file(outputs[o].path, in.path)) {
        throw UsageError(outputs[o].role + " is the same file as " + in.role + " ('" + in.path +
                         "'); writing it would destroy that input. Choose another output path");
      }
    }
    for (std::size_t q = 0; q < o; ++q) {
      if (same_file(outputs[o].path, outputs[q].path)) {
        throw UsageError(outputs[o].role + " is the same file as " + outputs[q].role + " ('" +
                         outputs[q].path + "'); give each output its own path");
      }
    }
  }
}

}  // namespace dnmf::io
