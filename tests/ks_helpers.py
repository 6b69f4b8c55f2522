"""Test helpers shared by the butterfly test modules (independent of the library)."""

from fractions import Fraction

import numpy as np


def dense_factor(pattern, T, dtype=None):
    """Dense matrix of a KS factor from its twiddle, entry by entry (the definition):
    ``X[i·b·d + β·d + j, i·c·d + γ·d + j] = T[i][j][β][γ]``.  ``dtype=object`` gives an
    exact matrix of Fractions."""
    a, b, c, d = pattern
    dtype = np.asarray(T).dtype if dtype is None else dtype
    X = np.zeros((a * b * d, a * c * d), dtype=dtype)
    if dtype is object:
        X[...] = Fraction(0)
    for i in range(a):
        for j in range(d):
            for beta in range(b):
                for gamma in range(c):
                    X[i * b * d + beta * d + j, i * c * d + gamma * d + j] = T[i][j][beta][gamma]
    return X
