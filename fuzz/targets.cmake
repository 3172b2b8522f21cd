# The fuzz targets: fuzz/<name>.cpp, seeds in fuzz/corpus/<name>/, inputs that once failed in
# fuzz/regressions/<name>/. Read by fuzz/CMakeLists.txt (libFuzzer, clang) and fuzz/replay.cmake
# (plain replay tests, any compiler).
set(DNMF_FUZZ_TARGETS config_parser hdf5_file hdf5_structured matrix_market)
