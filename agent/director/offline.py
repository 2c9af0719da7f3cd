"""The offline director: a deterministic cinematography grammar, no model, a few milliseconds per message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agent.compile import DEFAULT_DURATION_S
from agent.director.base import DirectorReply, Turn
from agent.director.continuity import continuity_wish
from agent.director.grammar.characters import read_characters
from agent.director.grammar.content import Content
from agent.director.grammar.exclusive import effect_in_place_of, replaced_effects, reword
from agent.director.grammar.reading import Reading, read_message
from agent.director.grammar.text import normalise, tokenize
from agent.director.grammar.words import DETERMINERS, PRONOUNS, VAGUE, words_of
from agent.director.intake import clean_message, fit_fields
from agent.spec import MAX_DURATION_S, MAX_FPS, MIN_DURATION_S, MIN_FPS, ShotSpec, Storyboard
from generator.vocabulary import CAMERA_SPEEDS, SHOT_SIZES

QUESTION = (
    "What should the shot show? Tell me who or what is in it and where, "
    "e.g. 'a red fox trotting through a snowy birch forest at dawn'."
)
_TEXT_FIELDS = ("subject", "action", "setting", "style", "lighting", "mood")


def _head(text: str | None) -> set[str]:
    words = [t.text for t in tokenize(normalise(text or "")) if t.is_word]
    return {w.rstrip("s") for w in words if w not in DETERMINERS and w not in PRONOUNS and w not in VAGUE}


def _replace_words(text: str, old: str, new: str) -> str | None:
    """`text` with the noun phrase `old` (with its article) replaced by `new`; None when `old` is not in it."""
    core = " ".join(w for w in old.split() if w.lower() not in DETERMINERS)
    if not core:
        return None
    # The article and the modifiers before the core go with it ("swap the keeper" in "a lighthouse keeper": the
    # whole phrase), never across a preposition or another article ("a man with a hat": only "a hat").
    modifiers = r"(?:(?!(?:a|an|the|with|in|on|of|and|at|by|to|from|for|near)\b)[\w'-]+\s+){0,3}?"
    article = r"\b(?:a|an|the|his|her|their|its|two|three|four|five|six|several|many|some|\d+)\s+"
    pattern = re.compile(rf"(?i)(?:{article}{modifiers})?\b{re.escape(core)}(?:e?s)?\b")
    if not pattern.search(text):
        return None
    return pattern.sub(new, text, count=1)


_NUMBER_WORDS = words_of("two three four five six seven eight nine ten dozens hundreds several many few")
_NOT_A_HEAD = words_of("fps seconds second secs sec instead please too more less camera shot angle it that this one")


def _names_a_subject(text: str) -> bool:
    """In a refinement, new words make a new subject only as a noun phrase: 'a fox', 'two kids', 'Ana'."""
    words = text.split()
    first = words[0]
    if words[-1].lower() in _NOT_A_HEAD:
        return False
    if first.lower() in DETERMINERS or first.isdigit() or first.lower() in _NUMBER_WORDS:
        return True
    return first[0].isupper() and first.lower() not in VAGUE and first.lower() not in {"i", "not", "no", "make"}


def _overlap(said: str, field_text: str) -> bool:
    """Whether a removed look and a field's value name each other ("neon lights" and "neon")."""
    return said.lower() in field_text.lower() or field_text.lower() in said.lower()


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _number(value: float) -> float:
    return round(value, 2)


class OfflineDirector:
    """Reads a message with a fixed lexicon and grammar and applies it to the current spec."""

    name = "offline"

    async def direct(
        self,
        message: str,
        *,
        author: str,
        base: ShotSpec | None = None,
        history: Sequence[Turn] = (),
        storyboard: Storyboard | None = None,
    ) -> DirectorReply:
        return self.direct_sync(message, author=author, base=base, storyboard=storyboard)

    def direct_sync(
        self, message: str, *, author: str, base: ShotSpec | None = None, storyboard: Storyboard | None = None
    ) -> DirectorReply:
        """The same as `direct`, for callers without an event loop (the CLI, benchmarks)."""
        read = read_offline(clean_message(message), base, storyboard)
        notes = list(read.notes)
        if read.question is None and base is not None and read.spec == base:
            notes.append("nothing in that message changed the shot")
        return DirectorReply.diffed(base, read.spec, author, question=read.question, notes=notes, director=self.name)


@dataclass
class OfflineRead:
    """What the grammar made of one (clean) message: the reading, the spec it gives, notes and any question."""

    reading: Reading
    spec: ShotSpec
    notes: list[str]
    question: str | None
    character_notes: list[str]


