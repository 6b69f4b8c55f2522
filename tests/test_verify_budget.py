"""``verify(..., budget=)`` and ``exactsparse verify --budget``: a check that runs past its
budget is stopped and reported as UNKNOWN (neither valid nor invalid; exit code 3)."""

import json
import time

import pytest

import exactsparse as es
import exactsparse.checks.fsmf as checks_fsmf
from exactsparse.checks import VERIFY_STATUSES, Verification, verify
from exactsparse.cli import main
from exactsparse.cli.verify import EXIT_UNKNOWN
from exactsparse.exceptions import BudgetError
from exactsparse.fsmf import check_tractable

I, J = "11/01", "10/11"


def _slow_check(result, instance):
    time.sleep(30)
    return "never"


@pytest.fixture
def result():
    return check_tractable(I, J)


def test_within_budget_valid_and_invalid(result):
    v = verify(result, (I, J), budget=30)
    assert v.valid and v.status == "valid" and not v.unknown and v
    bad = verify(result, ("11/11", J), budget=30)
    assert not bad.valid and bad.status == "invalid"
    assert bad.message.startswith("invalid certificate")
    # the same outcome as without a budget (in-process)
    assert bad.message == verify(result, ("11/11", J)).message


def test_budget_runs_out_is_unknown(result, monkeypatch):
    monkeypatch.setattr(checks_fsmf, "check_classify", _slow_check)
    t0 = time.monotonic()
    v = verify(result, (I, J), budget=0.5)
    assert time.monotonic() - t0 < 10
    assert v.status == "unknown" and v.unknown and not v.valid and not v
    assert v.message.startswith("unknown") and "0.5 s" in v.message
    assert v.kind == "fsmf.classify"


@pytest.mark.parametrize("budget", [0, -1, float("nan"), "1", True])
def test_bad_budget_is_typed(result, budget):
    with pytest.raises(BudgetError):
        verify(result, (I, J), budget=budget)


def test_status_default_and_statuses():
    assert Verification(True, "ok", "k").status == "valid"
    assert Verification(False, "no", "k").status == "invalid"
    assert set(VERIFY_STATUSES) == {"valid", "invalid", "unknown"}
    assert es.verify is verify


def _saved(tmp_path, result):
    path = tmp_path / "r.json"
    path.write_text(result.to_json())
    return str(path)


def test_cli_budget_exit_codes(tmp_path, result, capsys, monkeypatch):
    path = _saved(tmp_path, result)
    assert main(["verify", path, "--left", I, "--right", J, "--budget", "30"]) == 0
    assert main(["verify", path, "--left", "11/11", "--right", J, "--budget", "30"]) == 1
    capsys.readouterr()
    monkeypatch.setattr(checks_fsmf, "check_classify", _slow_check)
    code = main(["verify", path, "--left", I, "--right", J, "--budget", "0.3", "--json"])
    out = capsys.readouterr()
    assert code == EXIT_UNKNOWN == 3
    data = json.loads(out.out)
    assert data["status"] == "unknown" and data["valid"] is False
    code = main(["verify", path, "--left", I, "--right", J, "--budget", "0.3"])
    assert code == 3 and capsys.readouterr().out.startswith("UNKNOWN: ")


@pytest.mark.parametrize("budget", ["0", "-1", "nan", "inf", "x"])
def test_cli_bad_budget_is_usage_error(tmp_path, result, budget, capsys):
    path = _saved(tmp_path, result)
    with pytest.raises(SystemExit) as exc:
        main(["verify", path, "--left", I, "--right", J, "--budget", budget])
    assert exc.value.code == 2
