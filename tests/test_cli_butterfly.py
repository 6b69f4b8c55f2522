"""``exactsparse butterfly factorize``: fit warnings by error level, and ``--out`` paths."""

import json
import os

import numpy as np
import pytest
import scipy.linalg

from exactsparse.cli import main
from exactsparse.cli.butterfly import WARN_ERROR, fit_warning
from exactsparse.butterfly.numeric import WRONG_PERM_ERROR


def _save(tmp_path, name, A):
    path = tmp_path / name
    np.save(path, A)
    return str(path)


def _run(capsys, argv):
    code = main(["butterfly", "factorize", *argv, "--quiet"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_thresholds_are_ordered():
    assert WARN_ERROR == 1e-6 and WARN_ERROR < WRONG_PERM_ERROR == 0.05


def test_exact_product_no_warning(capsys, tmp_path):
    path = _save(tmp_path, "H.npy", scipy.linalg.hadamard(16).astype(float))
    code, _, err = _run(capsys, [path])
    assert code == 0 and "warning" not in err


def test_noisy_product_no_permutation_hint(capsys, tmp_path):
    rng = np.random.default_rng(0)
    H = scipy.linalg.hadamard(16) + 1e-3 * rng.standard_normal((16, 16))
    path = _save(tmp_path, "N.npy", H)
    code, out, err = _run(capsys, [path, "--json"])
    e = json.loads(out)["relative_error"]
    # the error of the noisy input, measured independently, is between the two thresholds
    assert WARN_ERROR < e < WRONG_PERM_ERROR
    assert code == 0 and "not an exact butterfly product" in err
    assert "--perm auto" not in err and "--row-perm" not in err


def test_wrong_permutation_hint_names_both_flags(capsys, tmp_path):
    path = _save(tmp_path, "R.npy", np.random.default_rng(1).standard_normal((16, 16)))
    _, _, err = _run(capsys, [path])
    assert "not (numerically) a butterfly product under --perm identity; try --perm auto " \
           "--row-perm auto" in err
    _, _, err = _run(capsys, [path, "--perm", "auto"])
    assert "try --row-perm auto" in err and "try --perm" not in err
    _, _, err = _run(capsys, [path, "--perm", "bitrev", "--row-perm", "bitrev"])
    assert "under --perm bitrev and --row-perm bitrev; try --perm auto --row-perm auto" in err
    _, _, err = _run(capsys, [path, "--perm", "auto", "--row-perm", "auto"])
    assert "not (numerically) a butterfly product" in err and "try" not in err


@pytest.mark.parametrize("err,expect", [
    (0.0, None), (1e-6, None), (2e-6, "not an exact"), (0.05, "not an exact"),
    (0.051, "try --perm auto --row-perm auto"), (float("nan"), "try --perm auto")])
def test_fit_warning_levels(err, expect):
    msg = fit_warning(err, None, None)
    assert msg is None if expect is None else expect in msg


def test_out_without_npz_suffix_reports_the_file_written(capsys, tmp_path):
    path = _save(tmp_path, "H.npy", scipy.linalg.hadamard(8).astype(float))
    target = tmp_path / "x.txt"
    code, out, _ = _run(capsys, [path, "--out", str(target), "--json"])
    written = json.loads(out)["out"]
    assert code == 0 and written == str(target) + ".npz" and os.path.isfile(written)
    assert not target.exists()
    with np.load(written) as z:
        assert z["patterns"].shape == (3, 4)
    plain = tmp_path / "f.npz"
    code, out, _ = _run(capsys, [path, "--out", str(plain)])
    assert code == 0 and plain.is_file() and f"written to {plain}" in out


def test_out_in_a_missing_directory_fails_before_the_work(capsys, tmp_path, monkeypatch):
    path = _save(tmp_path, "H.npy", scipy.linalg.hadamard(8).astype(float))
    import exactsparse.butterfly as bf

    def boom(*a, **k):                    # the factorization must not start
        raise AssertionError("computed before checking --out")
    monkeypatch.setattr(bf, "butterfly_factorize", boom)
    bad = tmp_path / "no" / "dir" / "f.npz"
    code, _, err = _run(capsys, [path, "--out", str(bad)])
    assert code == 1
    assert "ArgumentError" in err and "'--out'" in err and "existing directory" in err
    assert "Traceback" not in err and not bad.parent.exists()


def test_out_directory_is_a_usage_error(capsys, tmp_path):
    path = _save(tmp_path, "H.npy", scipy.linalg.hadamard(8).astype(float))
    folder = tmp_path / "d.npz"
    folder.mkdir()
    with pytest.raises(SystemExit) as exc:
        main(["butterfly", "factorize", path, "--out", str(folder), "--quiet"])
    assert exc.value.code == 2 and "--out" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root ignores directory permissions")
def test_out_in_a_read_only_directory(capsys, tmp_path):
    path = _save(tmp_path, "H.npy", scipy.linalg.hadamard(8).astype(float))
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        code, _, err = _run(capsys, [path, "--out", str(ro / "f.npz")])
    finally:
        ro.chmod(0o700)
    assert code == 1 and "'--out'" in err and "writable" in err


def test_identify_out_in_a_missing_directory(capsys, tmp_path):
    src = tmp_path / "H.txt"
    src.write_text("1 1\n1 -1\n")
    code = main(["butterfly", "identify", str(src), "--out", str(tmp_path / "no" / "r.json")])
    assert code == 1 and "'--out'" in capsys.readouterr().err


def test_out_with_refine(capsys, tmp_path):
    path = _save(tmp_path, "A.npy", np.random.default_rng(2).standard_normal((16, 16)))
    code, out, _ = _run(capsys, [path, "--refine", "2", "--out", str(tmp_path / "r"), "--json"])
    data = json.loads(out)
    assert code == 0 and data["out"] == str(tmp_path / "r.npz") and os.path.isfile(data["out"])
    with np.load(data["out"]) as z:                 # the refined factors were written
        tw = [z[f"twiddle_{k}"] for k in range(4)]
    from exactsparse.butterfly import ButterflyFactors, butterfly_patterns
    A = np.load(path)
    F = ButterflyFactors(butterfly_patterns(16), tw)
    err = np.linalg.norm(A - F.todense()) / np.linalg.norm(A)
    assert abs(err - data["relative_error"]) <= 1e-12
