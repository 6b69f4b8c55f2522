"""Local identifiability of a deep ReLU network from a finite sample (rank tests C_N / C_S).

Hypotheses: θ off the degenerate set S, no sample on a kink, ``L ≥ 2``.  For each hidden
neuron freeze its outgoing edge of largest ``|w|`` (the first one on ties): the
``D = #params − #hidden`` remaining parameters are free.  ``Γ`` is the Jacobian of
``(R_θ(x))_{x∈X}`` (all outputs) with respect to the free parameters and ``A = α(X, θ)``;
``R_Γ = rank Γ``, ``R_A = N_L · rank α`` (one block per output).  Conditions [1]_:

* C_S (sufficient): ``R_Γ = D``;
* C_N (necessary): ``R_Γ < R_A`` or ``R_Γ = D``.

Ranks are computed through Gram matrices (``rank_Q(M Mᵀ) = rank_Q(M)``), built from the
activations without forming Γ or α: ``Γ Γᵀ = Σ_l (Δ_l Δ_lᵀ) ∘ (F_{l−1} F_{l−1}ᵀ + 1) − U Uᵀ``
(``Δ_l`` the back-propagated output sensitivities, ``F_l`` the activations, ``U`` the frozen
columns) and ``α αᵀ = 1 + Σ_s ∘_{l=s}^{L−1} H_l`` (``H_0 = X Xᵀ``, ``H_l`` the Gram of the
activation patterns).  Modulo a prime ``p`` a rank is a lower bound of the rank over Q; it is
certified exact when it reaches an upper bound (the number of rows, or ``D``); otherwise the
exact rank over Q is computed (flint), within the budget.

References
----------
.. [1] J. Bona-Pellissier, F. Malgouyres, F. Bachoc, "Local identifiability of deep ReLU
   neural networks: the theory", NeurIPS 2022.

Examples
--------
>>> from exactsparse.relu import Network
>>> net = Network([{"W": [[1], [-1]], "b": [-1, -1]}, {"W": [[1, 1]], "b": [0]}])
>>> r = local_identifiability(net, [[-3], [-2], [0], [2], [3]])
>>> r.verdict, r.certificate["rank_gamma"], r.certificate["rank_A"], r.certificate["D"]
('locally-identifiable', 5, 5, 5)
>>> local_identifiability(net, [[-3], [0], [3]]).certificate["rank_gamma"]
3
"""

from __future__ import annotations

import time

import numpy as np

from .._budget import check_progress
from ..exact import as_rational, check_prime
from ..exact import rank as exact_rank
from ..exceptions import ArgumentError, BudgetError, ShapeError, show
from ..results.relu import LocalIdentResult
from .network import DegenerateNetworkError, as_network
from .pathlift import activation_patterns
from ._modp import mod_p, rank_mod_p_dense
from .symmetry import degenerate_neurons

__all__ = ["local_identifiability", "frozen_edges", "IDENT_PRIME"]

#: Default prime: below 2**20, so that float64 BLAS products of residues are exact.
IDENT_PRIME = 1048573


def frozen_edges(net):
    """Per hidden neuron ``(l, i)`` the frozen outgoing edge ``(l + 1, k, i)`` (``W_{l+1}[k,
    i]`` of largest ``|w|``, first on ties), in layer order."""
    net = as_network(net)
    out = []
    for l in range(1, net.depth):
        Wn = net.weights[l]
        for i in range(net.widths[l]):
            col = [abs(r[i]) for r in Wn]
            out.append((l + 1, col.index(max(col)), i))
    return out


