"""The ``exportscreen`` command line: parses arguments, calls the library, maps outcomes to exit codes.

Exit codes: 0 nothing sensitive or needing review; 1 something sensitive or needing review;
2 something could not be screened (bad input, list or pack; also argument errors).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from exportscreen import __version__
from exportscreen._errors import ExportscreenError
from exportscreen.commands._common import EXIT_ERROR

__all__ = ["COMMAND_NAMES", "main", "run"]

#: Subcommand names, in help order; ``exportscreen.commands.<name>`` has ``register(subparsers)``.
#: Only the module of the subcommand that runs is imported (cold start of ``exportscreen check``).
COMMAND_NAMES = ("screen", "match", "lists", "eval", "check", "review", "explain", "rescreen", "report")


def _command_module(name: str) -> ModuleType:
    return importlib.import_module(f"exportscreen.commands.{name}")


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand when ``argv`` starts with one (else the full parser handles options and errors)."""
    return argv[0] if argv and argv[0] in COMMAND_NAMES else None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that subcommand's (its help and errors are the same)."""
    parser = argparse.ArgumentParser(prog="exportscreen", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"exportscreen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_NAMES if only is None else (only,):
        _command_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_chosen_command(argv)).parse_args(argv)
    try:
        code: int = args.func(args)
    except (ExportscreenError, OSError) as exc:
        print(f"exportscreen: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception:
        # An uncaught exception would exit 1, which means "findings": a crash must read "could not screen".
        import traceback  # on use: a few ms of every cold start

        traceback.print_exc()
        print("exportscreen: internal error: nothing was screened reliably (exit 2)", file=sys.stderr)
        return EXIT_ERROR
    return code


def run() -> None:
    raise SystemExit(main())


if __name__ == "__main__":
    run()
