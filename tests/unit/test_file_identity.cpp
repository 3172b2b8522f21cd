// Which spellings name the same file (io/file_identity).
#include "dnmf/io/file_identity.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dnmf/core/error.hpp"

namespace fs = std::filesystem;
using dnmf::io::check_outputs_distinct;
using dnmf::io::same_file;

namespace {

class FileIdentity : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dnmf_identity_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "sub");
    std::ofstream(dir_ / "data.h5") << "x";
    std::ofstream(dir_ / "other.h5") << "y";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string p(const std::string& rel) const { return (dir_ / rel).string(); }
  fs::path dir_;
};

TEST_F(FileIdentity, SpellingsOfOneExistingFile) {
  EXPECT_TRUE(same_file(p("data.h5"), p("data.h5")));
  EXPECT_TRUE(same_file(p("data.h5"), p("./data.h5")));
  EXPECT_TRUE(same_file(p("data.h5"), p("sub/../data.h5")));
  fs::create_symlink(p("data.h5"), p("sub/link.h5"));
  EXPECT_TRUE(same_file(p("sub/link.h5"), p("data.h5")));
  fs::create_hard_link(p("data.h5"), p("sub/hard.h5"));
  EXPECT_TRUE(same_file(p("sub/hard.h5"), p("data.h5")));
  EXPECT_FALSE(same_file(p("data.h5"), p("other.h5")));
}

TEST_F(FileIdentity, PathsThatDoNotExistYet) {
  EXPECT_TRUE(same_file(p("new.h5"), p("sub/../new.h5")));
  EXPECT_FALSE(same_file(p("new.h5"), p("sub/new.h5")));
  EXPECT_FALSE(same_file(p("new.h5"), p("data.h5")));
  EXPECT_FALSE(same_file(p("missing/new.h5"), p("missing/new.h5")));  // no such folder
  EXPECT_FALSE(same_file("", p("data.h5")));
}

TEST_F(FileIdentity, ClashNamesBothRoles) {
  try {
    check_outputs_distinct({{"the input X", p("data.h5")}}, {{"--output", p("./data.h5")}});
    FAIL() << "no clash reported";
  } catch (const dnmf::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--output is the same file as the input X"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(check_outputs_distinct({}, {{"--output", p("m.h5")}, {"--checkpoint", p("m.h5")}}),
               dnmf::UsageError);
  EXPECT_NO_THROW(check_outputs_distinct({{"the input X", p("data.h5")}, {"--init-W", ""}},
                                         {{"--output", p("model.h5")}}));
}

}  // namespace
