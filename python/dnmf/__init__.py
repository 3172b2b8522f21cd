"""dnmf: distributed non-negative matrix factorization with scikit-learn's numbers.

``dnmf.NMF`` and ``dnmf.non_negative_factorization`` are drop-ins for scikit-learn's; pass an
mpi4py communicator (``comm=MPI.COMM_WORLD``) to run one model across the ranks of ``mpirun``.
"""
from ._nmf import NMF, non_negative_factorization

__all__ = ["NMF", "non_negative_factorization"]
__version__ = "0.1.0"
