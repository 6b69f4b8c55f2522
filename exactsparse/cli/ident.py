"""CLI group `ident` (filled in by its issue)."""


def register(sub):
    p = sub.add_parser("ident", help="ident commands")
    p.add_subparsers(dest="command", metavar="SUBCOMMAND")
