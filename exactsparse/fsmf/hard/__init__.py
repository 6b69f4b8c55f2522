"""FSMF beyond the tractable families: reductions, hard cores, certification, spurious minima."""

__all__ = []
