"""`--character NAME=IMAGE` on `dailies spec` and `render`: check the image, store it, give the character its face."""

from __future__ import annotations

import argparse
import sys

from agent.spec import ShotSpec
from bots.cli.errors import UserError
from bots.settings import Settings
from tools.images import BadImage, read_image_file, store_reference


def add_character_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--character",
        action="append",
        default=[],
        metavar="NAME=IMAGE",
        help="a reference image (PNG, JPEG or WebP) of a character in the spec; repeatable",
    )


def attach_faces(spec: ShotSpec, pairs: list[str], settings: Settings) -> ShotSpec:
    """The spec with each named character's reference image checked and stored in the data folder."""
    if not pairs:
        return spec
    characters = list(spec.characters)
    for pair in pairs:
        name, sep, image = pair.partition("=")
        name = name.strip()
        if not sep or not name or not image:
            raise UserError(f"--character takes NAME=IMAGE, e.g. --character Ana=ana.png, not {pair!r}")
        index = next((i for i, c in enumerate(characters) if c.name.casefold() == name.casefold()), None)
        if index is None:
            known = ", ".join(c.name for c in characters) or "none"
            raise UserError(f"--character {name}: the spec has no character named {name} (its characters: {known})")
        try:
            stored = store_reference(read_image_file(image), settings.references_dir)
        except BadImage as exc:
            raise UserError(f"--character {name}: {exc}") from None
        except OSError as exc:
            raise UserError(f"cannot store the reference image in {settings.references_dir}: {exc.strerror}") from None
        characters[index] = characters[index].model_copy(update={"reference_image": str(stored.resolve())})
        print(f"note: {characters[index].name}'s reference image stored as {stored}", file=sys.stderr)
    return spec.model_copy(update={"characters": characters})
