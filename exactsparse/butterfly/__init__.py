"""Butterfly and Kronecker-sparse factorizations."""

__all__ = []
