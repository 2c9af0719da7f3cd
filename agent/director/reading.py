"""One message read word by word: every field it names, every edit it asks for, with where each was said."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.director.camera import CameraReading, choose, read_camera
from agent.director.content import Content, read_content
from agent.director.lexicon import (
    ABBREVIATION,
    ANGLE_ABBREVIATIONS,
    ANGLES,
    ASPECT_NOT_BEFORE,
    ASPECT_OK_AFTER,
    ASPECTS,
    EFFECTS,
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
from agent.director.numbers import NumberMatch, find_duration, find_fps, find_relative_duration
from agent.director.text import Match, negated_before, normalise
from agent.director.words import words_of

_SWAP = (
    re.compile(
        r"(?<![a-z])(?:swap|switch|replace|change|turn|trade|exchange)(?: out)? (?P<old>[a-z0-9' ]{2,40}?) "
        r"(?:for|with|to|into|by) (?P<new>[a-z0-9' ]{2,60}?)(?=\s*(?:$|[,.;!?]|\binstead\b|\bplease\b|\band\b))"
    ),
    re.compile(
        r"(?<![a-z])(?:make|turn) the (?P<old>[a-z]+(?: [a-z]+)?) (?:into )?(?P<new>(?:a|an) [a-z0-9' ]{2,60}?)"
        r"(?=\s*(?:$|[,.;!?]|\binstead\b|\bplease\b))"
    ),
    re.compile(
        r"(?<![a-z])(?P<new>(?:a|an|the|some|two|three) [a-z0-9' ]{2,60}?) instead of (?:the |a |an )?"
        r"(?P<old>[a-z0-9' ]{2,40}?)(?=\s*(?:$|[,.;!?]))"
    ),
    re.compile(r"(?<![a-z])(?P<new>[a-z]+) instead of (?:the |a |an )?(?P<old>[a-z]+)(?=\s*(?:$|[,.;!?]))"),
    re.compile(
        r"(?<![a-z])instead of (?:the |a |an )?(?P<old>[a-z0-9' ]{2,40}?),? (?:use |make it |show |have )?"
        r"(?P<new>(?:a|an|the|some) [a-z0-9' ]{2,60}?)(?=\s*(?:$|[,.;!?]))"
    ),
)
_SHOT_STEP = re.compile(
    r"(?<![a-z])(?:(?P<wider>(?:a (?:bit|little|touch) |slightly |much )?wider(?: shot| framing| frame)?"
    r"|frame (?:it )?wider"
    r"|go wide|loosen (?:up )?the (?:shot|framing)|show more of the (?:scene|setting|surroundings))"
    r"|(?P<tighter>(?:a (?:bit|little|touch) |slightly |much )?(?:tighter|closer)(?: shot| framing| frame| in)?"
    r"|frame (?:it )?(?:tighter|closer)|go tight|get closer))(?![a-z])"
)
_SPEED_STEP = re.compile(
    r"(?<![a-z])(?:(?P<slower>slower|more slowly|slow (?:it|the camera|the move|the pan|this|that|things"
    r"|everything)? ?down"
    r"|less fast|not so fast|too fast|half speed|calmer|gentler)"
    r"|(?P<faster>faster|quicker|more quickly|speed (?:it|the camera|the move|the pan|this|that|things)? ?up|too slow"
    r"|double speed|snappier|more energetic))(?![a-z])"
)
_ADD = re.compile(
    r"(?<![a-z])(?:add|include|put in|throw in|also show|give (?:him|her|them|it))\s+(?P<x>(?:a|an|the|some|two|three)"
    r"\s[a-z0-9' ]{2,60}?)(?=\s*(?:$|[,.;!?]|\bplease\b|\btoo\b))"
)
_SEED = re.compile(r"(?<![a-z])seed(?: number| of| =|:| to| is)? ?#?(?P<n>\d{1,18})(?![0-9])")
_NEGATIVE = re.compile(
    r"(?<![a-z])(?:no|without|avoid|don't show|do not show|never show|exclude|get rid of|lose|remove|drop|keep out)"
    r" (?:any |the |all )?(?P<x>[a-z][a-z' ]{1,30}?)(?=\s*(?:$|[,.;!?]|\band\b|\bplease\b|\bin the shot\b|\bin frame\b"
    r"|\banywhere\b|\bthis time\b))"
)
_NOT_NEGATIVE = frozenset(
    {"wait", "way", "problem", "need", "worries", "thanks", "longer", "more", "idea", "clue", "change", "changes",
     "doubt", "matter", "one", "it", "that", "this", "camera movement", "movement", "motion", "camera motion", "style",
     "filter", "effects", "effect", "moves", "move"}
)  # fmt: skip
_CLEAR = {
    "style": re.compile(r"(?<![a-z])(?:no|drop the|lose the|remove the|without the|plain|no more) (?:style|filter"
        r"|look)"),
    "effects": re.compile(r"(?<![a-z])(?:no|drop the|lose the|remove the|without|no more|remove all|drop all) "
                          r"(?:effects|fx|special effects)"),
    "time_of_day": re.compile(r"(?<![a-z])(?:any time of day|whatever time|time doesn't matter)"),
}  # fmt: skip


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
    mood: str | None = None
    effects: list[str] = field(default_factory=list)
    effects_negated: list[str] = field(default_factory=list)
    effects_swapped: list[str] = field(default_factory=list)  # swapped out ("snow instead of rain"), not forbidden
    negative: list[str] = field(default_factory=list)
    seed: int | None = None
    swap: tuple[str, str] | None = None
    additions: list[str] = field(default_factory=list)  # "add a red collar": joins the subject
    clear: set[str] = field(default_factory=set)
    content: Content = field(default_factory=Content)
    notes: list[str] = field(default_factory=list)

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
            if start == end or any(m.start < end and start < m.end for m in [*taken, *found]):
                continue
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


def _originalwords_of(original: str, match: Match) -> str:
    return " ".join(original[match.start : match.end].split())


_NOT_A_NOUN = words_of(
    "style look aesthetic shot video clip footage film vibe and with in at on of please effect effects lighting light "
    "mood feel tone atmosphere then but for too instead vibes movie version"
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
    norm = normalise(text)
    taken: list[Match] = []
    swap_span: tuple[int, int] | None = None
    swap: tuple[str, str] | None = None
    for pattern in _SWAP:
        hit = pattern.search(norm)
        if hit:
            old = text[hit.start("old") : hit.end("old")].strip()
            new = text[hit.start("new") : hit.end("new")].strip()
            swap, swap_span = (old, new), hit.span()
            break

    def in_old(match: Match) -> bool:
        return swap_span is not None and swap is not None and hit_old[0] <= match.start < hit_old[1]

    hit_old = (0, 0)
    if swap_span is not None:
        old_at = norm.find(normalise(swap[0]), swap_span[0]) if swap else -1
        hit_old = (old_at, old_at + len(swap[0])) if old_at >= 0 else (0, 0)

    camera = read_camera(norm, base_move)
    if swap_span is not None:
        moves = [Match(m.field, m.value, m.start, m.end, m.negated or in_old(m)) for m in camera.spans]
        chosen = choose(norm, moves)
        if chosen is not camera.movement:
            camera = CameraReading(chosen, camera.speed, camera.notes, tuple(moves))
    taken.extend(camera.spans)
    if camera.speed is not None and camera.speed.end > camera.speed.start:
        taken.append(camera.speed)
    reading = Reading(norm=norm, camera=camera, notes=list(camera.notes))

    # Effects and durations first: "slow motion" is not a camera speed, "10 seconds" not a subject.
    relative = find_relative_duration(norm)
    durations = [d for d in find_duration(norm) if not (relative and d.start < relative.end and relative.start < d.end)]
    if relative is not None:
        taken.append(Match("duration_s", relative.value, relative.start, relative.end))
        reading.relative_duration = relative
    if durations:
        live = [d for d in durations if not negated_before(norm, d.start)]
        if live:
            reading.duration = live[-1] if len(live) > 1 and _corrected(norm, live) else live[0]
        taken.extend(Match("duration_s", d.value, d.start, d.end) for d in durations)
    fps = [f for f in find_fps(norm) if not any(t.start < f.end and f.start < t.end for t in taken)]
    if fps:
        reading.fps = fps[0]
        taken.extend(Match("fps", f.value, f.start, f.end) for f in fps)

    effects = _find(norm, EFFECTS, "effects", taken)
    for match in effects:
        attributive = _is_attributive(norm, match) and match.value not in {"slow motion", "time-lapse", "hyperlapse"}
        (reading.effects_negated if match.negated or in_old(match) else reading.effects).append(str(match.value))
        if in_old(match):
            reading.effects_swapped.append(str(match.value))
        taken.append(Match(match.field, match.value, match.start, match.end, match.negated, mask=not attributive))

    for table, name in ((SHOT_SIZES, "shot_size"), (ANGLES, "camera_angle"), (TIMES, "time_of_day")):
        matches = [m for m in _find(norm, table, name, taken) if not in_old(m)]
        if name == "time_of_day":
            reading.times_negated = [str(m.value) for m in matches if m.negated]
        chosen = choose(norm, matches)
        if chosen is not None:
            setattr(reading, name, chosen.value)
        taken.extend(matches)
    for hit in ABBREVIATION.finditer(text):
        word = hit.group(1)
        if word in SHOT_ABBREVIATIONS and reading.shot_size is None:
            reading.shot_size = SHOT_ABBREVIATIONS[word]
        elif word in ANGLE_ABBREVIATIONS and reading.camera_angle is None:
            reading.camera_angle = ANGLE_ABBREVIATIONS[word]
        taken.append(Match("abbreviation", word, *hit.span()))

    aspects = [m for m in _find(norm, ASPECTS, "aspect_ratio", taken) if _aspect_ok(norm, m) and not in_old(m)]
    chosen = choose(norm, aspects)
    if chosen is not None:
        reading.aspect_ratio = str(chosen.value)
    taken.extend(aspects)

    if reading.shot_size is None and (step := _SHOT_STEP.search(norm)):
        reading.shot_step = 1 if step.group("tighter") else -1
        taken.append(Match("shot_size", reading.shot_step, *step.span()))
    step = _SPEED_STEP.search(norm)
    if step and not camera.speed and not any(t.start <= step.start() < t.end for t in taken):
        reading.speed_step = 1 if step.group("faster") else -1
        taken.append(Match("camera_speed", reading.speed_step, *step.span()))

    styles = _find(norm, STYLES, "style", taken)
    for pattern in STYLE_PHRASES:
        for hit in pattern.finditer(norm):
            said = hit.group("x").strip()
            if said.split()[0] in STYLE_NOT or any(m.start < hit.end() and hit.start() < m.end for m in taken):
                continue
            if any(m.start <= hit.start("x") < m.end for m in styles):
                styles = [m for m in styles if not (m.start <= hit.start("x") < m.end)]
            start = hit.start("x")
            styles.append(Match("style", said, start, start + len(said), negated_before(norm, hit.start())))
            taken.append(Match("style", said, hit.start(), hit.end()))
    for match in sorted(styles, key=lambda m: m.start):
        said = _originalwords_of(text, match)
        if _is_attributive(norm, match) and not STRONG_STYLE.search(norm[match.start : match.end]):
            continue
        (reading.styles_negated if match.negated or in_old(match) else reading.styles).append(said)
        taken.append(Match(match.field, said, match.start, match.end, mask=not _is_attributive(norm, match)))

    for pattern in LIGHTING:
        for hit in pattern.finditer(norm):
            if any(m.start < hit.end() and hit.start() < m.end and m.mask for m in taken) or in_old(
                Match("lighting", "", *hit.span())
            ):
                continue
            match = Match("lighting", hit.group(0), *hit.span(), negated_before(norm, hit.start()))
            if not match.negated and reading.lighting is None:
                reading.lighting = _originalwords_of(text, match)
            taken.append(Match("lighting", hit.group(0), *hit.span(), mask=not _is_attributive(norm, match)))
    for pattern in (MOOD_SAID, MOODS):
        for hit in pattern.finditer(norm):
            if reading.mood is None and not any(m.start < hit.end() and hit.start() < m.end for m in taken):
                if not negated_before(norm, hit.start()):
                    reading.mood = text[hit.start("x") : hit.end("x")]
                taken.append(Match("mood", hit.group("x"), *hit.span()))

    if hit := _SEED.search(norm):
        reading.seed = int(hit.group("n"))
        taken.append(Match("seed", reading.seed, *hit.span()))
    for name, pattern in _CLEAR.items():
        if hit := pattern.search(norm):
            reading.clear.add(name)
            taken.append(Match(name, None, *hit.span()))
    for hit in _NEGATIVE.finditer(norm):
        said = hit.group("x").strip()
        if said in _NOT_NEGATIVE or any(m.start < hit.end() and hit.start("x") < m.end for m in taken):
            continue
        reading.negative.append(text[hit.start("x") : hit.start("x") + len(said)])
        taken.append(Match("negative_prompt", said, *hit.span()))

    reading.swap = swap
    for hit in _ADD.finditer(norm):
        if not any(m.start < hit.end() and hit.start("x") < m.end and m.mask for m in taken):
            reading.additions.append(text[hit.start("x") : hit.end("x")].strip())
            taken.append(Match("subject", None, *hit.span()))
    masked = [(m.start, m.end) for m in taken if m.mask and m.end > m.start]
    if swap_span is not None:
        masked.append(swap_span)
    camera_ends = [m.end for m in camera.spans]
    reading.content = read_content(text, norm, masked, camera_ends)
    return reading


def _corrected(norm: str, matches: list[NumberMatch]) -> bool:
    from agent.director.text import corrected_between

    return corrected_between(norm, matches[0].start, matches[-1].start + 1)
