#pragma once
/// @file Which paths name the same file, whatever their spelling: "data.h5", "./data.h5",
/// "../run/data.h5", a symbolic link to it and a hard link to it are one file. Used before any
/// work to refuse an output that would overwrite one of the run's inputs.

#include <string>
#include <vector>

namespace dnmf::io {

/// A path with the role it plays in a command, for messages: {"--output", "out.h5"}.
struct RolePath {
  std::string role;
  std::string path;
};

/// Whether `a` and `b` name the same file: for existing files, the same device and inode
/// (links followed); for a path that does not exist yet, the same existing folder (device and
/// inode) and the same last component. A path whose folder does not exist matches nothing.
bool same_file(const std::string& a, const std::string& b);

/// Throws UsageError "<output role> is the same file as <input role> ('<path>')" when an output
/// names the same file as an input, or as another output. Empty paths are skipped.
void check_outputs_distinct(const std::vector<RolePath>& inputs,
                            const std::vector<RolePath>& outputs);

}  // namespace dnmf::io
