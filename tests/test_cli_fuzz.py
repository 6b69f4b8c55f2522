"""A seeded fuzz of the command line: malformed and adversarial arguments and files for every
command end in exit code 0, 1 or 2 (3 for ``verify --budget`` out of time) with at most a
one-line message, never a traceback, ``--json`` prints one JSON document on stdout, and a
result printed with ``--json`` re-checks as saved (exit 0).

Every command of the argparse tree must have an entry in :data:`COMMANDS` (a test fails
otherwise, naming it): to cover a new command, add one line there (valid calls; the fuzz
mutates them with the command's own options, read from the parser) and, if it runs long,
options in :data:`CAPS` that keep a call short.

The default run draws a few hundred calls; ``-m slow`` draws thousands.
"""

import argparse
import contextlib
import io
import json
import random
import signal
import time

import pytest

from exactsparse.cli import build_parser, main
from exactsparse.cli.payload import INSTANCE_FLAGS
from fuzz_harness import Hang, alarm_handler

#: command → valid calls.  Fixtures: {A} a 2×2 integer matrix, {S} a 2×2 support file, {H}
#: the 4×4 Hadamard matrix, {R} a saved butterfly result, {RF} a saved fsmf classify result
#: on ({S}, {S}), {RL} a saved relu local-ident result on ({NET}, {X}), {NET}/{NET2} two
#: equivalent networks, {X} samples, {x}/{h} a planted signal pair, {SW} a sweep folder,
#: {OUT} a scratch file, {OUTDIR} a scratch folder.
COMMANDS = {
    "fsmf classify": ["fsmf classify --left {S} --right {S}"],
    "fsmf solve": ["fsmf solve -A {A} --left {S} --right-rx {S}"],
    "fsmf reduce": ["fsmf reduce -A {A} -I {S} -J {S}"],
    "fsmf certify": ["fsmf certify -A {A} -I {S} -J {S} --budget 2"],
    "fsmf spurious": ["fsmf spurious -A {A} -I {S} -J {S} --starts 3 --budget 2"],
    "fsmf hardness": ["fsmf hardness --matrix {A} --mask 11/10",
                      "fsmf hardness --biclique 110/011"],
    "ident check": ["ident check --left {S} --right {S}"],
    "ident recover": ["ident recover --matrix {A} --left 1/1 --right 1/1"],
    "butterfly factorize": ["butterfly factorize --matrix {H} --quiet",
                            "butterfly factorize {H} --perm auto --out {OUT}",
                            "butterfly factorize {H} --tree (0,1) --quiet",
                            "butterfly factorize {H} --split-order 1 --quiet"],
    "butterfly identify": ["butterfly identify {H}", "butterfly identify --matrix {H} "
                                                     "--perm bitrev"],
    "butterfly verify": ["butterfly verify {R} --matrix {H}"],
    "butterfly design": ["butterfly design --matrix {H} --budget 16 --time-budget 2",
                         "butterfly design --matrix {H} --budget 64 --max-factors 2 --plot {OUT}"],
    "bilinear deconv": ["bilinear deconv --x {x} --h {h}",
                        "bilinear deconv --x 3,0,0,4 --h 3/5,4/5 --penalty lp --p 1/2",
                        "bilinear deconv --x {x} --h {h} --norm l1 --circular"],
    "bilinear counterexample": ["bilinear counterexample --length 8 --seed 0",
                                "bilinear counterexample --length 6 --sparsity 2 "
                                "--filter-length 2"],
    "relu pathlift": ["relu pathlift {NET}"],
    "relu canonical": ["relu canonical {NET} --norm linf"],
    "relu equivalent": ["relu equivalent {NET} {NET2}"],
    "relu pathnorm": ["relu pathnorm {NET} -q 1", "relu pathnorm {NET} -q 2.5"],
    "relu local-ident": ["relu local-ident {NET} --samples {X}"],
    "relu verify": ["relu verify {RL} {NET} --samples {X}"],
    "sweep run": ["sweep run --check identifiable --rows 2 --cols 2 --rank 1 --out {OUTDIR}",
                  "sweep run --check tractable -m 2 -n 3 -r 2 --out {OUTDIR} --stop"],
    "sweep report": ["sweep report {SW}"],
    "sweep export": ["sweep export {SW} --to {OUT}", "sweep export {SW} --to {OUT} "
                                                      "--format json"],
    "sweep count": ["sweep count --rows 3 --cols 3 --rank 2 --nondegenerate"],
    "sweep checks": ["sweep checks"],
    "verify": ["verify {R} --matrix {H}", "verify {RF} --left {S} --right {S} --budget 20"],
    "demo": ["demo --bogus"],
}
#: options appended to every call of a command (the last value wins): keep each call short
CAPS = {
    "fsmf certify": "--budget 2", "fsmf spurious": "--starts 3 --budget 2",
    "fsmf solve": "--restarts 3", "relu local-ident": "--budget 5",
    "bilinear deconv": "--budget 5", "sweep run": "--workers 1",
    "butterfly design": "--time-budget 2",
}
#: options never added by the fuzz (they start process pools or clusters, or lift a limit)
UNSAFE = {"--workers", "--scheduler", "--force", "--version"}
#: options whose value is a path the command writes: always a scratch path
WRITES = {"--out", "--to", "--plot"}
#: sizes of ``sweep run`` beyond this are reset to small ones (the size limit is tested in
#: test_sweep_exceptions; a big legal sweep is slow, not wrong)
MAX_SWEEP_SIZE = 3
FILE_TEXTS = ["1 2\n3 4\n", "1 0\n1 1\n", "10\n11\n", "x y\n", "", "1 2\n3\n", "1/0\n",
              "0.5 1e400\n", "[[1, 2], [3, 4]]", "{\"kind\": 1}", "nan 1\n", "1" * 5001 + "\n",
              "\xff\xfe", "[" * 5000, "1 1 1 1\n1 -1 1 -1\n1 1 -1 -1\n1 -1 -1 1\n",
              '{"kind": "fsmf.solve", "verdict": "optimal"}', "-1 2\n2 -1\n",
              '{"kind": [], "verdict": 1}', '{"result": {"kind": "ident.check"}}', "[{}]",
              '{"layers": [{"W": [[1.5, -2]], "b": [0.25]}]}',
              '{"layers": [{"W": [[1, 2], [3, 4]], "b": [0]}]}', '{"layers": []}',
              '{"inputs": 1, "nodes": [{"in": [0], "w": [2]}]}',
              '{"result": {"kind": "relu.pathlift", "verdict": "computed"}}',
              "3 0 0 4\n", "3/5\n4/5\n", "0 0\n"]
