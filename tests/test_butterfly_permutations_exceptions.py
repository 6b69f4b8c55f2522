"""Bad input to the permutation recovery of the butterfly capability: typed errors naming
the argument."""

import numpy as np
import pytest
import scipy.linalg

from exactsparse import ArgumentError, ExactSparseError, NonFiniteError, PowerOfTwoError
from exactsparse.butterfly import (ButterflyFactors, butterfly_factorize, butterfly_patterns,
                                   identify_butterfly)

H = scipy.linalg.hadamard(8)
BAD = [np.arange(7), np.array([0, 1, 2, 3, 4, 5, 6, 6]), np.array([0, 1, 2, 3, 4, 5, 6, 8]),
       np.arange(8.0), np.array([0.5] * 8), np.ones(8, bool), "sideways", [[0, 1]],
       np.array([-1, 0, 1, 2, 3, 4, 5, 6])]


@pytest.mark.parametrize("bad", BAD, ids=range(len(BAD)))
@pytest.mark.parametrize("name", ["perm", "row_perm"])
def test_not_a_permutation(bad, name):
    with pytest.raises(ArgumentError, match=rf"Argument '{name}' must be"):
        butterfly_factorize(H.astype(float), **{name: bad})
    with pytest.raises(ArgumentError, match=rf"Argument '{name}' must be"):
        identify_butterfly(H, **{name: bad})
    with pytest.raises(ArgumentError, match=rf"Argument '{name}' must be"):
        pats = butterfly_patterns(8)
        ButterflyFactors(pats, [np.ones(p.twiddle_shape) for p in pats], **{name: bad})


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_with_unknown_permutations(bad):
    A = H.astype(float)
    A[3, 5] = bad
    for kw in ({"perm": "auto"}, {"row_perm": "auto"}, {"perm": "auto", "row_perm": "auto"}):
        with pytest.raises(NonFiniteError, match=r"Argument 'A' must be finite.*\(3, 5\)"):
            butterfly_factorize(A, **kw)


def test_auto_rows_need_the_butterfly_chain():
    pats = [(1, 2, 2, 4), (2, 2, 2, 2), (4, 2, 2, 1)]
    F = butterfly_factorize(H.astype(float), pats, perm="auto")      # columns: candidates
    assert F.relative_error(H) < 1e-12
    with pytest.raises(ArgumentError, match="'row_perm'.*butterfly chain"):
        butterfly_factorize(H.astype(float), pats, row_perm="auto")
    with pytest.raises(ArgumentError, match="butterfly chain"):
        identify_butterfly(H, pats, perm="auto")


def test_size_still_checked():
    with pytest.raises(PowerOfTwoError):
        butterfly_factorize(np.eye(6), perm="auto", row_perm="auto")
    with pytest.raises(PowerOfTwoError):
        identify_butterfly(np.eye(6, dtype=int), perm="auto")


def test_errors_are_exactsparse_errors():
    with pytest.raises(ExactSparseError):
        butterfly_factorize(H.astype(float), row_perm=np.arange(4))


def test_batched_auto_needing_a_recovery_is_refused():
    """A batch whose members have different unknown permutations cannot share one pair:
    a typed error, not a silent misfit (found by a new-user review); a batch that fits a
    candidate still works."""
    import numpy as np
    from exactsparse.butterfly import butterfly_factorize
    from exactsparse.exceptions import ArgumentError
    rng = np.random.default_rng(8)
    D = np.fft.fft(np.eye(64))
    B = np.stack([D[rng.permutation(64)][:, rng.permutation(64)] for _ in range(2)])
    with pytest.raises(ArgumentError, match="call butterfly_factorize on each matrix"):
        butterfly_factorize(B, perm="auto", row_perm="auto")
    F = butterfly_factorize(np.stack([D, D]), perm="auto")
    assert np.all(F.relative_error(np.stack([D, D])) < 1e-12)


@pytest.mark.parametrize("bad, what", [
    ([0, 1, 2, 3, 3, 5, 6, 7], r"an array where 3 appears twice \(4 is missing\)"),
    ([7, 6, 5, 4, 3, 2, 7, 7], r"an array where 7 appears three times \(0 is missing\)"),
    ([1, 1, 1, 1, 0, 0, 0, 0], r"an array where 1 appears 4 times \(2 is missing\)"),
    ([0, 1, 2, 3, 4, 5, 6, 8], r"an array containing 8 \(at index 7\)"),
    ([-1, 0, 1, 2, 3, 4, 5, 6], r"an array containing -1 \(at index 0\)"),
    (np.arange(7), r"an array of shape \(7,\)"),
    (np.arange(8.0), r"a float64 array"),
    (np.ones(8, bool), r"a bool array"),
    (3, r"the scalar 3"),
])
def test_bad_permutation_says_what_repeats_and_what_is_missing(bad, what):
    """The message names the first repeated value and a missing one (or the offending
    entry, shape or dtype), for every routine taking a permutation."""
    msg = r"Argument 'perm' must be a permutation of 0\.\.7, not " + what + r"\.$"
    with pytest.raises(ArgumentError, match=msg):
        butterfly_factorize(H.astype(float), perm=bad)
    with pytest.raises(ArgumentError, match=msg):
        identify_butterfly(H, perm=bad)
    with pytest.raises(ArgumentError, match=msg.replace("'perm'", "'row_perm'")):
        identify_butterfly(H, row_perm=bad)


def test_bad_permutation_message_is_short_for_big_arrays():
    n = 1 << 16
    p = np.arange(n)
    p[40000] = 12345                                     # 12345 twice, 40000 missing
    with pytest.raises(ArgumentError) as exc:
        ButterflyFactors(butterfly_patterns(n), [np.ones(q.twiddle_shape)
                                                 for q in butterfly_patterns(n)], perm=p)
    assert str(exc.value) == ("Argument 'perm' must be a permutation of 0..65535, not an "
                              "array where 12345 appears twice (40000 is missing).")
