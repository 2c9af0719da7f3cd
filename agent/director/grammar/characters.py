"""Named characters: one canonical description per name, kept on the storyboard and reused verbatim."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agent.director.grammar.words import words_of
from agent.spec import Character, ShotSpec, Storyboard
from agent.storyboard import with_latest_faces

_NAME = r"(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)"
_DESC_END = r"(?=\s*(?:$|[.;!?\n]|,\s*(?:and )?(?:she|he|they|it|who)\b))"
_DEFINITIONS = (
    re.compile(rf"(?:^|(?<=[.!?;]\s)|(?<=\n)){_NAME} is (?P<desc>(?:an?|the) [^.;!?\n]{{3,300}}?){_DESC_END}"),
    re.compile(
        rf"(?i:meet|introducing|this is|our hero is|the hero is|the main character is) {_NAME}[,:\- ]+"
        rf"(?P<desc>(?:an?|the) [^.;!?\n]{{3,300}}?){_DESC_END}"
    ),
    re.compile(rf"(?P<desc>(?:an?|the) [a-z][^.;!?,\n]{{2,200}}?) (?:named|called) {_NAME}"),
    re.compile(rf"{_NAME} \((?P<desc>[^)]{{3,300}})\)"),
    re.compile(rf"(?i:character)[: ]+{_NAME}\s*[:,\-]+\s*(?P<desc>[^.;!?\n]{{3,300}}?){_DESC_END}"),
    re.compile(rf"(?:^|(?<=\n)){_NAME}:\s+(?P<desc>(?:an?|the) [^.;!?\n]{{3,300}}?){_DESC_END}"),
)
# A description must be of someone: a person, creature or robot, not "Paris is a beautiful city".
_BEING = re.compile(
    r"(?i)\b(?:woman|man|girl|boy|kid|child|lady|guy|gentleman|person|teen|teenager|knight|detective|robot|android|"
    r"cyborg|alien|wizard|witch|soldier|pilot|astronaut|dog|cat|fox|wolf|bear|dragon|creature|owl|bird|horse|rabbit|"
    r"mouse|princess|prince|king|queen|old|young|elderly|tall|short|chef|doctor|nurse|student|farmer|fisherman|"
    r"sailor|pirate|ninja|samurai|monk|hero|heroine|villain|warrior|hunter|explorer|scientist|musician|dancer|"
    r"singer|painter|artist|courier|thief|cop|officer|agent|spy|mother|father|grandmother|grandfather|sister|"
    r"brother|daughter|son|baby|toddler|puppy|kitten|ghost|vampire|zombie|elf|dwarf|goblin|orc|giant|fairy|"
    r"mermaid|monster|creature|animal|he|she|wears|wearing|hair|eyes|beard|coat|dress|jacket)\b"
)
_NOT_NAMES = words_of(
    "The A An It This That There Make Now Then And But Camera Shot Scene Actually Okay Ok So Let Please Show She He "
    "They"
)


@dataclass
class CharacterReading:
    characters: list[Character]
    new: list[Character]
    spans: list[tuple[int, int]]
    notes: list[str]


def find_definitions(text: str) -> list[tuple[Character, tuple[int, int]]]:
    """Characters a message introduces ('Ana is a tall woman in a yellow raincoat'), with the description's span."""
    found: list[tuple[Character, tuple[int, int]]] = []
    seen: set[str] = set()
    for pattern in _DEFINITIONS:
        for hit in pattern.finditer(text):
            name = hit.group("name").strip()
            description = " ".join(hit.group("desc").split()).strip(" ,")
            if name in _NOT_NAMES or name.casefold() in seen or not _BEING.search(description):
                continue
            seen.add(name.casefold())
            found.append((Character(name=name, description=description[:2000]), hit.span("desc")))
    return found


def mentions(text: str, names: Iterable[str]) -> list[str]:
    """The known names a message mentions (whole words, any case)."""
    return [n for n in names if re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", text, re.IGNORECASE)]


def read_characters(text: str, base: ShotSpec | None, storyboard: Storyboard | None) -> CharacterReading:
    """The characters of the new spec: those carried over, introduced or mentioned, each with its canonical words."""
    canon: dict[str, Character] = {}
    for character in [*(storyboard.characters if storyboard else []), *(base.characters if base else [])]:
        canon.setdefault(character.name.casefold(), character)
    notes: list[str] = []
    new: list[Character] = []
    spans: list[tuple[int, int]] = []
    for character, span in find_definitions(text):
        spans.append(span)
        known = canon.get(character.name.casefold())
        if known is None:
            canon[character.name.casefold()] = character
            new.append(character)
        elif known.description != character.description:
            notes.append(
                f"{known.name} already has a description ({known.description!r}); kept it so every shot matches"
            )
    chosen: list[Character] = list(base.characters) if base else []
    for name in mentions(text, [c.name for c in canon.values()]):
        character = canon[name.casefold()]
        if all(c.name.casefold() != character.name.casefold() for c in chosen):
            chosen.append(character)
    chosen = [canon.get(c.name.casefold(), c).keeping_face(c) for c in chosen]
    return CharacterReading(characters=chosen, new=new, spans=spans, notes=notes)


def remember_characters(storyboard: Storyboard, specs: Sequence[ShotSpec] | ShotSpec) -> Storyboard:
    """The storyboard plus every character of these specs it did not know (the first description stays canonical)."""
    specs = [specs] if isinstance(specs, ShotSpec) else list(specs)
    known = {c.name.casefold() for c in storyboard.characters}
    added = list(storyboard.characters)
    for spec in specs:
        for character in spec.characters:
            if character.name.casefold() not in known:
                known.add(character.name.casefold())
                added.append(character)
        added = with_latest_faces(added, spec.characters)
    return storyboard.model_copy(update={"characters": added})


def apply_canon(spec: ShotSpec, storyboard: Storyboard | None) -> ShotSpec:
    """The spec with each character's description replaced by the storyboard's canonical words."""
    if storyboard is None or not spec.characters:
        return spec
    fixed = [(storyboard.character(c.name) or c).keeping_face(c) for c in spec.characters]
    return spec if fixed == spec.characters else spec.model_copy(update={"characters": fixed})
