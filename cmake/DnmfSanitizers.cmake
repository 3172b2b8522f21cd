# DNMF_SANITIZE=ON builds everything (library, drivers, tests) with AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer, plus libstdc++'s bounds assertions, and runs
# every test with the options and suppressions of config/sanitizers/ (DNMF_SANITIZER_ENV, added
# to DNMF_TEST_ENV by DnmfTesting.cmake). The python-driven tests inherit that environment, so
# the dnmf processes they launch run sanitized too. Use the `asan` preset or
# scripts/test-sanitizers.sh.
#
# Leak checking costs 2-3 s at the exit of every MPI process (LSan walks and matches the
# ~3000 objects Open MPI never frees, with the slow unwinder the suppressions need). The
# compiled tests (unit, MPI, API example, fuzz replays) and the CLI contract test (but its data
# and sparse groups, tests/CMakeLists.txt) pay it; the script tests that launch dnmf hundreds
# of times (parity, reliability, Slurm) run it with ASan and UBSan but without the leak check
# (DNMF_SANITIZER_NOLEAK_ENV), or they would take an hour.
#
# DNMF_FUZZ=ON (clang only) instruments the library for libFuzzer and builds fuzz/.
# Sanitizers must cover every object of a program, so these two are the only global flags.

set(DNMF_SANITIZER_DIR ${PROJECT_SOURCE_DIR}/config/sanitizers)
# A finding fails the test: ASan and UBSan stop at the first report, LSan exits non-zero.
# fast_unwind_on_malloc=0: see config/sanitizers/lsan.supp.
set(DNMF_ASAN_OPTIONS
    "detect_leaks=1:fast_unwind_on_malloc=0:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:abort_on_error=0:halt_on_error=1")
set(DNMF_LSAN_OPTIONS "suppressions=${DNMF_SANITIZER_DIR}/lsan.supp:print_suppressions=0")
set(DNMF_UBSAN_OPTIONS
    "suppressions=${DNMF_SANITIZER_DIR}/ubsan.supp:print_stacktrace=1:halt_on_error=1")
set(DNMF_SANITIZER_ENV "")
set(DNMF_SANITIZER_NOLEAK_ENV "")

if(DNMF_SANITIZE AND DNMF_FUZZ)
  message(FATAL_ERROR "DNMF_SANITIZE and DNMF_FUZZ are separate builds (build-asan/, build-fuzz/)")
endif()

if(DNMF_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -D_GLIBCXX_ASSERTIONS)
  add_link_options(-fsanitize=address,undefined)
  set(DNMF_SANITIZER_ENV
      "ASAN_OPTIONS=${DNMF_ASAN_OPTIONS};LSAN_OPTIONS=${DNMF_LSAN_OPTIONS};UBSAN_OPTIONS=${DNMF_UBSAN_OPTIONS}")
  string(REPLACE "detect_leaks=1:fast_unwind_on_malloc=0" "detect_leaks=0" _noleak
                 "${DNMF_ASAN_OPTIONS}")
  set(DNMF_SANITIZER_NOLEAK_ENV "ASAN_OPTIONS=${_noleak}")
endif()

if(DNMF_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DNMF_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang, or the `fuzz` preset")
  endif()
  # Coverage and sanitizer instrumentation everywhere; only the fuzz targets link libFuzzer's
  # main (fuzz/CMakeLists.txt adds -fsanitize=fuzzer to them).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -D_GLIBCXX_ASSERTIONS)
  add_link_options(-fsanitize=address,undefined)
endif()
