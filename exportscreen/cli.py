"""The ``exportscreen`` command line: parses arguments, calls the library, maps outcomes to exit codes.

Exit codes: 0 nothing sensitive or needing review; 1 something sensitive or needing review;
2 something could not be screened (bad input, list or pack; also argument errors).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from exportscreen import __version__
from exportscreen._errors import ExportscreenError
from exportscreen.commands import check, lists, match, review, screen
from exportscreen.commands import eval as eval_command
from exportscreen.commands._common import EXIT_ERROR

__all__ = ["COMMANDS", "main", "run"]

#: Subcommand modules, each with ``register(subparsers)``.
COMMANDS = (screen, match, lists, eval_command, check, review)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exportscreen", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"exportscreen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except ExportscreenError as exc:
        print(f"exportscreen: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"exportscreen: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception:
        # An uncaught exception would exit 1, which means "findings": a crash must read "could not screen".
        traceback.print_exc()
        print("exportscreen: internal error: nothing was screened reliably (exit 2)", file=sys.stderr)
        return EXIT_ERROR
    return code


def run() -> None:
    raise SystemExit(main())


if __name__ == "__main__":
    run()
