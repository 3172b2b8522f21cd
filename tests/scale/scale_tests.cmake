# Included from tests/CMakeLists.txt (issue #18). Open MPI yields the core while it waits, or 64
# ranks polling on two cores make every collective crawl.
dnmf_add_mpi_test(NAME scale_tests RANKS "" SOURCES scale/test_scale.cpp)
dnmf_mpi_test_env(_scale_env)
list(APPEND _scale_env "OMPI_MCA_mpi_yield_when_idle=1")
# CI: the random-init solvers on every grid at 16 ranks with one NNDSVD case, mu on every grid
# at 64. Every case at 64 ranks (about 6 minutes here, NNDSVD's ScaLAPACK SVD most of it) is
# scale_tests_full_np64, with -DDNMF_SCALE_FULL_TESTS=ON:  ctest -L scale_full
option(DNMF_SCALE_FULL_TESTS "Register every 64-rank case (slow; not in CI)" OFF)
function(dnmf_scale_run name n filter label)
  add_test(NAME ${name}
           COMMAND ${DNMF_MPIEXEC} ${MPIEXEC_NUMPROC_FLAG} ${n} --oversubscribe ${MPIEXEC_PREFLAGS}
                   $<TARGET_FILE:scale_tests> ${MPIEXEC_POSTFLAGS} --gtest_filter=${filter})
  set_tests_properties(${name} PROPERTIES TIMEOUT 900 PROCESSORS 2 ENVIRONMENT "${_scale_env}"
                       LABELS "mpi;${label}")
endfunction()
dnmf_scale_run(scale_tests_np16 16 "*_random:*anls_nndsvda" "scale")
dnmf_scale_run(scale_tests_np64 64 "*mu_random" "scale")
# Through the CLI at 64 ranks: stop there and resume on 3, and transform.
dnmf_add_script_test(NAME scale_tests_cli_np64 PROCESSORS 2 LABELS "mpi;scale"
  COMMAND ${DNMF_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/scale/test_scale_cli.py)
set_property(TEST scale_tests_cli_np64 APPEND PROPERTY ENVIRONMENT
  "DNMF_TEST_DRIVER=$<TARGET_FILE:dnmf_test_driver>")
# One rank reading a 2.30 GB block through parallel HDF5 (more than 2^31 bytes): about 30 s,
# 5 GB of disk for a moment.
dnmf_add_script_test(NAME scale_tests_large_read PROCESSORS 2 LABELS "scale" TIMEOUT 900
  COMMAND ${DNMF_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/scale/test_large_read.py)
# Collectives of more than 2^31 elements (an all-to-all pair, an all-gather), on 2
# ranks: 8.6 GB of memory for both, about a minute (the first touch of fresh memory is most of it).
dnmf_add_mpi_test(NAME scale_tests_large_collectives RANKS 2 TIMEOUT 600 LABELS "scale"
                  SOURCES scale/test_large_collectives.cpp)
# Never both at once: 8.6 GB and 3 GB of memory.
set_tests_properties(scale_tests_large_collectives_np2 scale_tests_large_read PROPERTIES
                     RESOURCE_LOCK large_memory)
if(DNMF_SCALE_FULL_TESTS)
  dnmf_scale_run(scale_tests_full_np64 64 "*" "scale_full")
endif()

# The simulated cluster (sim/, SimGrid SMPI): its own build with smpicxx, then 64 ranks.
find_program(DNMF_SMPICXX smpicxx)
if(DNMF_SMPICXX)
  add_test(NAME sim_smoke COMMAND ${DNMF_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/scale/test_sim.py
                                  ${CMAKE_BINARY_DIR}/sim)
  set_tests_properties(sim_smoke PROPERTIES TIMEOUT 600 PROCESSORS 2 LABELS "sim")
else()
  message(WARNING "smpicxx not found (apt-get install libsimgrid-dev): sim_smoke not added")
endif()
