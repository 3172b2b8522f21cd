// The `dnmf` command (src/cli/driver.cpp does the work).

#include "dnmf/cli/driver.hpp"

int main(int argc, char** argv) {
  return dnmf::cli::run(argc, argv);
}
