# Finds the system packages dnmf builds on (Debian 12 names; see scripts/install-deps.sh) and
# exposes each as a namespaced target.

find_package(MPI REQUIRED COMPONENTS C CXX)

set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_package(LAPACK REQUIRED)

# Debian installs serial and parallel HDF5 side by side; insist on the MPI build.
set(HDF5_PREFER_PARALLEL ON)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "dnmf needs parallel HDF5 (Debian: libhdf5-openmpi-dev); found a serial "
                      "build at ${HDF5_INCLUDE_DIRS}. Remove the build folder after installing.")
endif()
add_library(dnmf::hdf5 INTERFACE IMPORTED)
target_link_libraries(dnmf::hdf5 INTERFACE hdf5::hdf5 MPI::MPI_C)

# Debian's scalapack-config.cmake points at a file that does not exist, so never call
# find_package(scalapack); find the OpenMPI build of the library directly.
find_library(DNMF_SCALAPACK_LIBRARY NAMES scalapack-openmpi scalapack REQUIRED)
add_library(dnmf::scalapack INTERFACE IMPORTED)
target_link_libraries(dnmf::scalapack INTERFACE ${DNMF_SCALAPACK_LIBRARY} LAPACK::LAPACK
                                                BLAS::BLAS MPI::MPI_C)

# zlib reads gzip-compressed Matrix Market files (dnmf convert).
find_package(ZLIB REQUIRED)

find_package(CLI11 CONFIG REQUIRED)
find_package(tomlplusplus REQUIRED)

if(DNMF_BUILD_TESTS)
  find_package(GTest REQUIRED)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
endif()
