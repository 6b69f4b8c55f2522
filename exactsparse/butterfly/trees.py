"""Factorization trees of a KS chain: nested tuples, split orders and the named presets.

The hierarchical algorithm [1]_ factorizes a chain ``X_0 X_1 ⋯ X_{K−1}`` (factor indices in
product order: ``0`` is the leftmost factor, as in ``patterns``) by splitting it recursively
along a binary tree whose leaves, read from left to right, are the factor indices
``0, 1, …, K−1``; every internal node covers a run of consecutive factors and its split is one
two-factor step (a batch of disjoint best rank-``r`` problems).  A tree is given as

- a **nested tuple** of factor indices, e.g. ``((0, 1), (2, 3))`` (every internal node has
  exactly two children; lists are accepted and returned as tuples);
- a **split order**: a flat sequence of the ``K − 1`` cut positions, each once, in the
  order in which the cuts are made.  Cut ``k`` (``1 ≤ k ≤ K − 1``) separates the factors
  ``0 … k−1`` from ``k … K−1``; a run of factors is split at the first cut of the sequence
  that lies inside it.  :func:`split_order` gives the canonical (pre-order) sequence of a
  tree, so ``tree_from_split_order(split_order(t), K) == t``;
- a **preset name** (:data:`PRESETS`, aliases in :data:`ALIASES`):

  ``"left"`` (alias ``"comb"``)
      peel the leftmost factor at every split: ``(0, (1, (2, 3)))``.  The *comb* tree of
      the reference code of [1]_ (there the factors are numbered ``Z = X_L ⋯ X_1`` and the
      comb splits off ``X_L``, the leftmost one).  Fastest: rank-one ``2 × m`` blocks.
  ``"right"`` (alias ``"inverse-comb"``)
      peel the rightmost factor at every split: ``(((0, 1), 2), 3)``, the mirror image of
      the comb.  (The reference code's ``inversed_comb`` tree peels the rightmost factor
      at the root only and splits the rest as a comb: give it as the split order
      ``(K−1, 1, 2, …, K−2)``, e.g. ``[3, 1, 2]`` → ``((0, (1, 2)), 3)`` for ``K = 4``.)
  ``"balanced"``
      the balanced tree of Le, Zheng, Riccietti, Gribonval (ICASSP 2022) and of their
      reference code: a run of ``J`` factors is split so that the **left** part gets
      ``⌈J/2⌉`` factors: ``((0, 1), 2)`` for ``K = 3``, ``(((0, 1), 2), (3, 4))`` for ``K = 5``.
  ``"balanced-floor"``
      the balanced tree with the left part getting ``⌊J/2⌋`` factors (``(0, (1, 2))`` for
      ``K = 3``), the convention of this package before version 2026-12.  Both agree when
      every run has an even length (``K`` a power of two).

References
----------
.. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms, with
   guarantees", ICASSP 2022 (hierarchical factorization along a tree, Algorithm 2; comb and
   balanced trees).
.. [2] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly sparse
   matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.

Examples
--------
>>> preset_tree("balanced", 5)
(((0, 1), 2), (3, 4))
>>> preset_tree("balanced-floor", 5)
((0, 1), (2, (3, 4)))
>>> preset_tree("comb", 4) == preset_tree("left", 4) == (0, (1, (2, 3)))
True
>>> split_order(((0, 1), (2, 3)))
(2, 1, 3)
>>> tree_from_split_order([2, 1, 3], 4)
((0, 1), (2, 3))
>>> parse_tree([3, 1, 2], 4)            # a split order: cut 3 first, then 1, then 2
((0, (1, 2)), 3)
"""

from __future__ import annotations

import numbers

import numpy as np

from ..exceptions import ArgumentError, ShapeError, show

__all__ = ["PRESETS", "ALIASES", "TREE_NAMES", "parse_tree", "preset_tree",
           "tree_from_split_order", "split_order", "tree_leaves", "left_size"]

#: the named trees
PRESETS = ("left", "right", "balanced", "balanced-floor")
#: other names of presets (the names of the reference code of ICASSP 2022)
ALIASES = {"comb": "left", "inverse-comb": "right"}
#: every accepted string
TREE_NAMES = PRESETS + tuple(ALIASES)

#: most factors (and deepest nesting) of a tree: the tree functions recurse once per level,
#: so this stays well below Python's recursion limit (a chain of K irredundant factors has a
#: side of at least 2^(K/2), so no real chain comes near it)
_MAX_FACTORS = 256


def _cut(name, lo, hi):
    """Where a preset splits the run ``lo … hi−1`` (``hi − lo ≥ 2``): the first index of
    the right part."""
    J = hi - lo
    if name == "left":
        return lo + 1
    if name == "right":
        return hi - 1
    if name == "balanced":
        return lo + (J + 1) // 2           # left part ⌈J/2⌉ (ICASSP 2022)
    return lo + J // 2                     # "balanced-floor": left part ⌊J/2⌋


