"""One message read word by word: every field it names, every edit it asks for, with where each was said.

`read_message` runs named steps in a fixed order on one `_Reader`. Each step claims the stretch of text it
understood (`taken`), so a later step does not read the same words again: "slow motion" is an effect before
it can be a camera speed, "10 seconds" a duration before it can be a subject. What no step claims is left to
`read_content` (subject, action, setting).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.director.grammar import edits
from agent.director.grammar.camera import CameraReading, choose, read_camera
from agent.director.grammar.content import Content, read_content
from agent.director.grammar.lexicon import (
    ABBREVIATION,
    ANGLE_ABBREVIATIONS,
    ANGLES,
    ASPECT_NOT_BEFORE,
    ASPECT_OK_AFTER,
    ASPECTS,
    EFFECTS,
    EXPOSURE_EDITS,
    LIGHTING,
    MOOD_SAID,
    MOODS,
    SHOT_ABBREVIATIONS,
    SHOT_SIZES,
    STRONG_STYLE,
    STYLE_NOT,
    STYLE_PHRASES,
    STYLES,
    TIMES,
    Table,
)
from agent.director.grammar.numbers import NumberMatch, find_duration, find_fps, find_relative_duration
from agent.director.grammar.text import Match, corrected_between, negated_before, normalise
from agent.director.grammar.words import words_of

# Effects that describe the whole clip, never a noun that follows ("slow motion shot" is not a kind of shot).
_CLIP_EFFECTS = frozenset({"slow motion", "time-lapse", "hyperlapse"})


@dataclass
class Reading:
    """What one message says, before it is applied to the current spec."""

    norm: str
    camera: CameraReading
    shot_size: str | None = None
    shot_step: int = 0  # +1 tighter, -1 wider
    camera_angle: str | None = None
    time_of_day: str | None = None
    times_negated: list[str] = field(default_factory=list)
    aspect_ratio: str | None = None
    duration: NumberMatch | None = None
    relative_duration: NumberMatch | None = None
    fps: NumberMatch | None = None
    speed_step: int = 0  # +1 faster, -1 slower
    styles: list[str] = field(default_factory=list)
    styles_negated: list[str] = field(default_factory=list)
    lighting: str | None = None
    lighting_negated: list[str] = field(default_factory=list)  # "no neon": out of the lighting and the shot
    mood: str | None = None
    effects: list[str] = field(default_factory=list)
    effects_negated: list[str] = field(default_factory=list)
    effects_swapped: list[str] = field(default_factory=list)  # swapped out ("snow instead of rain"), not forbidden
    negative: list[str] = field(default_factory=list)
    seed: int | None = None
    swap: tuple[str, str] | None = None
    swap_new_read: bool = False  # the swap's new words are another field's ("night instead of dawn")
    additions: list[str] = field(default_factory=list)  # "add a red collar": joins the subject
    clear: set[str] = field(default_factory=set)
    content: Content = field(default_factory=Content)
    notes: list[str] = field(default_factory=list)
    # Where each field other than the content was read: (field, start, end) in `norm`, e.g. the words of a move.
    claimed: tuple[tuple[str, int, int], ...] = ()

    @property
    def explicit(self) -> dict[str, object]:
        """Fields the message names in so many words: these win over an LLM's reading."""
        out: dict[str, object] = {}
        if self.camera.movement is not None:
            out["camera_movement"] = self.camera.movement.value
        if self.camera.speed is not None:
            out["camera_speed"] = self.camera.speed.value
        if self.aspect_ratio is not None:
            out["aspect_ratio"] = self.aspect_ratio
        if self.duration is not None:
            out["duration_s"] = self.duration.value
        if self.fps is not None:
            out["fps"] = round(self.fps.value)
        return out


def _find(norm: str, table: Table, field_name: str, taken: list[Match], *, mask: bool = True) -> list[Match]:
    found: list[Match] = []
    for pattern, value in table:
        for hit in pattern.finditer(norm):
            start, end = hit.span()
            blockers = [m.start for m in [*taken, *found] if m.start < end and start < m.end]
            if blockers and min(blockers) > start:  # "aerial drone shot rising": the move has "drone shot"
                shorter = pattern.match(norm, start, min(blockers))
                hit = shorter if shorter and not norm[shorter.end() : shorter.end() + 1].isalpha() else None
            elif blockers:
                hit = None
            if hit is None or hit.start() == hit.end():
                continue
            start, end = hit.span()
            found.append(Match(field_name, value or hit.group(0), start, end, negated_before(norm, start), mask))
    found.sort(key=lambda m: m.start)
    return found


