"""Fixed-support matrix factorization (FSMF): tractability, solvers, hardness."""

__all__ = []
