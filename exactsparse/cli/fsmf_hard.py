"""CLI commands `fsmf reduce|certify|spurious|hardness` (filled in by their issue)."""


def register_commands(fsmf_sub):
    """Add the hard-instance commands to the `fsmf` subparsers."""
