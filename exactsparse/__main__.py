"""``python -m exactsparse``: the command line (:func:`exactsparse.cli.main`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
