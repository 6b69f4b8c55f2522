"""Reports of finished (or interrupted) sweeps: verdict tables and a figure.

:func:`sweep_report` reads stores back (read-only) and gives, per sweep, the verdict counts
— patterns (orbit representatives) and weighted by orbit size (the number of labelled pairs
``(I, J)``) — and the smallest counterexamples.  :func:`plot_sweep` draws the counts per
``(m, n, r)`` and the supports ``I`` and ``Jᵀ`` of the smallest counterexamples (matplotlib,
the optional extra ``plot``).

Examples
--------
>>> import tempfile
>>> from exactsparse.sweep import sweep
>>> d = tempfile.mkdtemp()
>>> _ = sweep("completable", 2, 2, 2, out=d, workers=1)
>>> rep = sweep_report([d])["sweeps"][0]
>>> rep["by_verdict"]["completable"], rep["weighted_total"] == 2 ** 8
(49, True)
"""

from __future__ import annotations

import os

from ..exceptions import ArgumentError, show
from .run import summarize
from .store import SweepStore, check_path

__all__ = ["sweep_report", "plot_sweep", "format_report"]


def sweep_report(folders, counterexamples=5, plot=None):
    """Summaries of the sweeps stored in ``folders`` (and a figure if ``plot`` is a path)."""
    if isinstance(folders, (str, os.PathLike)):
        folders = [folders]
    if not isinstance(folders, (list, tuple)):
        raise ArgumentError(f"Argument 'folders' must be a path or a list of paths, not "
                            f"{show(folders)}.")
    if isinstance(counterexamples, bool) or not isinstance(counterexamples, int) \
            or not 0 <= counterexamples <= 10**6:
        raise ArgumentError(f"Argument 'counterexamples' must be an int in [0, 10**6], not "
                            f"{show(counterexamples)}.")
    out = []
    for folder in folders:
        store = SweepStore(check_path(folder, "folders"))
        try:
            s = summarize(store, limit=counterexamples)
        finally:
            store.close()
        d = s.to_dict()
        d["by_verdict_table"] = {v: {"count": s.by_verdict[v],
                                     "weighted": s.by_verdict_weighted[v]}
                                 for v in s.by_verdict}
        out.append(d)
    figure = plot_sweep(out, check_path(plot, "plot")) if plot is not None else None
    return {"sweeps": out, "figure": figure}


def format_report(rep):
    """The text table of :func:`sweep_report`."""
    if not isinstance(rep, dict) or not isinstance(rep.get("sweeps"), list):
        raise ArgumentError(f"Argument 'rep' must be the dict returned by sweep_report, "
                            f"not {show(rep)}.")
    lines = []
    for s in rep["sweeps"]:
        p = s["params"]
        head = (f"{p['check']}  m={p['m']} n={p['n']} r={p['r']}"
                f"{'  nondegenerate' if p.get('nondegenerate') else ''}"
                f"  ({s['chunks_done']}/{s['chunks_total']} chunks"
                f"{'' if s['complete'] else ', INCOMPLETE'})")
        lines += [head, f"  {'verdict':<28}{'patterns':>12}{'weighted':>16}"]
        for v, row in s["by_verdict_table"].items():
            lines.append(f"  {v:<28}{row['count']:>12,}{row['weighted']:>16,}")
        lines.append(f"  {'total':<28}{s['total']:>12,}{s['weighted_total']:>16,}")
        for c in s["counterexamples"]:
            lines.append(f"  counterexample ({c['verdict']}): I={c['I']} J={c['J']} "
                         f"orbit={c['orbit']}")
    if rep.get("figure"):
        lines.append(f"figure: {rep['figure']}")
    return "\n".join(lines)


def _grid(ax, text, title):
    import numpy as np
    a = np.array([[int(ch) for ch in row] for row in text.split("/")])
    ax.imshow(a, cmap="Greys", vmin=0, vmax=1)
    ax.set_xticks(range(a.shape[1]))
    ax.set_yticks(range(a.shape[0]))
    ax.set_xticks([x - 0.5 for x in range(1, a.shape[1])], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, a.shape[0])], minor=True)
    ax.grid(which="minor", color="0.6", linewidth=0.5)
    ax.tick_params(labelsize=6, which="both", length=0)
    ax.set_title(title, fontsize=7)


def plot_sweep(summaries, path, max_examples=4):
    """Write the figure of :func:`sweep_report` to ``path`` (PNG/PDF/SVG); return ``path``."""
    if not isinstance(summaries, (list, tuple)) or not all(
            isinstance(s, dict) and {"counterexamples", "by_verdict", "params"} <= set(s)
            for s in summaries):
        raise ArgumentError(f"Argument 'summaries' must be the list rep['sweeps'] of "
                            f"sweep_report, not {show(summaries)}.")
    path = check_path(path, "path")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ArgumentError("Argument 'plot' needs matplotlib: pip install "
                            "'exactsparse[plot]'.") from None
    examples = [(s, c) for s in summaries for c in s["counterexamples"]]
    examples.sort(key=lambda sc: sc[1]["nnz"])
    examples = examples[:max_examples]
    fig = plt.figure(figsize=(9, 4.5 if examples else 3.2))
    rows = 2 if examples else 1
    ax = fig.add_subplot(rows, 1, 1)
    verdicts = sorted({v for s in summaries for v in s["by_verdict"]})
    checks = sorted({s["params"]["check"] for s in summaries})
    labels = [("" if len(checks) == 1 else s["params"]["check"] + "\n")
              + f"{s['params']['m']}×{s['params']['n']}, r={s['params']['r']}"
              for s in summaries]
    bottom = [0.0] * len(summaries)
    for v in verdicts:             # shares: sizes differ by orders of magnitude
        h = [s["by_verdict"].get(v, 0) / max(1, s["total"]) for s in summaries]
        ax.bar(range(len(summaries)), h, bottom=bottom, label=v)
        bottom = [b + x for b, x in zip(bottom, h)]
    for k, s in enumerate(summaries):
        ax.text(k, 1.01, f"{s['total']:,}", ha="center", va="bottom", fontsize=6)
    ax.set_ylim(0, 1.12)
    ax.set_xticks(range(len(summaries)), labels, fontsize=7,
                  rotation=0 if len(summaries) <= 6 else 45)
    ax.set_ylabel("share of patterns")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(("verdicts per (m, n, r)" + (f": {checks[0]}" if len(checks) == 1 else "")
                  + " — number of patterns (orbits) on top"), fontsize=9)
    for k, (s, c) in enumerate(examples):
        a1 = fig.add_subplot(rows, 2 * max_examples, 2 * max_examples + 2 * k + 1)
        a2 = fig.add_subplot(rows, 2 * max_examples, 2 * max_examples + 2 * k + 2)
        _grid(a1, c["I"], f"I ({c['verdict']})")
        JT = "/".join("".join(row[k2] for row in c["J"].split("/"))
                      for k2 in range(len(c["J"].split("/")[0])))
        _grid(a2, JT, "Jᵀ")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return os.fspath(path)