VALUES = ["1", "11/11", "10/11", "12/10", "", "/", "-1", "0", "1e999", "nan", "abc", "bitrev",
          "auto", "left", "2", "8", "10" * 20, "\x00", "1;1", "1/1/1/1", "l1", "linf", "lp",
          "tv", "always", "never", "1/2", "3,0,0,4", "0,0", "1e-3", "2.5", "identifiable",
          "tractable", "csv", "json", "inf", "((0,1),2)", "(0,1)", "[[0,1],[2,3]]", "2,1,3",
          "((0,1)", "(" * 200 + "0" + ",1)" * 200]


def command_parsers(parser=None, prefix=()):
    """``{"group command": its parser}`` for every leaf command of the argparse tree."""
    parser = build_parser() if parser is None else parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            out = {}
            for name, sub in action.choices.items():
                out.update(command_parsers(sub, prefix + (name,)))
            return out
    return {" ".join(prefix): parser}


def command_options(parser):
    return sorted({s for a in parser._actions for s in a.option_strings
                   if s not in UNSAFE and s != "--help"})


def test_every_command_has_a_generator():
    found = set(command_parsers())
    missing = sorted(found - set(COMMANDS))
    assert not missing, f"commands without a fuzz generator in COMMANDS: {missing}"
    assert not sorted(set(COMMANDS) - found), "COMMANDS names a command that does not exist"


