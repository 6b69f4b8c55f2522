"""Rich display of supports and results in Jupyter (``_repr_html_`` / ``_repr_latex_``).

Pure functions taking a support (anything with a boolean ``.array``, or a 0/1 array) or a
result (anything with ``kind``, ``verdict``, ``certificate``, ``theorem``, ``backend``) by
duck typing; :class:`~exactsparse.supports.Support` and
:class:`~exactsparse.certificates.Result` delegate their ``_repr_html_`` / ``_repr_latex_``
here, so ``repr`` in a terminal is unchanged.  The pictures are inline SVG (no matplotlib
needed): one square per nonzero of a support; the rank-one supports of a pair drawn on the
``m × n`` grid, one colour per equivalence class.  Exact values are shown as sympy's LaTeX
of the parsed value (:func:`exactsparse.certificates.parse_value`, which evaluates no code), so a
result read back from untrusted JSON displays safely.

Examples
--------
>>> from exactsparse.supports import Support
>>> S = Support("110/011")
>>> "<svg" in support_html(S), support_latex(S)
(True, '$\\\\left[\\\\begin{matrix}1 & 1 & 0\\\\\\\\0 & 1 & 1\\\\end{matrix}\\\\right]$')
>>> svg_cells(support_svg(S)) == {(0, 0), (0, 1), (1, 1), (1, 2)}   # one square per nonzero
True
"""

from __future__ import annotations

import html
import math
import re
from fractions import Fraction

import numpy as np

from .certificates import parse_value
from .exceptions import ParseError, ShapeError
from .kinds import THEOREMS

__all__ = ["support_svg", "svg_cells", "support_html", "support_latex", "result_values",
           "result_supports", "result_html", "result_latex", "latex_of"]

#: A support is drawn at most this many cells wide or high (larger ones are pooled).
MAX_CELLS = 64
#: Exact rationals with more digits than this are shown as a decimal approximation.
MAX_DIGITS = 40
#: Label of a cell where rank-one supports of two classes overlap (drawn grey).
OVERLAP = 10**6
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf")


def _pattern(S):
    """A 2-D integer array: the support's 0/1 pattern (or a label matrix, 0 = empty)."""
    a = np.asarray(S.array if hasattr(S, "array") else S)
    if a.ndim != 2:
        raise ShapeError(f"Argument 'S' must be a 2-D support, not an array of shape {a.shape}.")
    return (a != 0).astype(np.int64) if a.dtype == bool else a.astype(np.int64)


