"""Masked rank-one model after variable projection (internal).

For fixed ``y`` the optimal ``x_i`` is ``s_i / d_i`` with ``s_i = sum_{j in Omega_i} A_ij y_j``
and ``d_i = sum_{j in Omega_i} y_j^2``, so the loss is ``F(y) = c - sum_i s_i^2 / d_i``
(rows with ``d_i = 0`` contribute ``||A_i||^2``).  ``F`` is invariant under ``y -> t y``;
in the chart ``y_{j0} = 1`` its gradient and Hessian have the closed forms below.  Every
function here works over any field-like number type (Fraction, float, flint ``arb``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import flint

__all__ = ["MaskedCore"]


@dataclass(frozen=True)
class MaskedCore:
    """``A`` (tuple of tuples of Fraction) and ``omega`` (tuple of tuples of bool)."""

    A: tuple
    omega: tuple

    @property
    def shape(self):
        return len(self.A), len(self.A[0])

    def transpose(self):
        m, n = self.shape
        return MaskedCore(tuple(tuple(self.A[i][j] for i in range(m)) for j in range(n)),
                          tuple(tuple(self.omega[i][j] for i in range(m)) for j in range(n)))

    def observed(self, i):
        return [j for j in range(self.shape[1]) if self.omega[i][j]]

    def norm_sq(self, cols=None):
        m, n = self.shape
        cols = range(n) if cols is None else cols
        return sum((self.A[i][j] ** 2 for i in range(m) for j in cols if self.omega[i][j]),
                   Fraction(0))

    def sd(self, i, y, zero):
        s, d = zero, zero
        for j in self.observed(i):
            s = s + _num(self.A[i][j], zero) * y[j]
            d = d + y[j] * y[j]
        return s, d

    def value(self, y, zero=Fraction(0)):
        """``F(y)``; a row with ``d_i = 0`` exactly contributes ``||A_i||^2``."""
        total = zero + _num(self.norm_sq(), zero)
        for i in range(self.shape[0]):
            s, d = self.sd(i, y, zero)
            if not _is_zero(d):
                total = total - s * s / d
        return total

    def best_x(self, y):
        """The optimal ``x`` for ``y`` (least squares, row by row; 0 when ``d_i = 0``)."""
        out = []
        for i in range(self.shape[0]):
            s, d = self.sd(i, y, 0 * y[0])
            out.append(0 * y[0] if _is_zero(d) else s / d)
        return out

    def gradient(self, y, free, zero):
        """``dF/dy_j`` for ``j`` in ``free`` (needs every ``d_i`` nonzero)."""
        g = [zero for _ in free]
        for i in range(self.shape[0]):
            obs = self.observed(i)
            if not obs:
                continue
            s, d = self.sd(i, y, zero)
            for a, j in enumerate(free):
                if self.omega[i][j]:
                    g[a] = g[a] - 2 * s * _num(self.A[i][j], zero) / d + 2 * s * s * y[j] / (d * d)
        return g

    def hessian(self, y, free, zero):
        """``d^2F/dy_j dy_k`` for ``j, k`` in ``free`` (needs every ``d_i`` nonzero)."""
        H = [[zero for _ in free] for _ in free]
        for i in range(self.shape[0]):
            if not self.observed(i):
                continue
            s, d = self.sd(i, y, zero)
            for a, j in enumerate(free):
                for b, k in enumerate(free):
                    H[a][b] = H[a][b] - self._q_second(i, j, k, s, d, y, zero)
        return H

    def _q_second(self, i, j, k, s, d, y, zero):
        dj, dk = self.omega[i][j], self.omega[i][k]
        aj = _num(self.A[i][j], zero) if dj else zero
        ak = _num(self.A[i][k], zero) if dk else zero
        v = 2 * aj * ak / d
        if dk:
            v = v - 4 * s * aj * y[k] / (d * d)
        if dj:
            v = v - 4 * s * ak * y[j] / (d * d)
        if dj and j == k:
            v = v - 2 * s * s / (d * d)
        if dj and dk:
            v = v + 8 * s * s * y[j] * y[k] / (d * d * d)
        return v


def _num(a, zero):
    """A Fraction coefficient in the number type of ``zero`` (exact for arb)."""
    if isinstance(zero, flint.arb):
        return flint.arb(flint.fmpq(int(a.numerator), int(a.denominator)))
    if isinstance(zero, float):
        return float(a)
    return a


def _is_zero(v):
    try:
        return v == 0 and (not hasattr(v, "is_exact") or v.is_exact())
    except TypeError:
        return False
