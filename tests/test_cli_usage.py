"""The command line explains itself: help for every group and option, usage errors (exit 2)
that name the offending option, one argument style, ``verify`` exit codes, ``demo`` output
as it goes, and payloads that hold the result once."""

import argparse
import json

import numpy as np
import pytest

from exactsparse.cli import build_parser, dumps, main
from exactsparse.cli.payload import CONTRACT, INSTANCE_FLAGS, payload
from exactsparse.kinds import KINDS

H4 = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]


def _parsers(parser, path=("exactsparse",)):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, path + (name,))


def usage_error(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_every_group_has_a_description_and_every_option_a_help_line():
    seen = 0
    for path, p in _parsers(build_parser()):
        assert p.description, " ".join(path)
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (path, action.dest)
            seen += 1
    assert seen > 60


@pytest.mark.parametrize("argv, needle", [
    (["fsmf", "solve", "-A", "x", "-I", "1", "-J", "1", "--restarts", "-1"],
     "--restarts: must be an integer in [0, 10000]"),
    (["fsmf", "spurious", "-A", "x", "-I", "1", "-J", "1", "--starts", "0"],
     "--starts: must be an integer >= 1"),
    (["fsmf", "certify", "-A", "x", "-I", "1", "-J", "1", "--budget", "nan"],
     "--budget: must be a positive finite number"),
    (["fsmf", "classify", "--left", "12/10", "--right", "1/1"],
     "argument --left: '12/10' is neither a file nor an inline support (rows of 0/1 "
     "separated by /)"),
    (["fsmf", "classify", "--left", "1", "--right-rx", "2"],
     "argument --right-rx: '2' is neither a file nor an inline support"),
    (["fsmf", "classify", "--left", "10/1", "--right", "10/11"],
     "argument --left: '10/1' has rows of different lengths [2, 1]"),
])
def test_usage_errors_exit_2(capsys, argv, needle):
    assert needle in usage_error(capsys, argv)


def test_unknown_flag_shows_the_subcommands_usage(capsys):
    err = usage_error(capsys, ["fsmf", "classify", "--left", "1", "--right", "1", "--bogus"])
    assert err.startswith("usage: exactsparse fsmf classify")
    assert "unrecognized arguments: --bogus" in err


@pytest.mark.parametrize("flag", ["--matrix", "--left"])
def test_a_directory_as_input_is_a_one_line_error(capsys, tmp_path, flag):
    (tmp_path / "A.txt").write_text("1\n")
    argv = {"--matrix": ["fsmf", "solve", "--matrix", str(tmp_path), "-I", "1", "-J", "1"],
            "--left": ["fsmf", "solve", "--matrix", str(tmp_path / "A.txt"), "--left",
                       str(tmp_path), "-J", "1"]}[flag]
    err = usage_error(capsys, argv)
    assert f"argument {flag}: {str(tmp_path)!r} is a directory, not a file" in err
    assert sum("error" in ln for ln in err.splitlines()) == 1


def test_butterfly_takes_matrix_option_or_positional(capsys, tmp_path):
    path = tmp_path / "H.txt"
    path.write_text("\n".join(" ".join(map(str, r)) for r in H4) + "\n")
    outs = []
    for argv in (["butterfly", "identify", "--matrix", str(path), "--json"],
                 ["butterfly", "identify", "-A", str(path), "--json"],
                 ["butterfly", "identify", str(path), "--json"]):
        assert main(argv) == 0
        outs.append(json.loads(capsys.readouterr().out))
    assert outs[0] == outs[1] == outs[2] and outs[0]["verdict"] == "butterfly"
    err = usage_error(capsys, ["butterfly", "identify", str(path), "--matrix", "other.txt"])
    assert "the matrix is given twice" in err
    err = usage_error(capsys, ["butterfly", "factorize"])
    assert "required: --matrix" in err
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(outs[0]))
    for argv in (["butterfly", "verify", str(saved), str(path)],
                 ["butterfly", "verify", str(saved), "--matrix", str(path)],
                 ["verify", str(saved), "--matrix", str(path)]):
        assert main(argv) == 0 and capsys.readouterr().out.startswith("valid:")
    other = tmp_path / "H2.txt"
    other.write_text("\n".join(" ".join(map(str, r)) for r in np.array(H4) * 2) + "\n")
    assert main(["butterfly", "verify", str(saved), "--matrix", str(other)]) == 1
    assert capsys.readouterr().out.startswith("INVALID: ")


