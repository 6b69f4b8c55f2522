"""The layering of the package, checked by static import analysis and at run time.

Rules (see ``../shared/STYLE.md`` and the house issue):

- core (``exceptions``, ``exact/``, ``supports``, ``enumeration``, ``certificates``, ``fileio``, ``kinds``,
  ``results``, ``_budget``) imports no capability, no checker and no CLI;
  ``exact/`` imports nothing of ``supports``/``certificates``/``results``/``kinds``;
- ``checks/`` imports no capability (no decision routine) and no CLI;
- capabilities import no CLI; they do not import each other, except ``butterfly`` → ``fsmf``
  (the tractable two-factor step) and ``sweep`` → any capability (it runs their checks);
- nothing but ``cli/`` and ``__main__`` imports ``cli``; nothing but ``cli/`` (``--plot``
  options) imports ``plot`` (pictures, above the capabilities: it may import the core,
  ``fsmf`` and ``butterfly``); ``display``
  (rich display in Jupyter) is core;
- no module imports another module's ``_private`` name;
- no module is over 600 lines.

At run time: importing ``exactsparse.checks`` and verifying one certificate of each kind, or
reading each kind back with ``Result.from_json``, in a fresh interpreter, loads no module of a
capability.
"""

from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PKG = ROOT / "exactsparse"
CORE = {"exceptions", "exact", "supports", "enumeration", "certificates", "fileio", "kinds",
        "results", "_budget", "display"}
CAPABILITIES = {"fsmf", "identifiability", "butterfly", "relu", "bilinear", "sweep",
                "examples", "plot"}
#: capability → capabilities it may import
#: ``plot`` is a presentation layer: it draws with the package's own loss (fsmf) and
#: Kronecker-sparse patterns (butterfly); no capability imports it.
ALLOWED_BETWEEN = {"butterfly": {"fsmf"}, "sweep": CAPABILITIES, "examples": {"fsmf"},
                   "plot": {"fsmf", "butterfly"}}
MAX_LINES = 600


