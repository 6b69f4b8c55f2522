"""CLI group `butterfly` (filled in by its issue)."""


def register(sub):
    p = sub.add_parser("butterfly", help="butterfly commands")
    p.add_subparsers(dest="command", metavar="SUBCOMMAND")
