"""`dailies critique CLIP.mp4 [--spec SPEC.json]`: watch a clip and print the Critique JSON."""

from __future__ import annotations

import argparse

from agent.expect import expectation_from
from agent.spec import ShotSpec
from bots.cli.errors import UserError
from bots.cli.io import print_json, read_json_model
from bots.settings import Settings
from tools.critic import ClipError, critique_clip


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "critique", help="judge a video clip (against a ShotSpec JSON file if given); prints the Critique JSON"
    )
    parser.add_argument("clip", help="video file, e.g. a take's .mp4")
    parser.add_argument("--spec", default=None, help="ShotSpec JSON file the clip should match")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    expectation = expectation_from(read_json_model(args.spec, ShotSpec, "spec")) if args.spec else None
    try:
        judge = settings.vision_judge()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    try:
        critique = critique_clip(args.clip, expectation, judge=judge)
    except ClipError as exc:
        raise UserError(str(exc)) from None
    print_json(critique)
    return 0