def _pool(a, max_cells):
    """Block-pool ``a`` (max over blocks) so that no side exceeds ``max_cells``."""
    m, n = a.shape
    f = max(1, -(-max(m, n) // max_cells))
    if f == 1:
        return a, 1
    pm, pn = -(-m // f) * f, -(-n // f) * f
    padded = np.zeros((pm, pn), a.dtype)
    padded[:m, :n] = a
    return padded.reshape(pm // f, f, pn // f, f).max(axis=(1, 3)), f


def support_svg(S, size=120, max_cells=MAX_CELLS):
    """An inline SVG picture of a support: a black square per nonzero.

    Parameters
    ----------
    S : Support, 0/1 array_like, or an integer label matrix
        Label ``k > 0`` is drawn in colour ``k`` (used for equivalence classes); a 0/1 or
        boolean pattern is drawn in black.
    size : int
        Pixels of the longer side.
    max_cells : int
        Larger supports are pooled (a cell is drawn when its block has a nonzero).

    Returns
    -------
    str
        ``<svg ...>`` with one ``<rect class="nz" ...>`` per drawn cell.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.eye(3, dtype=int)
    >>> svg_cells(support_svg(a)) == {(i, i) for i in range(3)}
    True
    """
    a, f = _pool(_pattern(S), max_cells)
    m, n = a.shape
    cell = max(2.0, size / max(m, n, 1))
    w, h = n * cell, m * cell
    colour = (lambda k: "#222") if a.max(initial=0) <= 1 else (
        lambda k: "#888" if k == OVERLAP else _PALETTE[(k - 1) % len(_PALETTE)])
    rects = "".join(
        f'<rect class="nz" x="{j * cell:.1f}" y="{i * cell:.1f}" width="{cell:.1f}" '
        f'height="{cell:.1f}" fill="{colour(int(a[i, j]))}" data-i="{i}" data-j="{j}"/>'
        for i, j in zip(*np.nonzero(a)))
    note = f"<title>pooled {f}×{f}</title>" if f > 1 else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
            f'viewBox="0 0 {w:.1f} {h:.1f}" style="background:#fff">{note}'
            f'<rect x="0" y="0" width="{w:.1f}" height="{h:.1f}" fill="none" '
            f'stroke="#999"/>{rects}</svg>')


def svg_cells(svg):
    """The ``(row, column)`` cells drawn in an SVG of :func:`support_svg` (for tests)."""
    return {(int(i), int(j)) for i, j in re.findall(r'data-i="(\d+)" data-j="(\d+)"', svg)}


def support_html(S):
    """HTML for a support: shape, number of nonzeros and its picture."""
    m, n = _pattern(S).shape
    nnz = int(np.count_nonzero(_pattern(S)))
    return (f'<div style="display:inline-block;text-align:center;margin:2px">'
            f'{support_svg(S)}<br><small>Support {m}×{n}, nnz {nnz}</small></div>')


def support_latex(S, max_side=16):
    """sympy's LaTeX of the 0/1 pattern as a matrix (None above ``max_side`` rows or
    columns)."""
    a = _pattern(S)
    if max(a.shape) > max_side:
        return None
    import sympy   # noqa: PLC0415 - loaded only when a support is displayed
    return "$" + sympy.latex(sympy.Matrix((a != 0).astype(int).tolist())) + "$"


def _decimal(q, rounding, digits=12):
    """``q`` rounded to ``digits`` significant decimals, down (``"floor"``) or up."""
    if q == 0:
        return "0"
    e = digits - 1 - math.floor(math.log10(abs(float(q))))
    scale = Fraction(10) ** e
    n = math.floor(q * scale) if rounding == "floor" else math.ceil(q * scale)
    text = str(abs(n)).rjust(e + 1, "0") if e > 0 else str(abs(n) * 10 ** -e)
    text = (text[:-e] + "." + text[-e:]) if e > 0 else text
    return ("-" if n < 0 else "") + text


def latex_of(value, rounding=None):
    """LaTeX of an exact value: a Fraction/int, or a string :func:`parse_value` reads
    (``"15/2 - sqrt(41)/2"``); long rationals as ``\\approx`` a decimal (or, with
    ``rounding="floor"``/``"ceil"``, a decimal bound, for the ends of an enclosure).  None if
    the value is not exact (a float, an unparsable string).

    Examples
    --------
    >>> latex_of("15/2 - sqrt(41)/2"), latex_of(Fraction(1, 3)), latex_of(0.5)
    ('\\\\frac{15}{2} - \\\\frac{\\\\sqrt{41}}{2}', '\\\\frac{1}{3}', None)
    >>> q = Fraction(10**30 + 1, 3 * 10**29)
    >>> latex_of(q, "floor"), latex_of(q, "ceil"), latex_of(-q, "floor")
    ('3.33333333333', '3.33333333334', '-3.33333333334')
    """
    import sympy   # noqa: PLC0415 - loaded only when a value is displayed
    if isinstance(value, bool) or isinstance(value, float):
        return None
    if isinstance(value, (int, Fraction)):
        q = Fraction(value)
        if len(str(q.numerator)) + len(str(q.denominator)) > MAX_DIGITS:
            return rf"\approx {float(q):.12g}" if rounding is None else _decimal(q, rounding)
        return sympy.latex(sympy.Rational(q.numerator, q.denominator))
    if isinstance(value, str):
        try:
            return sympy.latex(parse_value(value))
        except ParseError:
            return None
    return None


def _get(result, key):
    """An attribute of the result, else a key of its certificate, else None."""
    v = getattr(result, key, None)
    if v is None:
        cert = getattr(result, "certificate", None)
        v = cert.get(key) if hasattr(cert, "get") else None
    return v


def result_values(result):
    """``[(label, latex), ...]``: the values a result reports, as LaTeX.

    ``value`` (exact) or ``value_float``; a certified interval ``[lower, upper]`` (one value
    when equal); the value enclosure of each certified local minimum.
    """
    out = []
    value = getattr(result, "value", None)
    if value is not None and latex_of(value) is not None:
        out.append(("value", latex_of(value)))
    elif isinstance(getattr(result, "value_float", None), (int, float)):
        out.append(("value", rf"\approx {float(result.value_float):.12g}"))
    lo, hi = _get(result, "lower"), _get(result, "upper")
    if isinstance(lo, (int, Fraction)) and isinstance(hi, (int, Fraction)):
        out.append(("value", latex_of(lo) if lo == hi else _interval(lo, hi)))
    minima = _get(result, "minima")
    for k, mm in enumerate(minima if isinstance(minima, (tuple, list)) else ()):
        if hasattr(mm, "get") and all(isinstance(mm.get(b), (int, Fraction))
                                      for b in ("value_lower", "value_upper")):
            out.append((f"local minimum {k}", _interval(mm["value_lower"], mm["value_upper"])))
    return out


def _interval(lo, hi):
    """``\\in [lo, hi]``, long ends rounded outwards (the shown interval still encloses)."""
    return rf"\in \left[{latex_of(lo, 'floor')},\ {latex_of(hi, 'ceil')}\right]"


def _nonzero_pattern(M):
    try:
        return np.array([[v != 0 for v in row] for row in M], dtype=bool)
    except TypeError:         # not a matrix of numbers (e.g. cyclotomic coefficient tuples)
        return None


def _ks_support(p):
    """The Kronecker-sparse pattern ``I_a ⊗ 1_{b×c} ⊗ I_d`` (a, b, c, d) as a 0/1 array."""
    a, b, c, d = (int(t) for t in p)
    return np.kron(np.kron(np.eye(a, dtype=np.int64), np.ones((b, c), np.int64)),
                   np.eye(d, dtype=np.int64))


def _classes_picture(classes):
    """Label matrix of the rank-one supports ``rows × cols`` of each equivalence class."""
    cells = [(i, j) for _, rows, cols in classes for i in rows for j in cols]
    if not cells:
        return None
    lab = np.zeros((1 + max(i for i, _ in cells), 1 + max(j for _, j in cells)), np.int64)
    for k, (_, rows, cols) in enumerate(classes):
        lab[np.ix_(list(rows), list(cols))] = np.where(
            lab[np.ix_(list(rows), list(cols))] == 0, k + 1, OVERLAP)
    return lab


def result_supports(result, max_pictures=12, max_side=2048):
    """``[(label, pattern), ...]``: the supports a result carries, for pictures (none when
    the certificate does not have the expected form: a display never raises).

    The supports of exact factors ``X``, ``Y`` (or of a witness), the Kronecker-sparse
    factors of a butterfly chain (``patterns``), or the rank-one supports of the
    equivalence classes (``classes``: one colour per class, grey where two overlap).
    """
    try:
        return _result_supports(result, max_side)[:max_pictures]
    except (TypeError, ValueError, IndexError, KeyError):   # foreign or malformed data
        return []


def _result_supports(result, max_side):
    out = []
    witness = _get(result, "witness")
    src = witness if hasattr(witness, "get") else None
    for name in ("X", "Y"):
        M = src.get(name) if src is not None else None
        M = _get(result, name) if M is None else M
        pat = _nonzero_pattern(M) if M is not None and len(M) else None
        if pat is not None and pat.ndim == 2 and pat.size:
            out.append((f"supp {name}", pat))
    split = _get(result, "left") is not None
    for key in ("left", "right") if split else ("patterns",):
        pats = _get(result, key)
        if key != "patterns" and pats:
            pats = (pats,) if isinstance(pats[0], int) else pats
        for k, p in enumerate(pats or ()):
            if len(p) == 4 and max(p[0] * p[1] * p[3], p[0] * p[2] * p[3]) <= max_side:
                out.append((f"{key} {k}: {tuple(p)}", _ks_support(p)))
    classes = _get(result, "classes")
    if classes and not out:
        lab = _classes_picture(classes)
        if lab is not None:
            out.append(("rank-one supports", lab))
    return out


def _with_op(tex):
    """``= tex`` unless ``tex`` already starts with a relation (``\\in``, ``\\approx``)."""
    return tex if tex.startswith(("\\in", "\\approx")) else "= " + tex


def _tex_text(s):
    return re.sub(r"([_&%#${}])", r"\\\1", str(s))


def result_latex(result):
    """``$\\text{kind}: \\text{verdict}, value = ...$`` for a result."""
    parts = [rf"\texttt{{{_tex_text(result.kind)}}}:\ \textbf{{{_tex_text(result.verdict)}}}"]
    parts += [rf"\text{{{_tex_text(label)}}} " + _with_op(tex)
              for label, tex in result_values(result)]
    return "$" + r",\quad ".join(parts) + "$"


def result_html(result):
    """An HTML card: type, kind, verdict, value(s) as LaTeX, theorem and source, backend,
    certificate keys, and small pictures of the supports it carries."""
    e = html.escape
    rows = [("verdict", f"<b>{e(str(result.verdict))}</b>")]
    for label, tex in result_values(result):
        rows.append((label, f"${e(_with_op(tex))}$"))
    theorem = str(result.theorem)
    source = THEOREMS.get(theorem, "")
    rows.append(("theorem", f"<code>{e(theorem)}</code>" + (f" — {e(source)}" if source else "")))
    rows.append(("backend", e(str(result.backend))))
    cert = getattr(result, "certificate", None)
    if hasattr(cert, "keys"):
        rows.append(("certificate", ", ".join(f"<code>{e(str(k))}</code>" for k in cert.keys())))
    reason = _get(result, "reason")
    if reason:
        rows.append(("reason", e(str(reason))))
    body = "".join(f'<tr><th style="text-align:left">{e(k)}</th><td style="text-align:left">'
                   f"{v}</td></tr>" for k, v in rows)
    pics = "".join(f'<div style="display:inline-block;text-align:center;margin:4px">'
                   f"{support_svg(pat, size=90)}<br><small>{e(label)}</small></div>"
                   for label, pat in result_supports(result))
    return (f"<div><b>{e(type(result).__name__)}</b> <code>{e(str(result.kind))}</code>"
            f"<table>{body}</table>{pics}</div>")
