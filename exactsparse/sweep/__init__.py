"""Theorem sweeps: a check on every small support pattern, up to isomorphism.

Modules, by object:

- :mod:`.patterns` — support pairs up to row/column/factor permutations: canonical forms of
  the coloured graph, orbit sizes, Burnside counts, streaming enumeration in deterministic
  chunks;
- :mod:`.library` — the named checks and theorem checks, and user checks
  (``"module:function"``);
- :mod:`.store` — the SQLite store of a sweep (resumable, refuses another sweep's folder,
  detects corruption), CSV/JSON export;
- :mod:`.run` — :func:`sweep`: serial, local processes or Dask;
- :mod:`.report` — verdict tables (weighted by orbit size) and figures;
- :mod:`.records` — :func:`tractability_sweep`, the in-memory sweep of the tractability
  theorem against local optimisation.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
.. [2] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
"""

from .library import CHECKS, NamedCheck, get_check
from .patterns import (CanonicalForm, Pattern, canonical_form, count_orbits, count_pairs,
                       iter_patterns, plan_chunks)
from .records import SweepRecord, greedy_block_loss, tractability_sweep
from .report import format_report, plot_sweep, sweep_report
from ..exceptions import WorkerLostError
from .run import SweepSummary, sweep
from .store import SweepStore, export as export_sweep

__all__ = ["SweepRecord", "tractability_sweep", "greedy_block_loss",
           "Pattern", "CanonicalForm", "canonical_form", "count_orbits", "count_pairs",
           "iter_patterns", "plan_chunks", "CHECKS", "NamedCheck", "get_check",
           "sweep", "SweepSummary", "SweepStore", "export_sweep", "sweep_report", "plot_sweep",
           "format_report", "WorkerLostError"]
