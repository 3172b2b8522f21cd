#!/usr/bin/env bash
# Install everything dnmf needs to build, test and run its examples, from Debian's
# archive only. Idempotent and non-interactive; must run as root (or via sudo).
set -euo pipefail

packages=(
  # toolchain
  cmake make g++ gcc pkg-config git
  # MPI, linear algebra, parallel HDF5
  libopenmpi-dev openmpi-bin libscalapack-openmpi-dev libopenblas-dev liblapack-dev
  libhdf5-openmpi-dev hdf5-tools zlib1g-dev
  # tests and small libraries
  libgtest-dev libcli11-dev libtomlplusplus-dev libbenchmark-dev
  # the scikit-learn oracle and data helpers (Debian's python3)
  python3 python3-numpy python3-scipy python3-sklearn python3-h5py
  # the Python package dnmf (python/): bindings, MPI from Python, its inputs and tests
  python3-dev pybind11-dev python3-pybind11 python3-mpi4py python3-pandas python3-anndata python3-pytest
  # select-k --plot (scripts/plot_selection.py)
  python3-matplotlib
  # SimGrid's SMPI (smpicxx, smpirun): the simulated-cluster build in sim/ (Debian 12 has no
  # separate `simgrid` package; libsimgrid-dev carries the tools)
  libsimgrid-dev
)
# The default data set of the README's main job.
if [ "${DNMF_WITH_DATASET:-1}" = 1 ]; then
  packages+=(dataset-fashion-mnist python3-pil)
fi
# clang's libFuzzer and sanitizer runtimes for scripts/fuzz.sh: only on request (DNMF_WITH_FUZZ=1).
if [ "${DNMF_WITH_FUZZ:-0}" = 1 ]; then
  packages+=(clang libclang-rt-14-dev)
fi

# A throw-away Slurm cluster for the Slurm tests (scripts/slurm/local-cluster.sh).
if [ "${DNMF_WITH_SLURM:-1}" = 1 ]; then
  packages+=(slurmctld slurmd slurm-client munge)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