def module_name(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules():
    return sorted(p for p in PKG.rglob("*.py"))


def imports_of(path):
    """``(imported module, imported name or None, line)`` for every import in ``path``,
    including imports inside functions; relative imports resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((a.name, None, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:
                out.append((mod, a.name, node.lineno))
    return out


def layer(mod):
    """The layer of an ``exactsparse`` module: ``core``, ``checks``, ``cli``, a capability
    name, or ``top`` (the package itself and ``__main__``)."""
    parts = mod.split(".")
    if parts[0] != "exactsparse":
        return None
    if len(parts) == 1 or parts[1] == "__main__":
        return "top"
    head = parts[1]
    if head in CORE:
        return "core"
    if head in ("checks", "cli"):
        return head
    if head in CAPABILITIES:
        return head
    return "unknown:" + head


def targets(path):
    """Imported exactsparse modules (a ``from pkg import submodule`` counts as the
    submodule) with the line."""
    out = []
    for mod, name, line in imports_of(path):
        if not mod.startswith("exactsparse"):
            continue
        full = f"{mod}.{name}" if name and (PKG / "/".join(
            f"{mod}.{name}".split(".")[1:])).with_suffix(".py").exists() or (
            name and (PKG.joinpath(*f"{mod}.{name}".split(".")[1:]) / "__init__.py").exists()) \
            else mod
        out.append((full, name, line))
    return out


def violations(path):
    """The layering rules broken by ``path``, as readable strings."""
    me = module_name(path)
    mine = layer(me)
    found = []
    for target, name, line in targets(path):
        theirs = layer(target)
        where = f"{me}:{line} imports {target}"
        if theirs == "cli" and mine not in ("cli", "top"):
            found.append(where + " (only cli/ and __main__ import the CLI)")
        if mine == "core" and theirs not in ("core",):
            found.append(where + " (core imports only core)")
        if me.startswith("exactsparse.exact") and target.split(".")[1] not in ("exceptions",
                                                                               "exact"):
            found.append(where + " (exact imports nothing of the package but exceptions)")
        if mine == "checks" and theirs not in ("core", "checks"):
            found.append(where + " (checkers import no decision routine)")
        if mine in CAPABILITIES and theirs in CAPABILITIES and theirs != mine \
                and theirs not in ALLOWED_BETWEEN.get(mine, ()):
            found.append(where + f" ({mine} does not import {theirs})")
        if mine in CAPABILITIES and theirs == "checks" and mine != "examples":
            found.append(where + " (a decision routine does not call a checker)")
        if theirs == "plot" and mine not in ("plot", "cli"):
            found.append(where + " (plot is the top presentation layer: only cli imports it)")
        if str(theirs).startswith("unknown"):
            found.append(where + " (module of no known layer: add it to the rules)")
        if name and name.startswith("_") and not name.startswith("__") and target != me:
            found.append(f"{me}:{line} imports the private name {name!r} from {target}")
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: module_name(p))
def test_layering(path):
    assert violations(path) == []


@pytest.mark.parametrize("path", modules(), ids=lambda p: module_name(p))
def test_module_size(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{module_name(path)} has {n} lines (at most {MAX_LINES})"


def test_rules_catch_a_forbidden_import(tmp_path, monkeypatch):
    """The analysis fails on each kind of forbidden import (the test can fail)."""
    cases = {
        "supports.py": "from .fsmf import solve_fsmf\n",
        "exact/matrices.py": "from ..supports import Support\n",
        "checks/fsmf.py": "from ..fsmf.solve import solve_fsmf\n",
        "fsmf/solve.py": "from ..cli import main\n",
        "fsmf/tractable.py": "from ..butterfly import butterfly_factorize\n",
        "identifiability/check.py": "from .witness import _private_helper\n",
        "butterfly/exact.py": "from ..plot import plot_support\n",
    }
    for rel, line in cases.items():
        fake = PKG / rel
        text = fake.read_text(encoding="utf-8") + "\n" + line
        probe = tmp_path / "probe.py"
        probe.write_text(text, encoding="utf-8")
        monkeypatch.setattr(pathlib.Path, "read_text",
                            lambda self, *a, _p=fake, _t=text, _orig=pathlib.Path.read_text,
                            **k: _t if self == _p else _orig(self, *a, **k))
        assert violations(fake), f"adding {line.strip()!r} to {rel} was not caught"
        monkeypatch.undo()


def _one_result_of_each_kind():
    """``kind -> (result JSON, instance)`` built by the decision routines (in this process)."""
    import exactsparse as es
    from exactsparse.kinds import KINDS
    A, I, J = [[1, 2], [3, 4]], "10/01", "10/01"
    six = ([[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001", "1010/1001/1100")
    made = {
        "fsmf.classify": (es.check_tractable(I, J), (I, J)),
        "fsmf.solve": (es.solve_fsmf(A, I, J), (A, I, J)),
        "fsmf.reduce": (es.check_reduction(A, I, J), (A, I, J)),
        "fsmf.certify": (es.certify_fsmf(A, I, J, budget=30), (A, I, J)),
        "fsmf.attainment": (es.check_attainment([[0, 1], [1, 0]], "10/11", "10/11",
                                                budget=30), ([[0, 1], [1, 0]], "10/11", "10/11")),
        "fsmf.spurious": (es.find_spurious_minima(*six, budget=60), six),
        "ident.check": (es.check_identifiable("11/11", "10/11/01"), ("11/11", "10/11/01")),
        "butterfly.identify": (es.identify_butterfly([[1, 1], [1, -1]]), [[1, 1], [1, -1]]),
        "bilinear.deconv": (es.check_deconv_pitfall([3, 0, 0, 4], ["3/5", "4/5"]),
                            ([3, 0, 0, 4], ["3/5", "4/5"])),
        "bilinear.counterexample": (es.random_counterexample(8, seed=0), None),
    }
    net = {"layers": [{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}]}
    net2 = {"layers": [{"W": [[3, 0], [2, -4]], "b": [-1, 2]}, {"W": [[-1, 1]], "b": [5]}]}
    shallow = {"layers": [{"W": [[1], [-1]], "b": [-1, -1]}, {"W": [[1, 1]], "b": [0]}]}
    made.update({
        "relu.pathlift": (es.path_lifting(net), net),
        "relu.canonical": (es.canonical_form(net), net),
        "relu.equivalent": (es.relu_equivalent(net, net2), (net, net2)),
        "relu.pathnorm": (es.path_norm(net, 2), net),
        "relu.local_ident": (es.local_identifiability(shallow, [[-3], [-2], [0], [2], [3]]),
                             (shallow, [[-3], [-2], [0], [2], [3]])),
        "relu.shallow": (es.shallow_identifiability(shallow, [["-5", "5"]]), shallow),
    })
    assert set(made) == set(KINDS), "a kind of the table has no example here: add one"
    return {k: (r.to_json(), inst) for k, (r, inst) in made.items()}


CHILD = r"""
import json, sys
import exactsparse.checks as checks
from exactsparse.certificates import Result
data = json.loads(sys.stdin.read())
out = {}
for kind, (text, instance) in data.items():
    r = Result.from_json(text)
    v = checks.verify(text, instance)
    out[kind] = [type(r).__name__, v.valid, v.message]
caps = ("fsmf", "identifiability", "butterfly", "relu", "bilinear", "sweep", "examples", "cli",
        "plot")
out["_loaded"] = sorted(m for m in sys.modules
                        if m.split(".")[0] == "exactsparse" and len(m.split(".")) > 1
                        and m.split(".")[1] in caps)
print(json.dumps(out))
"""


def test_verify_loads_no_capability():
    from exactsparse.kinds import KINDS
    data = _one_result_of_each_kind()
    proc = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(data), text=True,
                          capture_output=True, cwd=ROOT, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out.pop("_loaded") == []
    for kind, (cls, valid, message) in out.items():
        assert cls == KINDS[kind].result_class().__name__, kind
        assert valid, f"{kind}: {message}"


def test_import_checks_loads_no_capability():
    code = ("import sys, exactsparse.checks; print(sorted(m for m in sys.modules "
            "if m.startswith('exactsparse')))")
    proc = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True,
                          cwd=ROOT, timeout=120, check=True)
    loaded = eval(proc.stdout)          # noqa: S307 - a printed list of strings
    assert not [m for m in loaded if layer(m) not in ("core", "checks", "top")], loaded
