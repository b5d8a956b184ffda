"""Subcommands of the ``exportscreen`` command line; each module has ``register(subparsers)``."""
