"""`dailies spec "TEXT" [--base SPEC.json] [--director offline|llm]`: the director, text -> ShotSpec JSON."""

from __future__ import annotations

import argparse
import asyncio
import sys

from agent.director.factory import DIRECTORS, DirectorConfigError, make_director
from agent.director.intake import MessageTooLong, clean_message
from agent.spec import ShotSpec
from bots.cli.errors import UserError
from bots.cli.faces import add_character_option, attach_faces
from bots.cli.io import print_json, read_json_model
from bots.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("spec", help="turn a message (refining BASE if given) into ShotSpec JSON")
    parser.add_argument("text", help="what the creator said, e.g. 'a fox in the snow at dawn, slow push in'")
    parser.add_argument("--base", default=None, help="ShotSpec JSON file to refine")
    parser.add_argument(
        "--director", choices=DIRECTORS, default=None, help="default: settings (offline unless an LLM is set)"
    )
    parser.add_argument("--author", default="cli", help="who said it (recorded on each change)")
    add_character_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        text = clean_message(args.text)
    except MessageTooLong as exc:
        raise UserError(str(exc)) from None
    if not text:
        removed = " once chat markup (mentions, custom emoji) is removed" if args.text.strip() else ""
        raise UserError(f"TEXT is empty{removed}: say what the shot should show")
    base = read_json_model(args.base, ShotSpec, "base spec") if args.base else None
    try:
        director = make_director(settings.director_config(), args.director)
    except DirectorConfigError as exc:
        raise UserError(str(exc)) from None
    reply = asyncio.run(director.direct(text, author=args.author, base=base))
    for note in reply.notes:
        print(f"note: {note}", file=sys.stderr)
    for change in reply.changes:
        verb = "suggested" if change.suggested else "changed"  # the model's own idea, not the creator's words
        print(f"{verb} {change.field}: {change.old!r} -> {change.new!r}", file=sys.stderr)
    if reply.question:
        print(f"question: {reply.question}", file=sys.stderr)
    print(f"director: {reply.director}", file=sys.stderr)
    if reply.usage.calls:
        print(
            f"llm: {reply.usage.calls} call(s), {reply.usage.prompt_tokens} prompt + "
            f"{reply.usage.completion_tokens} completion tokens",
            file=sys.stderr,
        )
    print_json(attach_faces(reply.spec, args.character, settings))
    return 0
