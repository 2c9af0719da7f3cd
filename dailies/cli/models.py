"""`dailies models`: the model registry as JSON."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from dailies.generator.families import FAMILIES
from dailies.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list model families and their rules (JSON)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    rows = []
    for family in FAMILIES.values():
        row = asdict(family)
        row["frame_rule"] = family.frame_rule
        rows.append(row)
    print(json.dumps(rows, indent=2))
    return 0
