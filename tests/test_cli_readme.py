"""Every command of the README's "Command line" block runs as written, and the saved
``--json`` output of every command is re-checked by ``exactsparse verify`` (exit 0), except
the three commands that certify nothing, whose output ``verify`` refuses by name (exit 1).

The instance files are chosen so that every line applies: ``A`` is the spec's
complete-class example, ``(I, J)`` a pair that is both tractable (disjoint) and
identifiable, ``Z = X Yᵀ`` with supports exactly ``(I, J)``, ``H`` the 4×4 Hadamard matrix
written by hand (``H16`` = H ⊗ H, 16×16, for the tree of ``--tree``).
"""

import json
import pathlib
import re
import shlex

import numpy as np
import pytest

from exactsparse.cli import main

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
NO_CERTIFICATE = {("fsmf", "hardness"), ("ident", "recover"), ("butterfly", "factorize"),
                  ("butterfly", "design"),
                  ("sweep", "run"), ("sweep", "report")}
INSTANCE_OPTIONS = {"--matrix", "-A", "--left", "-I", "--right", "-J", "--right-rx",
                    "--perm", "--row-perm", "--cyclotomic", "--x", "--h"}
H4 = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]


def readme_commands():
    """The command lines of the first ``bash`` block of the "Command line" section."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Command line"):]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def _write(path, rows):
    path.write_text("\n".join(" ".join(str(v) for v in r) for r in rows) + "\n")


@pytest.fixture
def files(tmp_path, monkeypatch):
    _write(tmp_path / "A.txt", [[1, 2, 0], [0, 1, 3], [5, -2, 7]])
    _write(tmp_path / "I.txt", [[1, 0], [1, 0], [0, 1]])
    _write(tmp_path / "J.txt", [[1, 0], [1, 1], [0, 1]])
    _write(tmp_path / "M.txt", [[1, 1, 0], [0, 1, 1], [1, 0, 1]])
    # X = [[1, 0], [2, 0], [0, 3]], Y = [[1, 0], [2, 5], [0, 1]]: Z = X Yᵀ by hand
    _write(tmp_path / "Z.txt", [[1, 2, 0], [2, 4, 0], [0, 15, 3]])
    _write(tmp_path / "H.txt", H4)
    np.save(tmp_path / "H.npy", np.array(H4, dtype=float))
    np.save(tmp_path / "H16.npy", np.kron(H4, H4).astype(float))   # K = 4 factors: any tree
    np.save(tmp_path / "DFT.npy", np.fft.fft(np.eye(16)))     # a butterfly after bit reversal
    _write(tmp_path / "x.txt", [[3, 0, 0, 4]])          # the spec's planted pair
    net = {"layers": [{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}]}
    # the same network with its hidden neurons swapped and one rescaled by 2, by hand
    other = {"layers": [{"W": [[3, 0], [2, -4]], "b": [-1, 2]}, {"W": [[-1, 1]], "b": [5]}]}
    for name, data in (("NET.json", net), ("A.json", net), ("B.json", other)):
        (tmp_path / name).write_text(json.dumps(data))
    _write(tmp_path / "X.txt", [[2, 1], [-1, 3], [1, 2], [3, -2], [0, 5]])   # off the kinks
    _write(tmp_path / "h.txt", [["3/5", "4/5"]])
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(capsys, argv):
    code = main(argv)
    return code, capsys.readouterr().out


def _split(line):
    """``(argv, redirect file or None, chained argv or None)`` of one README line."""
    chained = None
    if "&&" in line:
        line, rest = line.split("&&", 1)
        chained = shlex.split(rest)
    redirect = None
    if ">" in line:
        line, redirect = line.split(">", 1)
        redirect = redirect.strip()
    argv = shlex.split(line)
    assert argv[0] == "exactsparse", line
    return argv[1:], redirect, chained


def _instance_options(argv):
    out, it = [], iter(range(len(argv)))
    for k in it:
        if argv[k] in INSTANCE_OPTIONS and k + 1 < len(argv):
            out += [argv[k], argv[k + 1]]
            next(it)
    return out


def test_readme_block_lists_every_command():
    seen = {tuple(a for a in shlex.split(line)[1:3] if not a.startswith("-"))
            for line in readme_commands()}
    assert {("fsmf", c) for c in ("classify", "solve", "reduce", "certify", "spurious",
                                  "hardness")} <= seen
    assert {("ident", "check"), ("ident", "recover"), ("butterfly", "factorize"),
            ("butterfly", "identify"), ("butterfly", "verify"), ("verify",),
            ("demo",)} <= {s[:2] if s[0] != "verify" and s[0] != "demo" else s[:1]
                           for s in seen}


def test_every_readme_command_runs_and_its_json_verifies(capsys, files):
    checked = []
    for line in readme_commands():
        argv, redirect, chained = _split(line)
        code, out = _run(capsys, argv)
        assert code == 0, (line, out)
        if chained is not None:
            assert chained[0] == "echo"          # `verify ... && echo valid`
        if redirect:
            (files / redirect).write_text(out)
        if "--json" not in argv:
            continue
        data = json.loads(out)
        saved = files / f"saved_{len(checked)}.json"
        saved.write_text(out)
        command = tuple(argv[:2])
        if command == ("demo", "--json"):
            code, vout = _run(capsys, ["verify", str(saved)])
            assert code == 0 and "INVALID" not in vout, vout
        elif argv[0] == "relu":                  # re-checked against its network(s)
            nets = [a for a in argv[2:] if a.endswith(".json")]
            extra = argv[argv.index("--samples"):argv.index("--samples") + 2] \
                if "--samples" in argv else []
            code, vout = _run(capsys, ["relu", "verify", str(saved), *nets, *extra, "--json"])
            assert code == 0 and json.loads(vout)["valid"] is True, (line, vout)
        elif command in NO_CERTIFICATE:
            assert "result" not in data
            code, vout = _run(capsys, ["verify", str(saved)])
            assert code == 1 and "holds no result" in vout, (line, vout)
        else:
            result = data["result"]
            assert {k: data[k] for k in ("kind", "verdict", "theorem", "backend")} == \
                {k: result[k] for k in ("kind", "verdict", "theorem", "backend")}
            code, vout = _run(capsys, ["verify", str(saved), *_instance_options(argv),
                                       "--json"])
            assert code == 0 and json.loads(vout)["valid"] is True, (line, vout)
        checked.append(command)
    assert len(checked) >= 12, checked


def test_readme_json_keys_table_is_honoured(capsys, files):
    """The keys of the README's JSON table, command by command, on the README's lines."""
    text = README.read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `([a-z ]+)` \| (.*) \|$", text, re.M))
    for line in readme_commands():
        argv, _, _ = _split(line)
        name = " ".join(argv[:2])
        if "--json" not in argv or name not in table:
            continue
        # top-level keys: the backticked names outside parentheses (which list values or
        # nested keys), before a ";" (which introduces keys of another option)
        top = set(re.findall(r"`([a-zA-Z_0-9]+)`",
                             re.sub(r"\([^)]*\)", "", table[name].split(";")[0])))
        _, out = _run(capsys, argv)
        data = json.loads(out)
        assert top <= set(data), (name, top - set(data))
