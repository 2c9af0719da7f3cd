"""Storyboard edits: approve a take as the next shot, inherit its look, reorder and remove shots."""

from __future__ import annotations

from agent.spec import Character, ShotSpec, Storyboard, StoryboardShot

# What the next shot keeps from the last approved one unless a message changes it.
INHERITED_FIELDS = ("style", "lighting", "mood", "setting", "time_of_day", "aspect_ratio", "fps", "characters")


class StoryboardError(ValueError):
    """A reference to a shot or take that does not exist; shown to the creator as one line."""


def approve(board: Storyboard, shot: StoryboardShot) -> Storyboard:
    """The storyboard with `shot` appended (or left in place if that take is already on it)."""
    if any(existing.take_id == shot.take_id for existing in board.shots):
        return board
    characters = merge_characters(board.characters, shot.spec.characters)
    return board.model_copy(update={"shots": [*board.shots, shot], "characters": characters})


def merge_characters(known: list[Character], new: list[Character]) -> list[Character]:
    """Known characters keep their canonical description; new names are added in order."""
    merged = list(known)
    names = {c.name.casefold() for c in known}
    for character in new:
        if character.name.casefold() not in names:
            merged.append(character)
            names.add(character.name.casefold())
    return with_latest_faces(merged, new)


def with_latest_faces(known: list[Character], new: list[Character]) -> list[Character]:
    """`known`, each given the reference image last attached to that name in `new` (the words stay canonical)."""
    faces = {c.name.casefold(): c.reference_image for c in new if c.reference_image}
    return [
        c.model_copy(update={"reference_image": faces[c.name.casefold()]}) if c.name.casefold() in faces else c
        for c in known
    ]


def inherit(spec: ShotSpec, board: Storyboard) -> ShotSpec:
    """The starting spec of the next shot: the look, place and cast of `spec`, nothing shot-specific."""
    kept = {name: getattr(spec, name) for name in INHERITED_FIELDS}
    kept["characters"] = [(board.character(c.name) or c).keeping_face(c) for c in spec.characters]
    return ShotSpec.model_validate(kept)


def _index(board: Storyboard, shot: int) -> int:
    if not board.shots:
        raise StoryboardError("the storyboard is empty")
    if not 1 <= shot <= len(board.shots):
        raise StoryboardError(f"there is no shot {shot}; the storyboard has shots 1 to {len(board.shots)}")
    return shot - 1


def reorder(board: Storyboard, shot: int, to: int) -> Storyboard:
    """Move shot number `shot` (1-based) to position `to` (1-based)."""
    source = _index(board, shot)
    target = _index(board, to)
    shots = list(board.shots)
    moved = shots.pop(source)
    shots.insert(target, moved)
    return board.model_copy(update={"shots": shots})


def remove(board: Storyboard, shot: int) -> Storyboard:
    """The storyboard without shot number `shot` (1-based)."""
    index = _index(board, shot)
    return board.model_copy(update={"shots": [s for i, s in enumerate(board.shots) if i != index]})