def _aspect_ok(norm: str, match: Match) -> bool:
    said = norm[match.start : match.end]
    if not said.startswith(("square", "vertical", "horizontal", "portrait", "scope", "widescreen", "full")):
        return True
    if ASPECT_NOT_BEFORE.search(norm[max(0, match.start - 12) : match.start]):
        return False
    return bool(ASPECT_OK_AFTER.match(norm, match.end)) or said != said.split()[0]


def _said_in(original: str, match: Match) -> str:
    """The words of a match as the creator typed them (case kept), runs of spaces collapsed."""
    return " ".join(original[match.start : match.end].split())


_EXPOSURE_VALUES = frozenset(value for value, _ in EXPOSURE_EDITS)
_NOT_A_NOUN = words_of(
    "style look aesthetic shot video clip footage film vibe and with in at on of please effect effects lighting light "
    "mood feel tone atmosphere then but for too instead vibes movie version "
    "over across through along above under below behind near into during while as by against"
)


def _is_attributive(norm: str, match: Match) -> bool:
    """True when the phrase describes a noun that follows ('a misty forest', 'neon signs'): keep it in the content."""
    following = re.match(r"\s+([a-z]+)", norm[match.end :])
    if following is None:
        return False
    word = following.group(1)
    return word not in _NOT_A_NOUN


def read_message(text: str, *, base_move: str | None = None) -> Reading:
    """Read every field a message names; nothing is guessed for what it does not name."""
    reader = _Reader(text, base_move)
    for step in (
        reader.read_camera,
        reader.read_numbers,
        reader.read_effects,
        reader.read_framing,
        reader.read_abbreviations,
        reader.read_aspect,
        reader.read_steps,
        reader.read_styles,
        reader.read_lighting,
        reader.read_mood,
        reader.read_seed_and_removals,
        reader.read_additions,
        reader.read_content,
    ):
        step()
    return reader.reading


def _find_swap(text: str, norm: str) -> tuple[tuple[str, str], tuple[int, int], tuple[int, int]] | None:
    """The first swap the message asks for: (old, new) as typed, the whole phrase's span, and where `old` is."""
    for pattern in edits.SWAP:
        hit = pattern.search(norm)
        if hit is None:
            continue
        old = text[hit.start("old") : hit.end("old")].strip()
        new = text[hit.start("new") : hit.end("new")].strip()
        old_at = norm.find(normalise(old), hit.start())
        old_span = (old_at, old_at + len(old)) if old_at >= 0 else (0, 0)
        return (old, new), hit.span(), old_span
    return None