def _argv(rng, command, options, files, named):
    argv = rng.choice(COMMANDS[command]).format(**named).split()
    start = len(command.split())
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        what, k = rng.random(), rng.randrange(len(argv))
        if what < 0.5 and k >= start:                       # replace a token
            argv[k] = rng.choice(files + VALUES + options)
        elif what < 0.7 and k >= start:                     # drop a token
            del argv[k]
        else:                                               # add an option (maybe foreign)
            opt = rng.choice(options if rng.random() < 0.85 else _ALL_OPTIONS)
            argv.append(opt)
            if rng.random() < 0.8:
                argv.append(rng.choice(files + VALUES))
    if rng.random() < 0.7:
        argv.append("--json")
    argv += CAPS.get(command, "").split()
    for k in range(1, len(argv)):                           # never write over a fixture
        if argv[k - 1] in WRITES:
            argv[k] = named["OUTDIR" if command == "sweep run" else "OUT"]
    if command == "sweep run":
        _small_sweep(argv)
    return argv


def _small_sweep(argv):
    for k in range(len(argv) - 1):
        if argv[k] in ("--rows", "-m", "--cols", "-n", "--rank", "-r"):
            try:
                big = int(argv[k + 1]) > MAX_SWEEP_SIZE
            except ValueError:
                big = False
            if big:
                argv[k + 1] = "2"


_ALL_OPTIONS = []
#: kind → how many saved --json outputs of that kind were re-checked in this session
REVERIFIED = {}


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    assert code == 0, (argv, code, err.getvalue())
    return out.getvalue()


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli_fuzz")
    files = []
    for k, text in enumerate(FILE_TEXTS):
        path = tmp / f"f{k}.txt"
        path.write_bytes(text.encode("utf-8", "surrogateescape") if text != "\xff\xfe"
                         else b"\xff\xfe")
        files.append(str(path))
    (tmp / "f.json").write_text("[[1, \"1/2\"], [2, 1]]")
    net = {"layers": [{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}]}
    other = {"layers": [{"W": [[3, 0], [2, -4]], "b": [-1, 2]}, {"W": [[-1, 1]], "b": [5]}]}
    named = {"A": files[0], "S": files[2], "H": files[14], "x": files[25], "h": files[26],
             "OUT": str(tmp / "out.txt"), "OUTDIR": str(tmp / "outdir"),
             "NET": str(tmp / "net.json"), "NET2": str(tmp / "net2.json"),
             "X": str(tmp / "X.txt"), "SW": str(tmp / "sweep")}
    (tmp / "net.json").write_text(json.dumps(net))
    (tmp / "net2.json").write_text(json.dumps(other))
    (tmp / "X.txt").write_text("2 1\n-1 3\n1 2\n3 -2\n0 5\n")
    from exactsparse.butterfly import identify_butterfly
    from exactsparse.fsmf import check_tractable
    H = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]
    for key, text in (("R", identify_butterfly(H).to_json()),
                      ("RF", check_tractable([[1, 0], [1, 1]], [[1, 0], [1, 1]]).to_json()),
                      ("RL", _run(["relu", "local-ident", named["NET"], "--samples",
                                   named["X"], "--json"]))):
        (tmp / f"{key}.json").write_text(text)
        named[key] = str(tmp / f"{key}.json")
    _run(["sweep", "run", "--check", "identifiable", "--rows", "2", "--cols", "2", "--rank",
          "1", "--out", named["SW"], "--workers", "1"])
    files += [str(tmp / "f.json"), str(tmp), named["R"], named["RF"], named["RL"],
              named["NET"], named["NET2"], named["X"], named["SW"]]
    return files, named


def _fuzz(capsys, fixtures, n, seed, limit=60.0):
    rng = random.Random(seed)
    files, named = fixtures
    parsers = command_parsers()
    options = {c: command_options(p) for c, p in parsers.items()}
    _ALL_OPTIONS[:] = sorted({o for opts in options.values() for o in opts})
    names = sorted(COMMANDS)
    codes, failures, slowest = {}, [], (0.0, None)
    with alarm_handler():
        for _ in range(n):
            command = rng.choice(names)
            argv = _argv(rng, command, options[command], files, named)
            if command == "demo" and "--bogus" not in argv and "-h" not in argv:
                continue                                      # demo: its own tests
            t0 = time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code
            except Hang:
                code = "hung"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            slowest = max(slowest, (time.monotonic() - t0, argv), key=lambda t: t[0])
            out = capsys.readouterr()
            failures += _check(argv, code, out, capsys, named)
            codes[code] = codes.get(code, 0) + 1
    print("exit codes:", codes, "re-verified:", REVERIFIED,
          "slowest call: %.1f s" % slowest[0], slowest[1])
    assert not failures, "\n".join(failures[:20])
    return codes


