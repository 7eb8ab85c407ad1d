"""Subcommands of the ``grader`` CLI; each module has ``register(subparsers)``."""