class _Reader:
    """The state the steps of `read_message` share: the text, what is claimed so far, and the reading."""

    def __init__(self, text: str, base_move: str | None) -> None:
        self.text = text
        self.norm = normalise(text)
        self.base_move = base_move
        self.taken: list[Match] = []
        swap = _find_swap(text, self.norm)
        self.swap, self.swap_span, self.old_span = swap if swap else (None, None, (0, 0))
        self.reading = Reading(norm=self.norm, camera=CameraReading(None, None, (), ()))

    def swapped_out(self, match: Match) -> bool:
        """Whether a match lies in the words a swap replaces ("the dusk" in "swap the dusk for dawn")."""
        return self.old_span[0] <= match.start < self.old_span[1]

    def overlaps_taken(self, start: int, end: int, *, masking_only: bool = False) -> bool:
        return any(m.start < end and start < m.end and (m.mask or not masking_only) for m in self.taken)

    def read_camera(self) -> None:
        camera = read_camera(self.norm, self.base_move)
        if self.swap_span is not None:  # a move inside the swapped-out words is not asked for
            moves = [Match(m.field, m.value, m.start, m.end, m.negated or self.swapped_out(m)) for m in camera.spans]
            chosen = choose(self.norm, moves)
            if chosen is not camera.movement:
                camera = CameraReading(chosen, camera.speed, camera.notes, tuple(moves))
        self.taken.extend(camera.spans)
        if camera.speed is not None and camera.speed.end > camera.speed.start:
            self.taken.append(camera.speed)
        self.reading.camera = camera
        self.reading.notes = list(camera.notes)

    def read_numbers(self) -> None:
        """Durations (absolute and relative) and frame rates, before anything else can read their words."""
        norm, reading = self.norm, self.reading
        relative = find_relative_duration(norm)
        durations = [
            d for d in find_duration(norm) if not (relative and d.start < relative.end and relative.start < d.end)
        ]
        if relative is not None:
            self.taken.append(Match("duration_s", relative.value, relative.start, relative.end))
            reading.relative_duration = relative
        if durations:
            live = [d for d in durations if not negated_before(norm, d.start)]
            if live:  # "5 seconds, actually 8": the correction wins
                reading.duration = live[-1] if len(live) > 1 and _corrected(norm, live) else live[0]
            self.taken.extend(Match("duration_s", d.value, d.start, d.end) for d in durations)
        fps = [f for f in find_fps(norm) if not self.overlaps_taken(f.start, f.end)]
        if fps:
            reading.fps = fps[0]
            self.taken.extend(Match("fps", f.value, f.start, f.end) for f in fps)

    def read_effects(self) -> None:
        reading = self.reading
        for match in _find(self.norm, EFFECTS, "effects", self.taken):
            attributive = _is_attributive(self.norm, match) and match.value not in _CLIP_EFFECTS
            swapped = self.swapped_out(match)
            (reading.effects_negated if match.negated or swapped else reading.effects).append(str(match.value))
            if swapped:
                reading.effects_swapped.append(str(match.value))
            self.taken.append(
                Match(match.field, match.value, match.start, match.end, match.negated, mask=not attributive)
            )

    def read_framing(self) -> None:
        """Shot size, camera angle and time of day from the lexicon."""
        for table, name in ((SHOT_SIZES, "shot_size"), (ANGLES, "camera_angle"), (TIMES, "time_of_day")):
            matches = [m for m in _find(self.norm, table, name, self.taken) if not self.swapped_out(m)]
            if name == "time_of_day":
                self.reading.times_negated = [str(m.value) for m in matches if m.negated]
            chosen = choose(self.norm, matches)
            if chosen is not None:
                setattr(self.reading, name, chosen.value)
            self.taken.extend(matches)

    def read_abbreviations(self) -> None:
        """ECU, MCU, WS, POV...: matched on the original text, case-sensitively."""
        reading = self.reading
        for hit in ABBREVIATION.finditer(self.text):
            word = hit.group(1)
            if word in SHOT_ABBREVIATIONS and reading.shot_size is None:
                reading.shot_size = SHOT_ABBREVIATIONS[word]
            elif word in ANGLE_ABBREVIATIONS and reading.camera_angle is None:
                reading.camera_angle = ANGLE_ABBREVIATIONS[word]
            self.taken.append(Match("abbreviation", word, *hit.span()))

    def read_aspect(self) -> None:
        found = _find(self.norm, ASPECTS, "aspect_ratio", self.taken)
        aspects = [m for m in found if _aspect_ok(self.norm, m) and not self.swapped_out(m)]
        chosen = choose(self.norm, aspects)
        if chosen is not None:
            self.reading.aspect_ratio = str(chosen.value)
        self.taken.extend(aspects)

    def read_steps(self) -> None:
        """Relative framing and speed: "wider", "a bit tighter", "slower", "speed it up"."""
        reading = self.reading
        if reading.shot_size is None and (step := edits.SHOT_STEP.search(self.norm)):
            reading.shot_step = 1 if step.group("tighter") else -1
            self.taken.append(Match("shot_size", reading.shot_step, *step.span()))
        step = edits.SPEED_STEP.search(self.norm)
        if step and not reading.camera.speed and not any(t.start <= step.start() < t.end for t in self.taken):
            reading.speed_step = 1 if step.group("faster") else -1
            self.taken.append(Match("camera_speed", reading.speed_step, *step.span()))

    def read_styles(self) -> None:
        norm, text, reading = self.norm, self.text, self.reading
        styles = _find(norm, STYLES, "style", self.taken)
        for pattern in STYLE_PHRASES:  # "in the style of X", "X look": the creator's own words
            for hit in pattern.finditer(norm):
                said = hit.group("x").strip()
                if said.split()[0] in STYLE_NOT or self.overlaps_taken(hit.start(), hit.end()):
                    continue
                start = hit.start("x")
                styles = [m for m in styles if not (m.start <= start < m.end)]
                styles.append(Match("style", said, start, start + len(said), negated_before(norm, hit.start())))
                self.taken.append(Match("style", said, hit.start(), hit.end()))
        for match in sorted(styles, key=lambda m: m.start):
            said = _said_in(text, match)
            attributive = _is_attributive(norm, match)
            if attributive and not STRONG_STYLE.search(norm[match.start : match.end]):
                continue  # "a neon sign": a thing in the shot, not the shot's style
            (reading.styles_negated if match.negated or self.swapped_out(match) else reading.styles).append(said)
            self.taken.append(Match(match.field, said, match.start, match.end, mask=not attributive))

    def read_lighting(self) -> None:
        norm = self.norm
        said: list[Match] = []
        for pattern in LIGHTING:
            for hit in pattern.finditer(norm):
                span = hit.span()
                if self.overlaps_taken(*span, masking_only=True) or self.swapped_out(Match("lighting", "", *span)):
                    continue
                match = Match("lighting", hit.group(0), *span, negated_before(norm, hit.start()))
                if match.negated:
                    self.reading.lighting_negated.append(_said_in(self.text, match))
                else:
                    said.append(match)
                self.taken.append(Match("lighting", hit.group(0), *span, mask=not _is_attributive(norm, match)))
        for value, pattern in EXPOSURE_EDITS:  # "too dark", "brighter": the light wanted, not the words said
            for hit in pattern.finditer(norm):
                if not self.overlaps_taken(*hit.span()):
                    said.append(Match("lighting", value, *hit.span()))
                    self.taken.append(Match("lighting", value, *hit.span()))
        if said:  # "overcast, warm light": every light asked for, in the order said
            words = [m.value if m.value in _EXPOSURE_VALUES else _said_in(self.text, m) for m in said]
            order = sorted(range(len(said)), key=lambda k: said[k].start)
            self.reading.lighting = ", ".join(words[k] for k in order)

    def read_mood(self) -> None:
        for pattern in (MOOD_SAID, MOODS):
            for hit in pattern.finditer(self.norm):
                if self.reading.mood is not None or self.overlaps_taken(hit.start(), hit.end()):
                    continue
                if not negated_before(self.norm, hit.start()):
                    self.reading.mood = self.text[hit.start("x") : hit.end("x")]
                self.taken.append(Match("mood", hit.group("x"), *hit.span()))

    def read_seed_and_removals(self) -> None:
        """A seed, whole fields cleared ("no style") and things to keep out of the shot ("no cars")."""
        norm, reading = self.norm, self.reading
        if hit := edits.SEED.search(norm):
            reading.seed = int(hit.group("n"))
            self.taken.append(Match("seed", reading.seed, *hit.span()))
        for name, pattern in edits.CLEAR.items():
            if hit := pattern.search(norm):
                reading.clear.add(name)
                self.taken.append(Match(name, None, *hit.span()))
        for hit in edits.NEGATIVE.finditer(norm):
            said = hit.group("x").strip()
            if said in edits.NOT_NEGATIVE or self.overlaps_taken(hit.start("x"), hit.end()):
                continue
            reading.negative.append(self.text[hit.start("x") : hit.start("x") + len(said)])
            self.taken.append(Match("negative_prompt", said, *hit.span()))

    def read_additions(self) -> None:
        self.reading.swap = self.swap
        if self.swap is not None and self.swap_span is not None:
            new_at = self.norm.find(normalise(self.swap[1]), self.swap_span[0])
            self.reading.swap_new_read = new_at >= 0 and self.overlaps_taken(new_at, new_at + len(self.swap[1]))
        for hit in edits.ADD.finditer(self.norm):
            if not self.overlaps_taken(hit.start("x"), hit.end(), masking_only=True):
                self.reading.additions.append(self.text[hit.start("x") : hit.end("x")].strip())
                self.taken.append(Match("subject", None, *hit.span()))

    def read_content(self) -> None:
        """Subject, action and setting from the words no other step claimed."""
        masked = [(m.start, m.end) for m in self.taken if m.mask and m.end > m.start]
        if self.swap_span is not None:
            masked.append(self.swap_span)
        # a clause right after a move or a shot size names what it points at ('push in on the knight',
        # 'close-up on his face'): already in the shot, not a new setting
        camera_ends = [m.end for m in self.reading.camera.spans]
        camera_ends += [m.end for m in self.taken if m.field == "shot_size" and not m.negated]
        self.reading.content = read_content(self.text, self.norm, masked, camera_ends)
        self.reading.claimed = tuple((m.field, m.start, m.end) for m in self.taken if m.end > m.start)


def _corrected(norm: str, matches: list[NumberMatch]) -> bool:
    return corrected_between(norm, matches[0].start, matches[-1].start + 1)
