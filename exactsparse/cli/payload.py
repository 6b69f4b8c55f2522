"""The JSON view of a result on the command line, in one place.

A command that decides something prints :func:`payload` of its result: the keys documented in
the README (a public contract), derived from the result by one function per kind in
:data:`CONTRACT`, plus the full result once under ``"result"`` (``Result.to_dict()``), which
is what ``exactsparse verify FILE ...`` re-checks.  Every payload also carries the result's
``kind``, ``verdict``, ``theorem`` and ``backend``.  A kind without a row (a capability
added later) gets those keys and its ``certificate``.

:data:`INSTANCE_FLAGS` says, per kind, which options of ``exactsparse verify`` give the
instance the certificate is checked against.

Examples
--------
>>> from exactsparse.results.fsmf import TractabilityResult
>>> r = TractabilityResult(kind="fsmf.classify", verdict="tractable", certificate={},
...                        theorem="fsmf.disjoint", backend="combinatorial",
...                        family="disjoint", classes=(((0,), (0, 1), (1,)),),
...                        complete_classes=())
>>> d = payload(r)
>>> d["classes"], d["result"] == r.to_dict()
([{'columns': [0], 'rows': [0, 1], 'cols': [1]}], True)
"""

from __future__ import annotations

from ..certificates import to_jsonable

__all__ = ["payload", "contract_keys", "CONTRACT", "INSTANCE_FLAGS"]

_GENERIC = ("kind", "verdict", "theorem", "backend")


def _classify(r):
    return {"family": r.family,
            "classes": [{"columns": list(k), "rows": list(a), "cols": list(b)}
                        for k, a, b in r.classes],
            "complete_classes": list(r.complete_classes), "certificate": r.certificate}


def _solve(r):
    return {"family": r.family, "value": r.value, "value_float": r.value_float,
            "attained": r.attained, "certified": r.certified, "exact": r.exact,
            "enclosure": list(r.enclosure) if r.enclosure else None, "X": r.X, "Y": r.Y}


def _certify(r):
    c = r.certificate
    return {"lower": c["lower"], "upper": c["upper"], "lower_float": float(c["lower"]),
            "upper_float": float(c["upper"]), "certified": c["certified"],
            "attained": c["attained"], "reason": c.get("reason", "")}


def _spurious(r):
    c = r.certificate
    minima = [{"value": f"[{to_jsonable(m['value_lower'])}, {to_jsonable(m['value_upper'])}]",
               "value_float": float((m["value_lower"] + m["value_upper"]) / 2),
               "certified": m.get("certified") is True} for m in c.get("minima", ())]
    return {"minima": minima, "reason": c.get("reason", "")}


def _reduce(r):
    c = r.certificate
    return {"constant": c["constant"], "sizes": c["sizes"], "parts": c["parts"]}


def _ident(r):
    w = r.witness
    return {"certificate": r.certificate,
            "witness": None if w is None else {k: w[k] for k in ("X", "Y", "X2", "Y2")},
            "jacobian_rank": r.jacobian_rank, "jacobian_rank_mod_p": r.jacobian_rank_mod_p,
            "expected_rank": r.expected_rank}


def _certificate(r):
    return {"certificate": r.certificate}


def _deconv(r):
    pen = r.certificate.get("penalised") or {}
    return {"planted_cost": r.planted_cost, "trivial_cost": r.trivial_cost,
            "planted_cost_float": r.planted_cost_float,
            "trivial_cost_float": r.trivial_cost_float,
            "trivial_wins": r.verdict == "trivial-wins", "trivial": r.certificate.get("trivial"),
            "lambda_max": None if pen.get("lambda_max") is None else str(pen["lambda_max"])}


def _counterexample(r):
    c = r.certificate
    return {"x": c["x"], "h": c["h"], "y": c["y"], "planted_cost": str(c["planted_cost"]),
            "trivial_cost": str(c["trivial_cost"]),
            "planted_cost_float": c["planted_cost_float"],
            "trivial_cost_float": c["trivial_cost_float"], "trivial_wins": True,
            "escapes": c["escapes"]}


#: kind → function of the result giving its documented JSON keys (beside the generic ones).
CONTRACT = {
    "fsmf.classify": _classify,
    "fsmf.solve": _solve,
    "fsmf.certify": _certify,
    "fsmf.spurious": _spurious,
    "fsmf.reduce": _reduce,
    "ident.check": _ident,
    "butterfly.identify": _certificate,
    "relu.pathlift": lambda r: {"phi": r.certificate["phi"], "size": r.certificate["size"]},
    "relu.canonical": lambda r: {"layers": r.network["layers"], "network": r.network,
                                 "duplicates": list(r.certificate["duplicates"])},
    "relu.equivalent": _certificate,
    "relu.pathnorm": lambda r: {"value": r.value, "value_float": r.value_float,
                                "q": r.certificate["q"]},
    "relu.local_ident": lambda r: {k: r.certificate[k]
                                   for k in ("C_N", "C_S", "rank_gamma", "rank_A", "D")},
    "relu.shallow": _certificate,
    "bilinear.deconv": _deconv,
    "bilinear.counterexample": _counterexample,
}

_FSMF = ("--matrix", "--left", "--right")
#: kind → the options of ``exactsparse verify`` that give its instance (``--right`` or
#: ``--right-rx``); a kind without a row takes whatever is given.
INSTANCE_FLAGS = {
    "fsmf.classify": ("--left", "--right"),
    "fsmf.solve": _FSMF,
    "fsmf.certify": _FSMF,
    "fsmf.spurious": _FSMF,
    "fsmf.reduce": _FSMF,
    "fsmf.attainment": _FSMF,
    "ident.check": ("--left", "--right"),
    "butterfly.identify": ("--matrix",),
    "bilinear.deconv": ("--x", "--h"),
    "bilinear.counterexample": (),
}


def contract_keys(result):
    """The documented JSON keys of ``result`` (generic ones first), JSON-ready."""
    keys = {k: getattr(result, k) for k in _GENERIC}
    keys.update(CONTRACT.get(result.kind, _certificate)(result))
    return to_jsonable(keys)


def payload(result):
    """The ``--json`` output of a command returning ``result``: the contract keys plus the
    full result under ``"result"``."""
    return {**contract_keys(result), "result": result.to_dict()}
