"""Result types: the frozen values every decision routine returns (core, no decision routine).

One module per capability; each class names its ``KIND`` (a key of
:data:`exactsparse.kinds.KINDS`) and its ``THEOREM`` (a key of
:data:`exactsparse.kinds.THEOREMS`).  The classes live here, not beside the routines that
build them, so that reading a result back (``Result.from_json``) and re-checking it
(:func:`exactsparse.verify`) never load a decision routine.
"""

__all__: list = []
