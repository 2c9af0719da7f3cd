"""`dailies models`: the model registry as JSON; `dailies models make-tiny FAMILY DIR`: an offline test pipeline."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from bots.cli.errors import UserError
from bots.settings import Settings
from generator.families import FAMILIES

# Kept here so listing never imports torch; checked against tiny.py's TINY_BUILDERS in tests.
TINY_NAMES = ("wan", "wan-i2v", "wan2.2", "wan-vace", "ltx", "ltx-condition", "cogvideox", "hunyuan")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list model families and their rules (JSON)")
    parser.set_defaults(func=run)
    sub = parser.add_subparsers(dest="models_command")
    tiny = sub.add_parser(
        "make-tiny", help="build a tiny random-weight pipeline folder offline (try the diffusers path on a CPU)"
    )
    tiny.add_argument("family", help=f"one of: {', '.join(TINY_NAMES)}")
    tiny.add_argument("dir", help="new or empty folder to write the pipeline to")
    tiny.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    tiny.set_defaults(func=run_make_tiny)


def run(args: argparse.Namespace, settings: Settings) -> int:
    rows = []
    for family in FAMILIES.values():
        row = asdict(family)
        row["frame_rule"] = family.frame_rule
        rows.append(row)
    print(json.dumps(rows, indent=2))
    return 0


def run_make_tiny(args: argparse.Namespace, settings: Settings) -> int:
    if args.family not in TINY_NAMES:
        raise UserError(f"no tiny pipeline for {args.family!r}; choose one of: {', '.join(TINY_NAMES)}")
    try:
        from generator.diffusers.tiny import TINY_BUILDERS, make_tiny
    except ImportError as exc:
        raise UserError(f"make-tiny needs the gpu extra (pip install 'dailies[gpu]'): {exc}") from None
    from generator.errors import InvalidRequest

    family = TINY_BUILDERS[args.family][0]
    try:
        folder = make_tiny(args.family, args.dir, seed=args.seed)
    except InvalidRequest as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write {args.dir}: {exc.strerror or exc}") from None
    print(f"wrote a tiny {family} pipeline to {folder}", file=sys.stderr)
    print(json.dumps({"family": family, "dir": str(folder), "render": f"--backend diffusers --model {folder}"}))
    return 0
