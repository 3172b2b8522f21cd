"""What every script-driven test needs to launch dnmf: the repository root, the dnmf executable
and the MPI launcher (from CTest's DNMF_BIN / DNMF_MPIEXEC, or defaults for running by hand),
and the environment OpenMPI needs here (root, oversubscription, one BLAS thread per rank).
Importing this module sets those variables where they are not set already.

OMPI_MCA_pml=ob1: Open MPI's UCX layer takes 0.19 s of every launch's 0.54 s here to start (one
node, no network), and the suite launches dnmf a few thousand times; ob1 over shared memory is
Open MPI's other standard point-to-point path, and every dnmf feature runs on either."""
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _key, _value in {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
    "OMPI_MCA_pml": "ob1",
    "OPENBLAS_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}.items():
    os.environ.setdefault(_key, _value)
DNMF_BIN = os.environ.get("DNMF_BIN") or os.path.join(REPO, "build", "bin", "dnmf")
# dnmf with test-only fault injection (tests/support/dnmf_test_driver.cpp).
DNMF_TEST_DRIVER = (os.environ.get("DNMF_TEST_DRIVER")
                    or os.path.join(os.path.dirname(DNMF_BIN), "dnmf_test_driver"))
MPIEXEC = os.environ.get("DNMF_MPIEXEC") or "mpiexec"
