"""Identifiability of two-layer sparse factorizations with fixed supports."""

__all__ = []