def read_offline(message: str, base: ShotSpec | None, storyboard: Storyboard | None) -> OfflineRead:
    """The grammar's reading of a clean message applied to `base`; characters' descriptions are not the subject."""
    characters = read_characters(message, base, storyboard)
    continuing, said = continuity_wish(message)
    masked = message
    # a character's description is not the shot's subject, nor are the words that ask for a continuous cut
    for start, end in [*characters.spans, *said]:
        masked = masked[:start] + " " * (end - start) + masked[end:]
    reading = read_message(masked, base_move=base.camera_movement if base else None)
    spec, notes = apply_reading(base, reading)
    if characters.characters != spec.characters:
        spec = spec.model_copy(update={"characters": characters.characters})
    if continuing is not None and (continuing or None) != spec.continue_previous:
        spec = spec.model_copy(update={"continue_previous": continuing or None})
    question = None if (spec.subject or spec.setting or spec.action or spec.characters) else QUESTION
    return OfflineRead(reading, spec, characters.notes + notes, question, characters.notes)


def restates(message: str, spec: ShotSpec) -> bool:
    """Whether a message read on its own names something the shot already has: its description said again."""
    alone = read_offline(clean_message(message), None, None).spec.model_dump(exclude_defaults=True)
    current = spec.model_dump()
    return any(current.get(name) == value for name, value in alone.items())


def apply_reading(base: ShotSpec | None, reading: Reading) -> tuple[ShotSpec, list[str]]:
    """The new spec: the base with every field the message names replaced, and notes on what was snapped."""
    notes = list(reading.notes)
    data: dict[str, Any] = (base or ShotSpec()).model_dump()
    camera = reading.camera

    if camera.movement is not None:
        data["camera_movement"] = camera.movement.value
    elif any(m.negated and m.value == data["camera_movement"] for m in camera.spans):
        notes.append(f"removed the camera move {data['camera_movement']}")
        data["camera_movement"] = None
    if camera.speed is not None:
        data["camera_speed"] = camera.speed.value
    elif reading.speed_step:
        current = data["camera_speed"]
        if current is None:
            data["camera_speed"] = "fast" if reading.speed_step > 0 else "slow"
        else:
            index = CAMERA_SPEEDS.index(current) + (1 if reading.speed_step > 0 else -1)
            data["camera_speed"] = CAMERA_SPEEDS[min(len(CAMERA_SPEEDS) - 1, max(0, index))]
    if data["camera_movement"] == "static":
        data["camera_speed"] = None

    if reading.shot_size is not None:
        data["shot_size"] = reading.shot_size
    elif reading.shot_step:
        current = data["shot_size"]
        if current is None:
            data["shot_size"] = "close_up" if reading.shot_step > 0 else "wide"
        else:
            index = SHOT_SIZES.index(current) + reading.shot_step
            data["shot_size"] = SHOT_SIZES[min(len(SHOT_SIZES) - 1, max(0, index))]
    if reading.camera_angle is not None:
        data["camera_angle"] = reading.camera_angle
    if reading.time_of_day is not None:
        data["time_of_day"] = reading.time_of_day
    elif data["time_of_day"] in reading.times_negated or "time_of_day" in reading.clear:
        notes.append(f"cleared the time of day ({data['time_of_day']})")
        data["time_of_day"] = None
    if reading.aspect_ratio is not None:
        data["aspect_ratio"] = reading.aspect_ratio

    _apply_duration(data, reading, notes)
    if reading.fps is not None:
        fps = round(reading.fps.value)
        snapped = int(_clamp(fps, MIN_FPS, MAX_FPS))
        if snapped != reading.fps.value:
            notes.append(f"frame rate snapped from {reading.fps.value:g} to {snapped} fps ({MIN_FPS}-{MAX_FPS})")
        data["fps"] = snapped
    if reading.seed is not None:
        data["seed"] = reading.seed

    _apply_looks(data, reading)
    _apply_content(data, reading, base, notes)
    _replace_exclusive_effects(data, reading, base, notes)
    notes.extend(fit_fields(data, base.model_dump() if base else None))  # adding to a field may pass its limit
    return ShotSpec.model_validate(data), notes


def _apply_duration(data: dict[str, Any], reading: Reading, notes: list[str]) -> None:
    wanted: float | None = None
    if reading.duration is not None:
        wanted = reading.duration.value
    elif reading.relative_duration is not None:
        current = data["duration_s"]
        if current is None:
            current = DEFAULT_DURATION_S
            notes.append(f"no duration was set; counted from the default {DEFAULT_DURATION_S:g} s")
        relative = reading.relative_duration
        wanted = current * relative.value if relative.relative == "times" else current + relative.value
    if wanted is None:
        return
    snapped = _number(_clamp(wanted, MIN_DURATION_S, MAX_DURATION_S))
    if snapped != _number(wanted):
        notes.append(f"duration snapped from {wanted:g} s to {snapped:g} s ({MIN_DURATION_S:g}-{MAX_DURATION_S:g} s)")
    data["duration_s"] = snapped