def test_factorize_warns_when_not_a_butterfly_under_the_permutation(capsys, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "R.npy"
    np.save(path, rng.standard_normal((8, 8)))
    assert main(["butterfly", "factorize", "--matrix", str(path), "--perm", "bitrev",
                 "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "not (numerically) a butterfly product under --perm bitrev; try --perm auto" in err
    np.save(path, np.array(H4, dtype=float))
    assert main(["butterfly", "factorize", str(path), "--quiet"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_verify_names_the_missing_instance_options(capsys, tmp_path):
    assert main(["fsmf", "solve", "-A", _matrix(tmp_path), "-I", "1/1", "-J", "1/1",
                 "--json"]) == 0
    saved = tmp_path / "s.json"
    saved.write_text(capsys.readouterr().out)
    err = usage_error(capsys, ["verify", str(saved)])
    assert "a fsmf.solve result is checked against its instance --matrix --left --right: " \
           "missing --matrix --left --right (or --right-rx)" in err
    err = usage_error(capsys, ["verify", str(saved), "--left", "1/1", "--right", "1/1"])
    assert "missing --matrix" in err and "--left" not in err.split("missing")[1]
    err = usage_error(capsys, ["verify", str(saved), "-A", _matrix(tmp_path), "--left", "1/1",
                               "--right", "1/1", "--perm", "bitrev"])
    assert "--perm is not part of a fsmf.solve instance" in err
    assert main(["verify", str(saved), "-A", _matrix(tmp_path), "--left", "1/1",
                 "--right-rx", "11"]) == 0


def _matrix(tmp_path):
    path = tmp_path / "A.txt"
    path.write_text("1 2\n3 4\n")
    return str(path)


def test_verify_refuses_a_file_without_result(capsys, tmp_path):
    saved = tmp_path / "x.json"
    saved.write_text(json.dumps({"X": [["1"]], "Y": [["2"]]}))      # ident recover output
    assert main(["verify", str(saved), "--json"]) == 1
    d = json.loads(capsys.readouterr().out)
    assert d["valid"] is False and "holds no result" in d["message"]
    saved.write_text("{not json")
    assert main(["verify", str(saved)]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_demo_prints_each_example_as_it_finishes(capsys, monkeypatch):
    import exactsparse.examples as examples
    real = examples.iter_demo
    order = []

    def spy(exs=examples.EXAMPLES[:2]):
        for k, row in enumerate(real(exs)):
            if k:                              # the previous example is already printed
                order.append(capsys.readouterr().out)
            yield row
    monkeypatch.setattr(examples, "iter_demo", spy)
    assert main(["demo"]) == 0
    last = capsys.readouterr().out
    assert order and order[0].startswith(f"== {examples.EXAMPLES[0].name}:")
    assert last.startswith(f"== {examples.EXAMPLES[1].name}:")


def test_payload_holds_the_result_once_and_contract_rows_are_kinds():
    from exactsparse import check_tractable
    r = check_tractable("10/10/11", "11/11/11")
    d = payload(r)
    assert d["result"] == json.loads(r.to_json())
    text = dumps(d)
    assert json.loads(text) == d
    assert text.count('"result"') == 1 and len(text.splitlines()) < 60
    assert set(CONTRACT) <= set(KINDS) and set(INSTANCE_FLAGS) <= set(KINDS)


def test_int_tuple_is_public_and_the_old_name_stays():
    from exactsparse import examples
    assert examples.int_tuple(np.array([[1.0, 0.0]])) == ((1, 0),)
    assert examples._t is examples.int_tuple


def test_no_traceback_on_an_unexpected_error(capsys, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("1" * 5001 + "\n")                      # beyond Python's int-string limit
    code = main(["fsmf", "solve", "-A", str(big), "-I", "1", "-J", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_float_instance_of_exact_commands_gets_command_line_advice(tmp_path, capsys):
    """`exactsparse verify` re-checks in exact arithmetic: a float .npy instance is refused
    (exit 1, a typed error) naming the file, the flag and the exact formats, not Python's
    exact.from_float; so do the other exact commands."""
    import numpy as np

    from exactsparse.cli import main
    H = np.array([[1, 1], [1, -1]])
    (tmp_path / "H.txt").write_text("1 1\n1 -1\n")
    assert main(["butterfly", "identify", str(tmp_path / "H.txt"), "--json"]) == 0
    (tmp_path / "r.json").write_text(capsys.readouterr().out)
    np.save(tmp_path / "Hf.npy", H.astype(float))
    assert main(["verify", str(tmp_path / "r.json"), "--matrix", str(tmp_path / "Hf.npy")]) == 1
    err = capsys.readouterr().err
    assert "--matrix" in err and "integer .npy" in err and "from_float" not in err
    assert main(["verify", str(tmp_path / "r.json"), "--matrix", str(tmp_path / "H.txt")]) == 0
    A = np.array([[1.0, 2.0], [np.nan, 4.0]])
    np.save(tmp_path / "Af.npy", A)
    for argv in (["fsmf", "certify"], ["fsmf", "reduce"], ["fsmf", "spurious"],
                 ["ident", "recover"]):
        assert main([*argv, "--matrix", str(tmp_path / "Af.npy"), "--left", "10/01",
                     "--right", "10/01"]) == 1
        err = capsys.readouterr().err
        assert "(--matrix)" in err and "nan at row 1, column 0" in err, err
        assert "from_float" not in err
