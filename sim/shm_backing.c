/* Preloaded into the simulator by scripts/bench/scaling_sim.py (LD_PRELOAD; built there with
 * the host C compiler, not smpicc). SMPI backs every SMPI_SHARED_MALLOC block with one file
 * that SimGrid 3.32 creates in /tmp (a fixed path in smpi_shared.cpp). Where /tmp is a disk
 * file system, the kernel tracks writes to that shared mapping page by page (a write fault at
 * the first store to each page of each rank's mapping, again after every writeback); on tmpfs
 * the pages are mapped writable at once. This moves that one file to $DNMF_SIM_SHM_DIR
 * (default /dev/shm). Contents of shared blocks are meaningless in the charged build, and the
 * file is unlinked at once, as SimGrid does: nothing about the simulation changes. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mkstemp(char* name) {
  static int (*real)(char*) = NULL;
  if (!real) real = (int (*)(char*))dlsym(RTLD_NEXT, "mkstemp");
  static const char prefix[] = "/tmp/simgrid-shmalloc-";
  const size_t n = strlen(name);
  if (strncmp(name, prefix, sizeof prefix - 1) == 0 && n >= 6) {
    const char* dir = getenv("DNMF_SIM_SHM_DIR");
    char moved[4096];
    snprintf(moved, sizeof moved, "%s/simgrid-shmalloc-XXXXXX", dir && *dir ? dir : "/dev/shm");
    const int fd = real(moved);
    if (fd >= 0) {
      unlink(moved);
      /* SimGrid unlinks the name it gave: make it the moved file's (already gone) name */
      memcpy(name + n - 6, moved + strlen(moved) - 6, 6);
      return fd;
    }
  }
  return real(name);
}
