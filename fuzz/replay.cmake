# Included by tests/CMakeLists.txt: every fuzz target is also built with a plain main
# (replay_main.cpp, any compiler) and replayed by CTest, label fuzz-regression:
#   fuzz_regression_<target>        its seeds (fuzz/corpus/<target>/) and every input that once
#                                   failed (fuzz/regressions/<target>/, open/ included): must pass;
#   fuzz_open_<target>_<input>      one per input of fuzz/regressions/<target>/open/, a reported
#                                   bug not fixed yet, replayed with DNMF_FUZZ_STRICT=1 and
#                                   expected to fail (WILL_FAIL). When the fix lands it "fails":
#                                   move the input up to fuzz/regressions/<target>/ and delete the
#                                   known_bug() skip that names it (fuzz/README.md).
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
foreach(t IN LISTS DNMF_FUZZ_TARGETS)
  add_executable(fuzz_replay_${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.cpp
                                  ${CMAKE_CURRENT_LIST_DIR}/replay_main.cpp)
  target_link_libraries(fuzz_replay_${t} PRIVATE dnmf::dnmf dnmf::hdf5 dnmf::warnings)
  if(t STREQUAL "config_parser")
    target_link_libraries(fuzz_replay_${t} PRIVATE dnmf::cli)  # the command-line/config edge
  endif()
  target_include_directories(fuzz_replay_${t} PRIVATE ${PROJECT_SOURCE_DIR}/src)  # io/hdf5_handle.hpp
  set(_dir ${CMAKE_CURRENT_LIST_DIR}/regressions/${t})
  set(_env "${DNMF_TEST_ENV};DNMF_FUZZ_TMPDIR=${CMAKE_CURRENT_BINARY_DIR}")
  if(DNMF_SANITIZE)
    # GCC 12's LeakSanitizer misreads the main thread's dynamic TLS in these single-process MPI
    # + HDF5 programs (exit scan: "DTLS at 0x440a-0x4000550c", "Tracer caught signal 11"; the
    # clang runtime of the fuzz build does not): leave thread-local storage out of the leak
    # scan here. dnmf keeps nothing in thread-local storage.
    list(APPEND _env "LSAN_OPTIONS=${DNMF_LSAN_OPTIONS}:use_tls=0")
  endif()
  set(_inputs ${CMAKE_CURRENT_LIST_DIR}/corpus/${t})
  foreach(d ${_dir} ${_dir}/open)
    if(IS_DIRECTORY ${d})
      list(APPEND _inputs ${d})
    endif()
  endforeach()
  add_test(NAME fuzz_regression_${t} COMMAND fuzz_replay_${t} ${_inputs})
  set_tests_properties(fuzz_regression_${t} PROPERTIES TIMEOUT 300 ENVIRONMENT "${_env}"
                                                       LABELS "fuzz-regression")
  file(GLOB _open CONFIGURE_DEPENDS ${_dir}/open/*)
  foreach(f IN LISTS _open)
    get_filename_component(_name ${f} NAME)
    add_test(NAME fuzz_open_${t}_${_name} COMMAND fuzz_replay_${t} ${f})
    set_tests_properties(fuzz_open_${t}_${_name} PROPERTIES WILL_FAIL TRUE TIMEOUT 120
      ENVIRONMENT "${_env};DNMF_FUZZ_STRICT=1" LABELS "fuzz-regression;fuzz-open")
  endforeach()
endforeach()