def _apply_looks(data: dict[str, Any], reading: Reading) -> None:
    if "style" in reading.clear:
        data["style"] = None
    if reading.styles_negated and data["style"]:
        kept = [s for s in data["style"].split(", ") if not any(n.lower() in s.lower() for n in reading.styles_negated)]
        data["style"] = ", ".join(kept) or None
    if reading.styles:
        said = list(dict.fromkeys(reading.styles))
        kept = [s for s in said if not any(s.lower() in other.lower() and s != other for other in said)]
        data["style"] = ", ".join(kept)
    if reading.lighting is not None:
        data["lighting"] = reading.lighting
    elif data["lighting"] and any(_overlap(n, data["lighting"]) for n in reading.lighting_negated):
        data["lighting"] = None
    if reading.mood is not None:
        data["mood"] = reading.mood
    effects = [] if "effects" in reading.clear else list(data["effects"])
    effects = [e for e in effects if e not in reading.effects_negated]
    effects.extend(e for e in reading.effects if e not in effects)
    data["effects"] = effects
    negatives = [n for n in [*reading.negative, *reading.lighting_negated] if n]
    negatives.extend(
        e
        for e in reading.effects_negated
        if e not in data["effects"] and e not in negatives and e not in reading.effects_swapped
    )
    if negatives:
        current = [p for p in (data["negative_prompt"] or "").split(", ") if p]
        data["negative_prompt"] = ", ".join(dict.fromkeys([*current, *negatives]))


def _replace_exclusive_effects(data: dict[str, Any], reading: Reading, base: ShotSpec | None, notes: list[str]) -> None:
    """A new weather or motion effect replaces the one the shot had ("make it snow instead" after rain)."""
    had = [e for e in (base.effects if base else []) if e not in reading.effects]
    for old, new in replaced_effects(reading.effects, had, reading.norm).items():
        if old in data["effects"]:  # not already removed in so many words ("no rain, snow instead")
            data["effects"] = [e for e in data["effects"] if e != old]
            notes.append(f"replaced the effect {old!r} with {new!r}")
        for name in _TEXT_FIELDS:
            if data[name] and (changed := reword(data[name], old, new)) is not None:
                data[name] = changed


def _swap_in_effect(data: dict[str, Any], old: str, new_words: str, notes: list[str]) -> None:
    """ "snow instead of rain": the effect the new words name takes the old one's place."""
    new = effect_in_place_of(old, new_words)
    if new is None:
        return
    if new not in data["effects"]:
        data["effects"].append(new)
    notes.append(f"replaced the effect {old!r} with {new!r}")
    for name in _TEXT_FIELDS:
        if data[name] and (changed := reword(data[name], old, new)) is not None:
            data[name] = changed


def _apply_content(data: dict[str, Any], reading: Reading, base: ShotSpec | None, notes: list[str]) -> None:
    content = reading.content
    if reading.swap is not None:
        old, new = reading.swap
        replaced = False
        for name in _TEXT_FIELDS:
            if data[name] and (changed := _replace_words(data[name], old, new)) is not None:
                data[name] = changed
                replaced = True
                break
        if not replaced and (changed := [e for e in (base.effects if base else []) if _head(e) & _head(old)]):
            data["effects"] = [e for e in data["effects"] if e not in changed]
            replaced = True
            _swap_in_effect(data, changed[0], new, notes)
        if not replaced and not reading.swap_new_read:  # "night instead of dawn" is the time of day's change
            data["subject"] = new
            if base is not None and base.subject:
                notes.append(f"found no {old!r} in the shot; made {new!r} the subject")
    if reading.additions:
        added = " and ".join(reading.additions)
        data["subject"] = f"{data['subject']} with {added}" if data["subject"] else added
    if base is None:
        for name in ("subject", "action", "setting"):
            value = getattr(content, name)
            if value:
                data[name] = value
        return
    # Refining: what a camera move points at is already in the shot; new words replace what they name.
    subject = content.subject
    if not subject or "subject" in content.from_target or not _names_a_subject(subject):
        if subject and not content.action and not content.setting:
            return  # leftover words of a camera or style request, not a new description
        subject = None
    if subject and not _head(subject) <= _head(data["subject"]):
        data["subject"] = subject
    if content.action and "action" not in content.from_target and (subject or _names_a_subject(content.action)):
        data["action"] = content.action
    if content.setting and ("setting" not in content.from_target or _crosses_a_new_place(content, data)):
        data["setting"] = content.setting


def _crosses_a_new_place(content: Content, data: dict[str, Any]) -> bool:
    """A move across a place the shot does not have yet moves the shot there ("pan left across a busy market");
    one across a place already in it ("pan across the forest" in a forest) points at what is there."""
    return content.crossed and not _head(content.setting) <= _head(data["setting"]) | _head(data["subject"])
