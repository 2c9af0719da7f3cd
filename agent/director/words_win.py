"""The creator's words win: an LLM's spec checked, field by field, against the offline grammar's reading of the
same message.

- A field the message states (the grammar read it: "golden hour", "low angle", "close-up", "6 seconds", "film
  noir", "no rain") keeps the creator's value. Camera moves, framing, time, aspect, duration, fps and seed must
  be equal; a style, lighting or mood may be reworded but must keep one of the creator's words; effects and
  removals said are all kept.
- A non-creative field (aspect ratio, duration, fps, seed, a character's name) the message does not support is
  dropped, with a note: the model may not invent them.
- Subject, action and setting are the model's to word, but must be grounded: at least one of their words comes
  from the conversation (the message, the shot so far, or the recent turns), so a chat name ("cli") or an
  invention never becomes the subject.
- A field the shot had and the message did not touch is not cleared by the model.
- Everything else the model adds (lighting, mood, a camera move for "reveal the castle", wording) stays, and is
  marked as the model's suggestion in the diff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, get_args

from agent.director.grammar.exclusive import replaced_effects, reword
from agent.director.grammar.reading import Reading
from agent.director.grammar.text import normalise, tokenize
from agent.director.grammar.words import DETERMINERS, PRONOUNS, VAGUE
from agent.spec import ShotSpec
from generator.vocabulary import CameraAngle, CameraMovement, ShotSize, TimeOfDay

EXACT_FIELDS = (
    "shot_size", "camera_angle", "camera_movement", "camera_speed", "time_of_day", "aspect_ratio", "duration_s",
    "fps", "seed",
)  # fmt: skip
REWORDABLE_FIELDS = ("style", "lighting", "mood")
CONTENT_FIELDS = ("subject", "action", "setting")
NON_CREATIVE_FIELDS = ("aspect_ratio", "duration_s", "fps", "seed")
TEXT_FIELDS = (*CONTENT_FIELDS, *REWORDABLE_FIELDS)
# Not the speeds ("slow motion" is an effect) nor "static" (TV static may be one).
_FIELD_VALUES = frozenset(
    value for kind in (CameraAngle, CameraMovement, ShotSize, TimeOfDay) for value in get_args(kind)
) - {"static"}
# Words that ask for a video rather than say what is in it ("make a video"): they ground nothing.
REQUEST_WORDS = frozenset({"mak", "creat", "generat", "render", "show", "giv", "want", "need", "do", "film", "shoot"})
# Direction and particle words of a move ("zoom in", "crane down", "pan left") also describe content ("a man in a
# coat", "walks down the street"): alone they do not make a text field a restatement of the camera.
PARTICLES = frozenset({"in", "up", "out", "down", "left", "right", "on", "off", "over", "to", "back", "around"})


@dataclass
class Checked:
    """The spec after the check, what it changed and why, and which of the model's changes are suggestions."""

    spec: ShotSpec
    notes: list[str] = field(default_factory=list)
    suggested: set[str] = field(default_factory=set)


def content_words(text: str | None) -> set[str]:
    """The words that carry meaning, roughly stemmed ('a red fox dances' -> {'red', 'fox', 'danc'})."""
    words = [t.text for t in tokenize(normalise(text or "")) if t.is_word]
    meaningful = [w for w in words if w not in DETERMINERS and w not in PRONOUNS and w not in VAGUE and len(w) > 1]
    return {stem(w) for w in meaningful}


