"""dnmf: distributed non-negative matrix factorization with scikit-learn's numbers.

``dnmf.NMF`` and ``dnmf.non_negative_factorization`` are drop-ins for scikit-learn's; pass an
mpi4py communicator (``comm=MPI.COMM_WORLD``) to run one model across the ranks of ``mpirun``.
``dnmf.select_k`` chooses the number of components (held-out error and stability).
"""
from ._nmf import NMF, non_negative_factorization
from ._select_k import SelectKResult, select_k

__all__ = ["NMF", "non_negative_factorization", "select_k", "SelectKResult"]
__version__ = "0.1.0"
