"""Certificate checkers for hard FSMF results (certify, spurious, reduce, attainment)."""

CHECKS = {}