def stem(word: str) -> str:
    """'dancing', 'dances', 'danced', 'dance' -> 'danc'; 'trotting' -> 'trot': enough to match one word's forms."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]  # trott -> trot
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def stated_fields(reading: Reading, base: ShotSpec | None, offline: ShotSpec) -> set[str]:
    """The fields the message states, by the grammar's reading (including removals: 'not at night')."""
    stated = {name for name in ShotSpec.model_fields if _value(base, name) != _value(offline, name)}
    camera = reading.camera
    named = {
        "camera_movement": camera.movement is not None or any(m.negated for m in camera.spans),
        "camera_speed": camera.speed is not None or bool(reading.speed_step),
        "shot_size": reading.shot_size is not None or bool(reading.shot_step),
        "camera_angle": reading.camera_angle is not None,
        "time_of_day": reading.time_of_day is not None or bool(reading.times_negated) or "time_of_day" in reading.clear,
        "aspect_ratio": reading.aspect_ratio is not None,
        "duration_s": reading.duration is not None or reading.relative_duration is not None,
        "fps": reading.fps is not None,
        "seed": reading.seed is not None,
        "style": bool(reading.styles or reading.styles_negated) or "style" in reading.clear,
        "lighting": reading.lighting is not None,
        "mood": reading.mood is not None,
        "effects": bool(reading.effects or reading.effects_negated) or "effects" in reading.clear,
        "negative_prompt": bool(reading.negative),
    }
    return stated | {name for name, said in named.items() if said}


def check_words(
    *,
    model: ShotSpec,
    offline: ShotSpec,
    reading: Reading,
    base: ShotSpec | None,
    changed_by_model: set[str],
    message: str,
    grounding: str,
) -> Checked:
    """`model` with the creator's words restored where the model disagrees, and its inventions dropped."""
    stated = stated_fields(reading, base, offline)
    data = model.model_dump()
    checked = Checked(spec=model)
    for name in EXACT_FIELDS:
        if name in stated:
            _keep_exact(data, name, offline, reading, changed_by_model, checked)
        elif name in NON_CREATIVE_FIELDS and data[name] != _value(base, name):
            checked.notes.append(
                f"dropped the model's {name} {data[name]!r}: your message does not ask for one"
                if _value(base, name) is None
                else f"kept the {name} {_value(base, name)!r}: your message does not change it"
            )
            data[name] = _value(base, name)
    _no_restated_camera(data, reading, offline, base, stated, checked)
    # Reworded, but keeping one of the creator's words; and the words the message brings ("a young girl" in a swap)
    # somewhere in the model's text ("give him a lantern": the model may make it the lighting).
    written = content_words(" ".join(str(data[name] or "") for name in TEXT_FIELDS))
    for name in (*REWORDABLE_FIELDS, *CONTENT_FIELDS):
        if name not in stated:
            continue
        said = content_words(_value(offline, name)) - content_words(_value(base, name))
        if not (content_words(data[name]) & content_words(_value(offline, name))) or (said and not said & written):
            _restore(data, name, offline, changed_by_model, checked)
    _keep_effects_and_removals(data, offline, base, reading, stated, checked)
    _reword_replaced_weather(data, offline, base)
    _check_characters(data, base, offline, message, checked)
    _ground_content(data, offline, base, grounding, checked)
    _no_unasked_rewrites(data, base, stated, message, checked)
    _keep_untouched(data, base, stated, checked)
    checked.spec = ShotSpec.model_validate(data)
    checked.suggested = {
        name for name in changed_by_model - stated if data[name] != _value(base, name) and name != "characters"
    }
    return checked


def _value(spec: ShotSpec | None, name: str) -> Any:
    return getattr(spec or ShotSpec(), name)


def _keep_exact(
    data: dict[str, Any], name: str, offline: ShotSpec, reading: Reading, changed: set[str], checked: Checked
) -> None:
    ours = _value(offline, name)
    theirs = data[name]
    if theirs == ours:
        return
    if name == "camera_movement" and _same_move_family(theirs, ours) and _direction_was_guessed(reading):
        return  # "arc shot" names an orbit, not its direction: the model's choice of direction stands
    _restore(data, name, offline, changed, checked)


def _restore(data: dict[str, Any], name: str, offline: ShotSpec, changed: set[str], checked: Checked) -> None:
    ours = _value(offline, name)
    if name in changed:  # the model set something else; a field it left alone needs no note
        checked.notes.append(f"kept {name} {ours!r} from your words over the model's {data[name]!r}")
    data[name] = ours


