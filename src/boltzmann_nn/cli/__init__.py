"""The ``boltzmann-nn`` command line. Subcommands parse, call one library function,
and print (one JSON object with --json).
"""

from __future__ import annotations

import argparse
import sys

from . import campaign, demo, ml, refine, report, simulation, structure, targets
from .common import common_parent, run_guarded

GROUPS = (demo, structure, simulation, refine, targets, campaign, ml, report)


class _Version(argparse.Action):
    """``--version``: the installed version, read only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from .. import __version__

        parser.exit(message=f"boltzmann-nn {__version__}\n")


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parent = common_parent()
    parser = _Parser(
        prog="boltzmann-nn",
        description="Pair potentials, structure and equations of state (reduced units: "
        "sigma, k_BT).",
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.add(sub, parent)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    return run_guarded(args.func, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