def _mm(A, B, p):
    """``A @ B mod p`` (balanced residues) for float64 residue arrays, exact through BLAS
    (inner chunks with ``chunk · p² < 2**53``)."""
    step = max(1, (1 << 52) // ((p - 1) ** 2 + 1))
    out = None
    for a in range(0, A.shape[1], step):
        prod = mod_p(A[:, a:a + step] @ B[a:a + step, :], p)
        out = prod if out is None else mod_p(out + prod, p)
    return out if out is not None else np.zeros((A.shape[0], B.shape[1]))


def _residue(x, p):
    if x.denominator % p == 0:
        raise ArgumentError(f"Argument 'prime' divides the denominator {x.denominator}; "
                            "pick another prime.")
    return x.numerator % p * pow(x.denominator, -1, p) % p


class _Ring:
    """Arithmetic of the Gram computations: residues mod ``p`` (float64 arrays, exact below
    2**53) or exact rationals (object arrays of Fractions)."""

    def __init__(self, p=None):
        self.p = p

    def conv(self, rows):
        if self.p is None:
            return np.array(rows, dtype=object)
        p = self.p
        return np.array([[float(_residue(v, p)) for v in r] for r in rows], dtype=float)

    def mm(self, A, B):
        return A.dot(B) if self.p is None else _mm(A, B, self.p)

    def red(self, A):
        return A if self.p is None else mod_p(A, self.p)

    def full(self, shape, value):
        return np.full(shape, value, dtype=object if self.p is None else float)


def _forward(net, X, pats, ring):
    """Activations ``F_0 = X, F_1, …, F_{L−1}`` (n × N_l) and patterns (0/1 arrays)."""
    n, L = len(X), net.depth
    dtype = object if ring.p is None else float
    acts = [np.array([pats[s][l] for s in range(n)], dtype=int).astype(dtype)
            for l in range(L - 1)]
    F = [ring.conv(X)]
    for l in range(1, L):
        W, b = ring.conv(net.weights[l - 1]), ring.conv([net.biases[l - 1]])
        F.append(ring.red((ring.mm(F[-1], W.T) + b) * acts[l - 1]))
    return F, acts


def _gram_gamma(net, F, acts, frozen, ring):
    """``Γ Γᵀ = Σ_l (Δ_l Δ_lᵀ) ∘ (F_{l−1} F_{l−1}ᵀ + 1) − U Uᵀ`` (rows (sample, output))."""
    n, k, L = F[0].shape[0], net.widths[-1], net.depth
    delta = {L: np.tile(np.eye(k, dtype=int), (n, 1)).astype(F[0].dtype)}     # Δ_L: row (s, o) = e_o
    for l in range(L - 1, 0, -1):
        delta[l] = ring.red(ring.mm(delta[l + 1], ring.conv(net.weights[l]))
                            * np.repeat(acts[l - 1], k, axis=0))
    # Each term is a product of two residues (|·| ≤ (p/2 + 3)²): the sum needs one reduction.
    G = ring.full((n * k, n * k), 0)
    for l in range(1, L + 1):
        Fr = np.repeat(F[l - 1], k, axis=0) if k > 1 else F[l - 1]
        FF = ring.mm(Fr, Fr.T)
        FF += 1
        FF *= ring.mm(delta[l], delta[l].T)
        G += FF
    if frozen:
        U = ring.red(np.stack([delta[lk][:, kk] * np.repeat(F[lk - 1][:, i], k)
                               for lk, kk, i in frozen], axis=1))
        G -= ring.mm(U, U.T)
    G = ring.red(G)
    return G


def _gram_alpha(F, acts, ring):
    """``α αᵀ = 1 + Σ_s ∘_{l=s}^{L−1} H_l`` (one output block, rows samples)."""
    n, L = F[0].shape[0], len(acts) + 1
    H = [ring.mm(F[0], F[0].T)] + [ring.red(a @ a.T) for a in acts]
    Ga, P = ring.full((n, n), 1), ring.full((n, n), 1)
    for s in range(L - 1, -1, -1):          # P = H_s ∘ … ∘ H_{L−1}
        P = ring.red(P * H[s])
        Ga = ring.red(Ga + P)
    return Ga


def _rank(G, ring):
    if G.size == 0:
        return 0
    if ring.p is not None:
        return rank_mod_p_dense(G, ring.p)
    return exact_rank(G.tolist())


def local_identifiability(net, X, prime=IDENT_PRIME, exact="auto", budget=60.0,
                          progress=None):
    """Rank tests C_N / C_S of local identifiability of ``net`` from the samples ``X``.

    Parameters
    ----------
    net : Network (exact), ``L ≥ 2``, off the degenerate set
    X : list of exact rows (n × d)
    prime : int
        The prime of the fast rank (below 2**20: float64 BLAS products stay exact).
    exact : {"auto", "never", "always"}
        Compute exact ranks over Q when the mod-p ranks do not settle them ("auto").
    budget : float
        Seconds; the exact step is skipped (verdict ``unknown``) past it.
    progress : callable, optional
        Called as ``progress(stage, done, total)`` (see
        :func:`~exactsparse._budget.check_progress`) before each rank:
        ``("ranks mod p", k, 2)``, then ``("exact ranks", k, 2)`` when they are computed.

    Raises
    ------
    KinkError
        A sample on a kink (names the sample and the neuron).
    DegenerateNetworkError
        A hidden neuron in the degenerate set (named).
    """
    t0 = time.perf_counter()
    net = as_network(net)
    net.require_exact("local_identifiability")
    prime = check_prime(prime, "prime")
    if prime >= 1 << 20:
        raise ArgumentError(f"Argument 'prime' must be below 2**20, not {prime}.")
    if not isinstance(exact, str) or exact not in ("auto", "never", "always"):
        raise ArgumentError(f"Argument 'exact' must be 'auto', 'never' or 'always', not {show(exact)}.")
    if not isinstance(budget, (int, float)) or not budget > 0:
        raise BudgetError(f"Argument 'budget' must be a positive number of seconds, not {show(budget)}.")
    progress = check_progress(progress)
    if net.depth < 2:
        raise ShapeError("Argument 'net' must have a hidden layer (L >= 2), not L = 1.")
    bad = degenerate_neurons(net)
    if bad:
        raise DegenerateNetworkError(f"Argument 'net' is degenerate: neuron {bad[0][0]} has "
                                     f"{bad[0][1]}.")
    if not isinstance(X, (list, tuple, np.ndarray)) or len(X) == 0 or any(
            not isinstance(row, (list, tuple, np.ndarray)) for row in X):
        raise ShapeError("Argument 'X' must be a non-empty list of samples (rows).")
    X = [[as_rational(v, "X", f" at ({s}, {j})") for j, v in enumerate(row)]
         for s, row in enumerate(X)]
    if any(len(r) != net.widths[0] for r in X):
        raise ShapeError(f"Argument 'X' must have {net.widths[0]} columns, not "
                         f"{sorted({len(r) for r in X})}.")
    pats, _ = activation_patterns(net, X, on_kink="error")
    frozen = frozen_edges(net)
    n, k = len(X), net.widths[-1]
    D = net.n_params - net.n_hidden
    ring = _Ring(prime)
    if progress is not None:
        progress("ranks mod p", 0, 2)
    F, acts = _forward(net, X, pats, ring)
    rg = _rank(_gram_gamma(net, F, acts, frozen, ring), ring)
    if progress is not None:
        progress("ranks mod p", 1, 2)
    exact_g = rg in (D, n * k)
    if rg == n * k:                      # R_Γ ≤ R_A ≤ n·k: α has full row rank too
        ra, exact_a = n, True
    else:
        ra = _rank(_gram_alpha(F, acts, ring), ring)
        exact_a = ra == n
    backend = "numpy-mod-p"
    settled = exact_g and (rg == D or exact_a)
    need = exact == "always" or (exact == "auto" and not settled)
    if need and time.perf_counter() - t0 < budget:
        q = _Ring()
        if progress is not None:
            progress("exact ranks", 0, 2)
        Fq, acts_q = _forward(net, X, pats, q)
        rg = _rank(_gram_gamma(net, Fq, acts_q, frozen, q), q)
        if progress is not None:
            progress("exact ranks", 1, 2)
        ra = _rank(_gram_alpha(Fq, acts_q, q), q)
        exact_g = exact_a = True
        backend = "flint"
    rank_A = k * ra
    C_S = exact_g and rg == D
    C_N = C_S or (exact_g and exact_a and rg < rank_A)
    if C_S:
        verdict = "locally-identifiable"
    elif exact_g and exact_a:
        verdict = "inconclusive" if C_N else "not-locally-identifiable"
    else:
        verdict = "unknown"
    cert = {"C_N": C_N if exact_g and exact_a or C_S else None, "C_S": C_S if exact_g else None,
            "rank_gamma": rg, "rank_A": rank_A, "D": D, "prime": prime,
            "exact": {"rank_gamma": exact_g, "rank_A": exact_a},
            "frozen": [list(f) for f in frozen]}
    if verdict == "unknown":
        cert["reason"] = "the mod-p ranks reach no upper bound and the exact step was skipped"
    return LocalIdentResult(kind=LocalIdentResult.KIND, verdict=verdict, certificate=cert,
                            theorem=LocalIdentResult.THEOREM, backend=backend)