def _same_move_family(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.rsplit("_", 1)[0] == b.rsplit("_", 1)[0]


def _direction_was_guessed(reading: Reading) -> bool:
    return any("no direction given" in note for note in reading.camera.notes)


def _reword_replaced_weather(data: dict[str, Any], offline: ShotSpec, base: ShotSpec | None) -> None:
    """Snow in place of rain: "a rainy street" the model kept becomes "a snowy street", as the offline reading has."""
    gone = [e for e in _value(base, "effects") if e not in offline.effects]
    for old, new in replaced_effects(offline.effects, gone, "").items():
        for name in (*CONTENT_FIELDS, *REWORDABLE_FIELDS):
            if data[name] and (changed := reword(data[name], old, new)) is not None:
                data[name] = changed


def _keep_effects_and_removals(
    data: dict[str, Any], offline: ShotSpec, base: ShotSpec | None, reading: Reading, stated: set[str], checked: Checked
) -> None:
    """Every effect the message asks for is in, every one it removes is out; every removal is in the negative. An
    effect the shot has stays unless the message removes it; an effect the model adds is never a camera, framing
    or time word ("dolly_in", "close_up")."""
    had = list(_value(base, "effects"))
    data["effects"] = [e for e in data["effects"] if e in had or e in offline.effects or not _names_a_field(e)]
    if "effects" not in stated and [e for e in data["effects"] if e in had] != had:
        checked.notes.append(f"kept the effects {had!r}: your message does not remove them")
        data["effects"] = [*had, *(e for e in data["effects"] if e not in had)]
    if "effects" in stated:
        # Removed in so many words, or replaced ("make it snow instead" after rain: the rain goes).
        removed = set(reading.effects_negated) | {e for e in _value(base, "effects") if e not in offline.effects}
        extra = [e for e in data["effects"] if e not in offline.effects and e not in removed]
        kept = [*offline.effects, *extra]
        if [e for e in data["effects"] if e not in extra] != list(offline.effects):
            checked.notes.append(
                f"kept the effects {offline.effects!r} from your words; the model had {data['effects']!r}"
            )
        data["effects"] = kept
    if "negative_prompt" in stated and offline.negative_prompt:
        have = data["negative_prompt"] or ""
        missing = [p for p in offline.negative_prompt.split(", ") if p and p.lower() not in have.lower()]
        if missing:
            data["negative_prompt"] = ", ".join(p for p in [have, *missing] if p)


def _names_a_field(effect: str) -> bool:
    """Whether an effect is really a camera move, shot size, angle or time of day ("dolly_in_midi_lo")."""
    words = re.sub(r"[\s_-]+", "_", effect.strip().lower())
    return any(words == value or words.startswith(value + "_") for value in _FIELD_VALUES)


def _check_characters(
    data: dict[str, Any], base: ShotSpec | None, offline: ShotSpec, message: str, checked: Checked
) -> None:
    """A named character must be in the shot already, found by the grammar, or named in the message as a name
    ("Ana", not "a red fox" or "Lighthouse on a cliff"): the model may not invent one, nor list one twice."""
    known = {c.name.casefold() for c in [*(base.characters if base else []), *offline.characters]}
    kept: list[dict[str, Any]] = []
    for character in data["characters"]:
        name = character["name"]
        if any(name.casefold() == c["name"].casefold() for c in kept):
            continue
        if name.casefold() in known or _named_in(message, name):
            kept.append(character)
        else:
            checked.notes.append(f"dropped the model's character {name!r}: your message does not name them")
    data["characters"] = kept


def _named_in(message: str, name: str) -> bool:
    """The message writes `name` as a name: capitalised as written, not a described thing ("a fox", "the man")."""
    first = name.split()[0] if name.split() else ""
    if not first[:1].isupper() or first.lower() in DETERMINERS or first.lower() in PRONOUNS:
        return False
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message) is not None


