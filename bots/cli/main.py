"""The `dailies` entry point: parse arguments, run one command, map failures to exit codes."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bots.cli.errors import UserError
from bots.cli.io import describe_validation_error
from bots.settings import Settings
from generator.queue.ray_connect import ClusterUnreachable

# Each module registers one sub-command with `register(subparsers)`; add a line to add a command.
COMMAND_MODULES = (
    "bots.cli.spec",
    "bots.cli.render",
    "bots.cli.models",
    "bots.cli.discord",
    "bots.cli.worker",
    "bots.cli.critique",
    "bots.cli.demo",
    "bots.cli.chat",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, as for any bad input
        self.exit(2, f"dailies: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dailies", description="Dailies: direct video shots in plain words.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"dailies: bad setting: {describe_validation_error(exc)}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, settings) or 0)
    except (UserError, ClusterUnreachable) as exc:
        print(f"dailies: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dailies: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal failure: one line, full trace only on request
        if os.environ.get("DAILIES_DEBUG"):
            raise
        print(f"dailies: internal error: {type(exc).__name__}: {exc} (DAILIES_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
