"""Certificate checkers for the `identifiability` results (filled in by its issue)."""

CHECKS = {}
