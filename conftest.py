"""Test configuration: one sympy ground-type configuration, BLAS pinned to one thread."""

import importlib.util
import os

os.environ.setdefault("SYMPY_GROUND_TYPES", "flint")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

#: The doctests of the plotting module need the optional extra ``plot`` (matplotlib).
collect_ignore = [] if importlib.util.find_spec("matplotlib") else ["exactsparse/plot.py"]