def _build(cut, lo, hi):
    if hi - lo == 1:
        return lo
    k = cut(lo, hi)
    return (_build(cut, lo, k), _build(cut, k, hi))


def _check_count(n):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= _MAX_FACTORS:
        raise ArgumentError(f"Argument 'n_factors' must be an integer in [1, {_MAX_FACTORS}], "
                            f"not {show(n)}.")
    return int(n)


def preset_tree(name, n_factors):
    """The nested tuple of the preset ``name`` over ``n_factors`` factors.

    Parameters
    ----------
    name : str
        One of :data:`TREE_NAMES`: ``"left"``/``"comb"``, ``"right"``/``"inverse-comb"``,
        ``"balanced"`` (left part ``⌈J/2⌉``, ICASSP 2022), ``"balanced-floor"``
        (left part ``⌊J/2⌋``).
    n_factors : int
        Number of factors ``K ≥ 1``.

    Returns
    -------
    int or tuple
        ``0`` for one factor, else a nested pair.

    Raises
    ------
    ArgumentError
        Unknown name, or ``n_factors`` not a positive integer.

    Examples
    --------
    >>> preset_tree("right", 4)
    (((0, 1), 2), 3)
    >>> preset_tree("balanced", 3), preset_tree("balanced-floor", 3)
    (((0, 1), 2), (0, (1, 2)))
    """
    if not isinstance(name, str) or name not in TREE_NAMES:
        raise ArgumentError(f"Argument 'tree' must be one of {TREE_NAMES}, a nested tuple of "
                            f"factor indices or a split order, not {show(name)}.")
    name = ALIASES.get(name, name)
    n = _check_count(n_factors)
    return _build(lambda lo, hi: _cut(name, lo, hi), 0, n)


def tree_from_split_order(order, n_factors):
    """The tree of a split order: the run ``lo … hi−1`` is cut at the first position of
    ``order`` inside ``(lo, hi)``.

    Parameters
    ----------
    order : sequence of int or 1-D integer array_like
        The ``K − 1`` cut positions ``1 … K−1``, each exactly once (a numpy array of any
        integer dtype is accepted; booleans and floats are refused).
    n_factors : int
        ``K``.

    Returns
    -------
    int or tuple

    Raises
    ------
    ArgumentError
        ``order`` is not a permutation of ``1 … K−1``.

    Examples
    --------
    >>> tree_from_split_order([1, 2, 3], 4)      # the comb ("left")
    (0, (1, (2, 3)))
    >>> tree_from_split_order([3, 2, 1], 4)      # "right"
    (((0, 1), 2), 3)
    """
    n = _check_count(n_factors)
    cuts = _int_sequence(order, "tree")
    if sorted(cuts) != list(range(1, n)):
        raise ArgumentError(f"Argument 'tree' as a split order must list each cut position "
                            f"1 … {n - 1} exactly once (K = {n} factors), not {show(order)}.")
    rank = {c: i for i, c in enumerate(cuts)}
    return _build(lambda lo, hi: min(range(lo + 1, hi), key=rank.__getitem__), 0, n)


def split_order(tree):
    """The canonical split order of a tree: its cut positions in pre-order.

    Examples
    --------
    >>> split_order((0, (1, (2, 3)))), split_order((((0, 1), 2), 3))
    ((1, 2, 3), (3, 2, 1))
    """
    tree = _checked(tree)
    out = []

    def walk(node, lo):
        if isinstance(node, tuple):
            k = lo + len(_leaves(node[0]))
            out.append(k)
            walk(node[0], lo)
            walk(node[1], k)
    walk(tree, 0)
    return tuple(out)


def tree_leaves(tree):
    """The leaves of a (parsed) tree from left to right."""
    return _leaves(_checked(tree))


def _leaves(tree):
    if isinstance(tree, tuple):
        return _leaves(tree[0]) + _leaves(tree[1])
    return (tree,)


def left_size(tree):
    """Number of factors of the left part of the root split of a parsed tree."""
    tree = _checked(tree)
    if not isinstance(tree, tuple):
        raise ArgumentError(f"Argument 'tree' must be a split (a pair), not the leaf "
                            f"{show(tree)}.")
    return len(_leaves(tree[0]))


def _checked(tree):
    """A tree given to the public walkers: nested pairs of ints (typed error otherwise)."""
    if isinstance(tree, (str, bytes)):
        raise ArgumentError(f"Argument 'tree' must be a nested tuple of factor indices "
                            f"(parse a name with parse_tree), not {show(tree)}.")
    return _nested(tree)


