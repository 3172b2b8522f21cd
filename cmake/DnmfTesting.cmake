# dnmf_add_mpi_test(NAME <name> SOURCES <files...> RANKS <n...> [LABELS <labels...>])
#   One GoogleTest executable, registered as one CTest test per rank count (<name>_np<n>),
#   launched with mpiexec --oversubscribe, OPENBLAS_NUM_THREADS=1 and a timeout so a deadlock
#   fails instead of hanging CI.
# dnmf_add_script_test(NAME <name> COMMAND <cmd...> [LABELS ...] [TIMEOUT s] [LEAK_CHECK])
#   A test driven by a script (Python oracle comparisons, CLI checks). In a DNMF_SANITIZE build
#   the dnmf processes it launches are leak-checked only with LEAK_CHECK (DnmfSanitizers.cmake).

set(DNMF_TEST_ENV
    "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;OPENBLAS_NUM_THREADS=1;GTEST_COLOR=no")
if(DNMF_SANITIZER_ENV)  # DNMF_SANITIZE: options and suppressions of config/sanitizers/
  list(APPEND DNMF_TEST_ENV ${DNMF_SANITIZER_ENV})
endif()
set(DNMF_MPIEXEC ${MPIEXEC_EXECUTABLE} CACHE STRING "MPI launcher used by the tests")

function(dnmf_add_mpi_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;RANKS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE dnmf::dnmf dnmf_test_mpi_main GTest::gtest
                                          dnmf::warnings)
  foreach(n IN LISTS T_RANKS)
    add_test(NAME ${T_NAME}_np${n}
             COMMAND ${DNMF_MPIEXEC} ${MPIEXEC_NUMPROC_FLAG} ${n} --oversubscribe
                     ${MPIEXEC_PREFLAGS} $<TARGET_FILE:${T_NAME}> ${MPIEXEC_POSTFLAGS})
    set_tests_properties(${T_NAME}_np${n} PROPERTIES
      TIMEOUT ${T_TIMEOUT} PROCESSORS ${n} ENVIRONMENT "${DNMF_TEST_ENV}"
      LABELS "mpi;${T_LABELS}")
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