def _check(argv, code, out, capsys, named):
    verifying = argv[0] == "verify" or argv[1:2] == ["verify"]
    allowed = (0, 1, 2, 3) if verifying and "--budget" in argv else (0, 1, 2)
    if code not in allowed:
        return [f"{argv}: exit code {code}: {out.err[-300:]}"]
    if "Traceback" in out.err:
        return [f"{argv}: traceback: {out.err[-500:]}"]
    lines = [line for line in out.err.strip().split("\n") if line and not line.startswith("\r")]
    if code == 1 and len([x for x in lines if "error" in x]) > 1:
        return [f"{argv}: more than one error line: {out.err[-500:]}"]
    helped = out.out.startswith("usage:")                 # -h, or --he for --help
    if code != 0 or "--json" not in argv or helped:
        return []
    try:
        data = json.loads(out.out)
    except json.JSONDecodeError:
        return [f"{argv}: --json printed no JSON document: {out.out[:300]!r}"]
    if isinstance(data, dict) and isinstance(data.get("result"), dict) and not verifying:
        return _reverify(capsys, argv, out.out, data["result"].get("kind"), named)
    return []


def _verify_argv(argv, saved, kind):
    """The ``verify`` call that re-checks the saved output of ``argv`` (None: skip)."""
    from exactsparse.cli.common import matrix_path
    args, _ = build_parser().parse_known_args(argv)
    if isinstance(kind, str) and kind.startswith("relu."):
        if getattr(args, "exact_floats", False):
            return None                   # relu verify reads the network as written
        out = ["relu", "verify", saved, args.net]
        if getattr(args, "other", None):
            out.append(args.other)
        if getattr(args, "samples", None):
            out += ["--samples", args.samples]
        return out
    if kind == "fsmf.solve" and args.numeric:
        return None                       # a float instance, re-read exactly
    values = {"--matrix": matrix_path(args) if hasattr(args, "matrix") else None,
              "--left": getattr(args, "left", None), "--x": getattr(args, "x", None),
              "--h": getattr(args, "h", None), "--perm": getattr(args, "perm", None),
              "--cyclotomic": getattr(args, "cyclotomic", None)}
    out = ["verify", saved]
    for flag in INSTANCE_FLAGS.get(kind, ()):
        if flag == "--right":
            out += (["--right", args.right] if args.right is not None
                    else ["--right-rx", args.right_rx])
        else:
            out += [flag, str(values[flag])]
    if kind == "butterfly.identify":
        for flag in ("--perm", "--cyclotomic"):
            if values[flag] is not None:
                out += [flag, str(values[flag])]
    return out


def _reverify(capsys, argv, text, kind, named):
    saved = named["OUT"] + ".saved.json"
    with open(saved, "w", encoding="utf-8") as fh:
        fh.write(text)
    call = _verify_argv(argv, saved, kind)
    if call is None:
        return []
    try:
        code = main(call)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    if code != 0:
        return [f"{argv}: its saved --json does not verify ({call}): {code} "
                f"{out.out[-300:]} {out.err[-300:]}"]
    REVERIFIED[kind] = REVERIFIED.get(kind, 0) + 1
    return []


def test_cli_fuzz(capsys, fixtures):
    REVERIFIED.clear()
    codes = _fuzz(capsys, fixtures, 400, seed=1)
    assert codes.get(0, 0) > 50 and codes.get(1, 0) > 20 and codes.get(2, 0) > 50, codes
    assert len(REVERIFIED) >= 10, REVERIFIED         # saved results of many kinds re-checked


@pytest.mark.slow
def test_cli_fuzz_long(capsys, fixtures):
    codes = _fuzz(capsys, fixtures, 3000, seed=2)
    assert sum(codes.values()) > 2500
