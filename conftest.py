"""Test configuration: one sympy ground-type configuration, BLAS pinned to one thread."""

import os

os.environ.setdefault("SYMPY_GROUND_TYPES", "flint")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
