"""A seeded fuzz of the command line: malformed and adversarial arguments and files for every
command end in exit code 0, 1 or 2 with at most a one-line message, never a traceback, and a
result printed with ``--json`` re-checks as saved (exit 0).

The default run draws a few hundred calls; ``-m slow`` draws thousands.
"""

import json
import random

import pytest

from exactsparse.cli import main

#: a valid call of every command ({A}: a 2×2 integer matrix, {S}: a 2×2 support file,
#: {H}: the 4×4 Hadamard matrix, {R}: a saved result); the fuzz mutates them
TEMPLATES = [
    "fsmf classify --left {S} --right {S}", "fsmf solve -A {A} --left {S} --right-rx {S}",
    "fsmf reduce -A {A} -I {S} -J {S}", "fsmf certify -A {A} -I {S} -J {S} --budget 2",
    "fsmf spurious -A {A} -I {S} -J {S} --starts 3 --budget 2",
    "fsmf hardness --matrix {A} --mask 11/10", "fsmf hardness --biclique 110/011",
    "ident check --left {S} --right {S}", "ident recover --matrix {A} --left 1/1 --right 1/1",
    "butterfly factorize --matrix {H} --quiet", "butterfly identify {H}",
    "butterfly verify {R} --matrix {H}", "verify {R} --matrix {H}", "demo --bogus",
]
OPTIONS = ["--matrix", "-A", "--left", "--right", "--right-rx", "--mask", "--biclique",
           "--perm", "--cyclotomic", "--restarts", "--starts", "--budget", "--seed", "--tree",
           "--scaling", "--out", "--numeric", "--json", "--quiet", "--bogus", "-h"]
FILE_TEXTS = ["1 2\n3 4\n", "1 0\n1 1\n", "10\n11\n", "x y\n", "", "1 2\n3\n", "1/0\n",
              "0.5 1e400\n", "[[1, 2], [3, 4]]", "{\"kind\": 1}", "nan 1\n", "1" * 5001 + "\n",
              "\xff\xfe", "[" * 5000, "1 1 1 1\n1 -1 1 -1\n1 1 -1 -1\n1 -1 -1 1\n",
              '{"kind": "fsmf.solve", "verdict": "optimal"}', "-1 2\n2 -1\n",
              '{"kind": [], "verdict": 1}', '{"result": {"kind": "ident.check"}}', "[{}]"]
VALUES = ["1", "11/11", "10/11", "12/10", "", "/", "-1", "0", "1e999", "nan", "abc", "bitrev",
          "auto", "left", "2", "8", "10" * 20, "\x00", "1;1", "1/1/1/1"]


def _argv(rng, files, named):
    argv = rng.choice(TEMPLATES).format(**named).split()
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        what, k = rng.random(), rng.randrange(len(argv))
        if what < 0.5 and k >= 2:                           # replace a token
            argv[k] = rng.choice(files + VALUES + OPTIONS)
        elif what < 0.7 and k >= 2:                         # drop a token
            del argv[k]
        else:                                               # add an option
            opt = rng.choice(OPTIONS)
            argv.append(opt)
            if opt == "--out":
                argv.append(named["out"])
            elif opt not in ("--numeric", "--json", "--quiet", "-h"):
                argv.append(rng.choice(files + VALUES))
    if rng.random() < 0.5:
        argv.append("--json")
    if argv[1:2] == ["certify"]:
        argv += ["--budget", "2"]                           # the last value wins
    if argv[1:2] == ["spurious"]:
        argv += ["--starts", "3", "--budget", "2"]
    if argv[1:2] == ["solve"]:
        argv += ["--restarts", "3"]
    return argv


def _files(tmp_path):
    out = []
    for k, text in enumerate(FILE_TEXTS):
        path = tmp_path / f"f{k}.txt"
        path.write_bytes(text.encode("utf-8", "surrogateescape") if text != "\xff\xfe"
                         else b"\xff\xfe")
        out.append(str(path))
    json_path = tmp_path / "f.json"
    json_path.write_text("[[1, \"1/2\"], [2, 1]]")
    out += [str(json_path), str(tmp_path)]                    # a directory too
    from exactsparse.butterfly import identify_butterfly
    result = tmp_path / "r.json"
    H = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]
    result.write_text(identify_butterfly(H).to_json())
    named = {"A": out[0], "S": out[2], "H": out[14], "R": str(result),
             "out": str(tmp_path / "out.json")}
    return out + [str(result)], named


def _fuzz(capsys, tmp_path, n, seed):
    rng = random.Random(seed)
    files, named = _files(tmp_path)
    codes = {}
    for _ in range(n):
        argv = _argv(rng, files, named)
        if argv[0] == "demo" and "--bogus" not in argv and "-h" not in argv:
            continue                                          # demo: its own tests
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr()
        assert code in (0, 1, 2), (argv, code, out.err)
        assert "Traceback" not in out.err, (argv, out.err)
        if code == 1:
            assert len(out.err.strip().splitlines()) <= 1 or not out.err, (argv, out.err)
        codes[code] = codes.get(code, 0) + 1
        if code == 0 and "--json" in argv and "-h" not in argv and argv[0] != "verify":
            data = json.loads(out.out)
            if isinstance(data, dict) and "result" in data:
                _reverify(capsys, tmp_path, argv, out.out)
    return codes


def _reverify(capsys, tmp_path, argv, text):
    saved = tmp_path / "saved.json"
    saved.write_text(text)
    inst, k = [], 2 if argv[0] != "verify" else 1
    pos = None
    while k < len(argv):
        if argv[k] in ("--matrix", "-A", "--left", "-I", "--right", "-J", "--right-rx",
                       "--perm", "--cyclotomic") and k + 1 < len(argv):
            inst += [argv[k], argv[k + 1]]
            k += 2
        elif argv[k].startswith("-"):
            k += 1 if argv[k] in ("--numeric", "--json", "--quiet") else 2
        else:
            pos = argv[k]
            k += 1
    if argv[0] == "butterfly" and pos is not None and "--matrix" not in inst \
            and "-A" not in inst:
        inst += ["--matrix", pos]
    if "-A" in inst and "--matrix" in inst:
        return                                                # the matrix given twice
    if argv[1] == "solve" and "--numeric" in argv:
        return                                                # a float instance, re-read exactly
    code = main(["verify", str(saved), *inst])
    out = capsys.readouterr()
    assert code == 0, (argv, inst, out.out, out.err)


def test_cli_fuzz(capsys, tmp_path):
    codes = _fuzz(capsys, tmp_path, 300, seed=1)
    print("exit codes:", codes)
    assert codes.get(0, 0) > 50 and codes.get(1, 0) > 20 and codes.get(2, 0) > 50, codes


@pytest.mark.slow
def test_cli_fuzz_long(capsys, tmp_path):
    codes = _fuzz(capsys, tmp_path, 3000, seed=2)
    assert sum(codes.values()) > 2500