def _from_array(obj):
    """A numpy array or other array_like (not a tuple, list, str or int) of integers as
    nested lists; booleans and floats are refused (``obj`` itself when not an array_like)."""
    if isinstance(obj, (str, bytes, tuple, list, numbers.Number)) or obj is None or \
            not (isinstance(obj, np.ndarray) or hasattr(obj, "__array__")
                 or hasattr(obj, "__iter__")):
        return obj
    try:
        arr = np.asarray(obj)
    except (ValueError, TypeError, OverflowError):
        return obj
    if arr.dtype.kind in "iu":
        return arr.tolist()
    if arr.dtype.kind in "bfc":
        raise ArgumentError(f"Argument 'tree' must hold integers (factor indices or cut "
                            f"positions), not {show(obj)} of dtype {arr.dtype}.")
    return obj


def _int_sequence(obj, name):
    obj = _from_array(obj)
    if isinstance(obj, (str, bytes)) or not hasattr(obj, "__iter__"):
        raise ArgumentError(f"Argument {name!r} must be a sequence, not {show(obj)}.")
    out = list(obj)
    for v in out:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise ArgumentError(f"Argument {name!r} must hold integers, not {show(v)} "
                                f"(in {show(obj)}).")
    return [int(v) for v in out]


def _nested(obj, depth=0):
    """``obj`` as nested tuples of ints (structure only; leaves checked by the caller)."""
    if isinstance(obj, numbers.Integral) and not isinstance(obj, bool):
        return int(obj)
    if isinstance(obj, (str, bytes)) or not isinstance(obj, (tuple, list)):
        raise ArgumentError(f"Argument 'tree' must be a nested tuple of factor indices (ints), "
                            f"not one containing {show(obj)}.")
    if depth >= _MAX_FACTORS:
        raise ArgumentError(f"Argument 'tree' must be nested at most {_MAX_FACTORS} levels "
                            f"deep, not deeper.")
    if len(obj) != 2:
        raise ArgumentError(f"Argument 'tree' must be a binary tree: every internal node a "
                            f"pair (left, right), not {show(obj)} with {len(obj)} elements.")
    return (_nested(obj[0], depth + 1), _nested(obj[1], depth + 1))


def _is_flat(obj):
    return (isinstance(obj, (tuple, list)) and
            all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in obj))


def parse_tree(tree, n_factors):
    """The canonical nested tuple of a tree given by name, nested tuple or split order.

    Parameters
    ----------
    tree : str, nested tuple or sequence of int
        A preset name (:data:`TREE_NAMES`); a nested tuple (or list) of factor indices whose
        leaves, read from left to right, are ``0 … K−1``; or a split order (a flat
        sequence of the ``K − 1`` cut positions: a list, tuple or any 1-D integer
        array_like such as a numpy array; booleans and floats are refused).  A flat sequence of ``K − 1`` integers is
        read as a split order; the only flat tree, ``(0, 1)`` for ``K = 2``, has length 2.
    n_factors : int
        ``K``, the number of factors of the chain.

    Returns
    -------
    int or tuple
        ``0`` (one factor) or a nested pair of ints.

    Raises
    ------
    ShapeError
        The leaves of the tree are not the factors ``0 … K−1`` of the chain in order (the
        message names the ``K`` expected and what the tree has).
    ArgumentError
        Unknown name, a node with other than two children, non-integer leaves, or a split
        order that is not a permutation of ``1 … K−1``.

    Examples
    --------
    >>> parse_tree("balanced", 4), parse_tree([[0, 1], [2, 3]], 4)
    (((0, 1), (2, 3)), ((0, 1), (2, 3)))
    >>> parse_tree((0, 1), 2), parse_tree([1], 2)
    ((0, 1), (0, 1))
    >>> parse_tree(((0, 1), 2), 4)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.ShapeError: Argument 'tree' must have the leaves 0 … 3 in order (one per factor of the chain, K = 4), not the leaves (0, 1, 2).
    """
    n = _check_count(n_factors)
    if isinstance(tree, str):
        return preset_tree(tree, n)
    tree = _from_array(tree)
    if _is_flat(tree) and not (len(tree) == 2 and n == 2):
        if len(tree) == n - 1:
            return tree_from_split_order(tree, n)
        if len(tree) != 2:
            raise ArgumentError(f"Argument 'tree' as a split order must have K − 1 = {n - 1} "
                                f"cut positions (K = {n} factors), not {len(tree)}: "
                                f"{show(tree)}.")
    if n == 1 and isinstance(tree, numbers.Integral) and not isinstance(tree, bool):
        parsed = int(tree)
    else:
        parsed = _nested(tree)
    leaves = _leaves(parsed)
    if leaves != tuple(range(n)):
        raise ShapeError(f"Argument 'tree' must have the leaves 0 … {n - 1} in order (one per "
                         f"factor of the chain, K = {n}), not the leaves {show(leaves)}.")
    return parsed
