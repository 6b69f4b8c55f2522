"""Certificate checkers for the `butterfly` results (filled in by its issue)."""

CHECKS = {}
