"""Theorem sweeps over every small support pattern (placeholder, filled below)."""
from .patterns import *  # noqa
from .records import SweepRecord, greedy_block_loss, tractability_sweep