def _no_restated_camera(
    data: dict[str, Any], reading: Reading, offline: ShotSpec, base: ShotSpec | None, stated: set[str], checked: Checked
) -> None:
    """The words the grammar read as the camera, framing, time or format ("crane down", "slow zoom in", "vertical",
    "close-up") are not content: a subject, action, setting or style the model built of them ("subject: Cranes
    down into the town square", "style: vertical") yields to the grammar's (or the shot's) value. A lighting or
    mood made only of them ("lighting: night") goes too."""
    read_as = _words_read_as_other_fields(reading, offline)
    if not read_as:
        return
    for name in TEXT_FIELDS:
        value = data[name]
        if not value or value == _value(base, name) or value == _value(offline, name):
            continue
        words = content_words(value)
        restates = bool(words & (read_as - PARTICLES)) if name in (*CONTENT_FIELDS, "style") else words <= read_as
        if restates:
            fallback = _value(offline, name) if name in stated else _value(base, name)
            checked.notes.append(
                f"the model's {name} {value!r} repeats your camera or framing words; "
                + (f"kept {fallback!r}" if fallback else f"left the {name} unset")
            )
            data[name] = fallback


def _words_read_as_other_fields(reading: Reading, offline: ShotSpec) -> set[str]:
    """The words of the message the grammar read as a field that is not text, less any word the text uses too."""
    spans = [reading.norm[start:end] for name, start, end in reading.claimed if name not in (*TEXT_FIELDS, "effects")]
    text = " ".join(str(_value(offline, name) or "") for name in TEXT_FIELDS)
    return content_words(" ".join(spans)) - content_words(text) - content_words(" ".join(offline.effects))


def _ground_content(
    data: dict[str, Any], offline: ShotSpec, base: ShotSpec | None, grounding: str, checked: Checked
) -> None:
    """Subject, action and setting must share a word with the conversation; else the grammar's (or the old) value."""
    known = content_words(grounding) - REQUEST_WORDS
    for name in CONTENT_FIELDS:
        value = data[name]
        if not value or value == _value(base, name) or content_words(value) & known:
            continue
        fallback = _value(offline, name) or _value(base, name)
        checked.notes.append(
            f"the model's {name} {value!r} is not in your words; "
            + (f"kept {fallback!r}" if fallback else f"left the {name} unset")
        )
        data[name] = fallback
    for name in CONTENT_FIELDS:  # the model left out what the grammar found in a first message
        if not data[name] and _value(offline, name) and not _value(base, name):
            data[name] = _value(offline, name)


def _no_unasked_rewrites(
    data: dict[str, Any], base: ShotSpec | None, stated: set[str], message: str, checked: Checked
) -> None:
    """A subject, action or setting the shot has and the message does not touch is not rewritten by the model with
    words from elsewhere in the conversation ("climbs the stairs" -> "climbs the stairs at dusk, slow tilt up"
    after "make it night"): the shot would drift from what was asked, one message at a time."""
    said = content_words(message)
    for name in CONTENT_FIELDS:
        had = _value(base, name)
        if name in stated or not had or data[name] in (None, had):
            continue
        new_words = content_words(data[name]) - content_words(had)
        if new_words and not new_words & said:
            checked.notes.append(f"kept the {name} {had!r}: your message does not change it")
            data[name] = had


def _keep_untouched(data: dict[str, Any], base: ShotSpec | None, stated: set[str], checked: Checked) -> None:
    """A field the shot had that the message does not mention is not cleared by the model."""
    if base is None:
        return
    for name in ShotSpec.model_fields:
        had = _value(base, name)
        if name in stated or name == "characters" or had in (None, []) or data[name] not in (None, []):
            continue
        checked.notes.append(f"kept the {name} {had!r}: your message does not remove it")
        data[name] = had
