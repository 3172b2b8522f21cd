# dnmf_add_mpi_test(NAME <name> SOURCES <files...> RANKS <n...> [LABELS <labels...>])
#   One GoogleTest executable, registered as one CTest test per rank count (<name>_np<n>),
#   launched with mpiexec --oversubscribe, OPENBLAS_NUM_THREADS=1 and a timeout so a deadlock
#   fails instead of hanging CI.
# dnmf_add_mpi_failure_test(NAME <name> EXECUTABLE <target> FILTER <gtest filter> RANKS <n>
#                           EXPECT <regex>)
#   Runs one deliberately failing (DISABLED_) test of an MPI test executable; it passes when the
#   output matches EXPECT within a short timeout, whatever the exit code: the harness's checks
#   that a failure on one rank ends the run, reported, instead of hanging it.
# dnmf_add_script_test(NAME <name> COMMAND <cmd...> [LABELS ...] [TIMEOUT s] [LEAK_CHECK])
#   A test driven by a script (Python oracle comparisons, CLI checks). In a DNMF_SANITIZE build
#   the dnmf processes it launches are leak-checked only with LEAK_CHECK (DnmfSanitizers.cmake).

set(DNMF_TEST_ENV
    "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;OPENBLAS_NUM_THREADS=1;GTEST_COLOR=no")
if(DNMF_SANITIZER_ENV)  # DNMF_SANITIZE: options and suppressions of config/sanitizers/
  list(APPEND DNMF_TEST_ENV ${DNMF_SANITIZER_ENV})
endif()
set(DNMF_MPIEXEC ${MPIEXEC_EXECUTABLE} CACHE STRING "MPI launcher used by the tests")

# The environment of an MPI GoogleTest program. In a DNMF_SANITIZE build, GCC 12's LeakSanitizer
# can crash in its exit scan of the main thread's dynamic TLS in these MPI + HDF5 programs
# ("Tracer caught signal 11", seen at 4 ranks after every test had passed), as in
# fuzz/replay.cmake: leave TLS out of the scan. dnmf keeps nothing there.
function(dnmf_mpi_test_env out)
  set(_env "${DNMF_TEST_ENV}")
  if(DNMF_SANITIZE)
    list(APPEND _env "LSAN_OPTIONS=${DNMF_LSAN_OPTIONS}:use_tls=0")
  endif()
  set(${out} "${_env}" PARENT_SCOPE)
endfunction()

function(dnmf_add_mpi_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;RANKS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE dnmf::dnmf dnmf_test_mpi_main GTest::gtest
                                          dnmf::warnings)
  dnmf_mpi_test_env(_env)
  foreach(n IN LISTS T_RANKS)
    add_test(NAME ${T_NAME}_np${n}
             COMMAND ${DNMF_MPIEXEC} ${MPIEXEC_NUMPROC_FLAG} ${n} --oversubscribe
                     ${MPIEXEC_PREFLAGS} $<TARGET_FILE:${T_NAME}> ${MPIEXEC_POSTFLAGS})
    set_tests_properties(${T_NAME}_np${n} PROPERTIES
      TIMEOUT ${T_TIMEOUT} PROCESSORS ${n} ENVIRONMENT "${_env}"
      LABELS "mpi;${T_LABELS}")
  endforeach()
endfunction()

function(dnmf_add_mpi_failure_test)
  cmake_parse_arguments(T "" "NAME;EXECUTABLE;FILTER;EXPECT" "RANKS" ${ARGN})
  dnmf_mpi_test_env(_env)
  foreach(n IN LISTS T_RANKS)
    add_test(NAME ${T_NAME}_np${n}
             COMMAND ${DNMF_MPIEXEC} ${MPIEXEC_NUMPROC_FLAG} ${n} --oversubscribe
                     ${MPIEXEC_PREFLAGS} $<TARGET_FILE:${T_EXECUTABLE}> ${MPIEXEC_POSTFLAGS}
                     --gtest_filter=${T_FILTER} --gtest_also_run_disabled_tests)
    # A grace period of 2 s after a one-rank failure: the run ends in seconds or times out.
    set_tests_properties(${T_NAME}_np${n} PROPERTIES
      TIMEOUT 60 PROCESSORS ${n} ENVIRONMENT "${_env};DNMF_TEST_GRACE_SECONDS=2"
      PASS_REGULAR_EXPRESSION "${T_EXPECT}" LABELS "mpi;harness")
  endforeach()
endfunction()

function(dnmf_add_unit_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE dnmf::dnmf GTest::gtest_main dnmf::warnings)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT 120 ENVIRONMENT "${DNMF_TEST_ENV}"
                                            LABELS "unit;${T_LABELS}")
endfunction()

function(dnmf_add_script_test)
  cmake_parse_arguments(T "LEAK_CHECK" "NAME;TIMEOUT;PROCESSORS" "COMMAND;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  if(NOT T_PROCESSORS)
    set(T_PROCESSORS 1)
  endif()
  set(T_ENV "${DNMF_TEST_ENV};DNMF_BIN=$<TARGET_FILE:dnmf_cli>;DNMF_MPIEXEC=${DNMF_MPIEXEC};PYTHONDONTWRITEBYTECODE=1")
  if(NOT T_LEAK_CHECK)
    list(APPEND T_ENV ${DNMF_SANITIZER_NOLEAK_ENV})
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_COMMAND})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} PROCESSORS ${T_PROCESSORS}
    ENVIRONMENT "${T_ENV}" LABELS "${T_LABELS}")
endfunction()
