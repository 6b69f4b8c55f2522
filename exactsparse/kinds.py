"""The one table of result kinds: kind → result class, checker, theorem.

Every decision routine of the package returns a frozen :class:`~exactsparse.certificates.Result`
subclass whose ``KIND`` is a key of :data:`KINDS`.  The table names, as import paths loaded
only when asked for, the result class (a value type in :mod:`exactsparse.results`, core: no
decision routine) and the checker (a function in :mod:`exactsparse.checks`), so that
``Result.from_json`` and :func:`exactsparse.verify` give the same answer in a fresh interpreter
whatever was imported before, and neither loads a capability.

:data:`THEOREMS` maps the reference keys stored in ``Result.theorem`` to the paper and
numbered result they point to.  A new capability adds its rows here (and nowhere else).

Examples
--------
>>> spec = KINDS["fsmf.classify"]
>>> spec.result_class().KIND
'fsmf.classify'
>>> spec.result_class().THEOREM in THEOREMS
True
>>> sorted(set(spec.theorems) - set(THEOREMS))
[]
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

__all__ = ["THEOREMS", "Kind", "KINDS", "kind_spec"]

_LRG = "Le, Riccietti, Gribonval, SIMAX 2023 (arXiv:2112.00386)"
_ZRG = "Zheng, Riccietti, Gribonval, arXiv:2110.01235"

#: Reference keys used in ``Result.theorem``, with the source they point to.
THEOREMS = {
    "fsmf.disjoint": f"{_LRG}: disjoint-or-identical rank-one supports, block SVD is globally "
                     "optimal (ICASSP 2022, Theorem 1)",
    "fsmf.cec": f"{_LRG}: complete equivalence classes (derived formulation, sufficient "
                "condition)",
    "fsmf.not-covered": "No tractability theorem of arXiv:2112.00386 applies",
    "fsmf.local": "Alternating least squares, a local method (uncertified)",
    "fsmf.reduce": f"{_LRG}: overlap components, absorption of complete classes",
    "fsmf.certify": "Variable projection + stratified critical-value enclosure (this "
                    "library); hardness: Gillis & Glineur, SIMAX 2011",
    "fsmf.spurious": f"{_LRG}: spurious local minima outside the tractable families; "
                     "Krawczyk test",
    "fsmf.attainment": f"{_LRG}: the infimum need not be attained (LU example); weak "
                       "Nullstellensatz",
    "ident.completion": f"{_ZRG}: iterative completability",
    "ident.jacobian": f"{_ZRG}: generic local identifiability (Jacobian rank)",
    "ident.witness": f"{_ZRG}: explicit witness",
    "ident.partial": f"{_ZRG}: partial completion (derived strengthening of iterative "
                     "completability, sufficient)",
    "butterfly.exact": "Zheng, Riccietti, Gribonval, SIMODS 2023 (arXiv:2110.01230): exact "
                       "identification of butterfly factorizations; Le, Zheng, Riccietti, "
                       "Gribonval, ICASSP 2022, Lemma 2",
    # bilinear
    "bilinear.pitfall": "Benichoux, Vincent, Gribonval, ICASSP 2013: a fundamental pitfall in "
                        "blind deconvolution with sparse and shift-invariant priors (trivial "
                        "pairs are never worse than the truth)",
    # relu
    "relu.embedding": "Stock, Gribonval, Constr. Approx. 2022 (arXiv:2107.09370): the "
                      "path-lifting Φ, invariant under rescaling, R_θ(x) = α(x, θ)Φ(θ)",
    "relu.canonical": "Stock, Gribonval, Constr. Approx. 2022 (arXiv:2107.09370): off the "
                      "degenerate set, equal Φ (and signs) iff equal up to rescaling",
    "relu.pathnorm": "Gonon, Brisebarre, Riccietti, Gribonval, ICLR 2024: path-norm by one "
                     "forward pass of |θ|^q",
    "relu.local_ident": "Bona-Pellissier, Malgouyres, Bachoc, NeurIPS 2022: local "
                        "identifiability from a finite sample (conditions C_N, C_S)",
    "relu.shallow": "Shallow ReLU networks on a box: sufficient conditions (a)-(d) and the "
                    "flip witness relu(z) = z + relu(-z) (derived; Stock, Gribonval 2022)",
}


@dataclass(frozen=True)
class Kind:
    """One row of :data:`KINDS`.

    Attributes
    ----------
    name : str
        The ``kind`` string stored in results.
    result : str
        ``"module:Class"`` of the result type (a module of :mod:`exactsparse.results`).
    checker : str
        ``"module:function"`` of the certificate checker (a module of
        :mod:`exactsparse.checks`); called as ``checker(result, instance)``.
    theorems : tuple of str
        The keys of :data:`THEOREMS` a result of this kind may carry.

    See Also
    --------
    kind_spec, exactsparse.verify

    Examples
    --------
    Every row is consistent: its class names the row's kind, its default theorem is one of
    the row's theorems, every theorem is documented, and the checker is a ``check_*``
    function of :mod:`exactsparse.checks`:

    >>> all(row.result_class().KIND == kind and row.result_class().THEOREM in row.theorems
    ...     and set(row.theorems) <= set(THEOREMS) for kind, row in KINDS.items())
    True
    >>> row = KINDS["fsmf.solve"]
    >>> row.check_function().__module__, row.check_function().__name__
    ('exactsparse.checks.fsmf', 'check_solve')
    """

    name: str
    result: str
    checker: str
    theorems: tuple

    def result_class(self):
        """The result class (imported on first use)."""
        return _load(self.result)

    def check_function(self):
        """The checker function (imported on first use)."""
        return _load(self.checker)


def _load(path):
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def _row(name, result, checker, *theorems):
    return name, Kind(name, "exactsparse.results." + result, "exactsparse.checks." + checker,
                      tuple(theorems))


#: kind → :class:`Kind`: the one table of result kinds.
KINDS = dict([
    _row("fsmf.classify", "fsmf:TractabilityResult", "fsmf:check_classify",
         "fsmf.disjoint", "fsmf.cec", "fsmf.not-covered"),
    _row("fsmf.solve", "fsmf:FSMFSolution", "fsmf:check_solve",
         "fsmf.disjoint", "fsmf.cec", "fsmf.not-covered", "fsmf.local"),
    _row("fsmf.reduce", "fsmf:ReductionResult", "fsmf_hard:check_reduce", "fsmf.reduce"),
    _row("fsmf.certify", "fsmf:CertifyResult", "fsmf_hard:check_certify", "fsmf.certify"),
    _row("fsmf.attainment", "fsmf:AttainmentResult", "fsmf_hard:check_attainment",
         "fsmf.attainment"),
    _row("fsmf.spurious", "fsmf:SpuriousResult", "fsmf_spurious:check_spurious",
         "fsmf.spurious"),
    _row("ident.check", "identifiability:IdentifiabilityResult", "identifiability:check_ident",
         "ident.completion", "ident.partial", "ident.witness", "ident.jacobian"),
    _row("butterfly.identify", "butterfly:ButterflyIdentification", "butterfly:check_identify",
         "butterfly.exact"),
    # bilinear
    _row("bilinear.deconv", "bilinear:DeconvPitfallResult", "bilinear:check_deconv",
         "bilinear.pitfall"),
    _row("bilinear.counterexample", "bilinear:CounterexampleResult",
         "bilinear:check_counterexample", "bilinear.pitfall"),
    # relu
    _row("relu.pathlift", "relu:PathLiftResult", "relu:check_pathlift", "relu.embedding"),
    _row("relu.canonical", "relu:CanonicalResult", "relu:check_canonical", "relu.canonical"),
    _row("relu.equivalent", "relu:EquivalenceResult", "relu:check_equivalent", "relu.canonical"),
    _row("relu.pathnorm", "relu:PathNormResult", "relu:check_pathnorm", "relu.pathnorm"),
    _row("relu.local_ident", "relu:LocalIdentResult", "relu:check_local_ident",
         "relu.local_ident"),
    _row("relu.shallow", "relu:ShallowResult", "relu:check_shallow", "relu.shallow"),
])


def kind_spec(kind):
    """The :class:`Kind` row of ``kind``, or None when the table has no such kind.

    Parameters
    ----------
    kind : object
        A ``kind`` string as stored in ``Result.kind`` (anything else gives None).

    Returns
    -------
    Kind or None

    See Also
    --------
    Kind, exactsparse.verify : dispatches through this function.

    Examples
    --------
    The row of a result's kind names the result's own class and admits its theorem:

    >>> from exactsparse.fsmf import check_tractable
    >>> r = check_tractable("1/1", "1/1")
    >>> kind_spec(r.kind).result_class() is type(r), r.theorem in kind_spec(r.kind).theorems
    (True, True)
    >>> kind_spec("no.such.kind") is None, kind_spec(None) is None
    (True, True)
    """
    if not isinstance(kind, str):
        return None
    return KINDS.get(kind)
