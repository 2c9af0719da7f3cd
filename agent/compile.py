"""Compile a ShotSpec into a RenderRequest for one model family, reporting every snap."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.director.intake import clip_text
from agent.spec import ShotSpec
from generator.families import PREVIZ, ModelFamily
from generator.guide import guide_note
from generator.request import MAX_PROMPT_CHARS, CameraGuide, CameraPath, LookHints, ReferenceImage, RenderRequest
from generator.segments import SegmentSpan, describe, pass_frames, split_shot
from generator.vocabulary import ASPECT_VALUES, CAMERA_PHRASES
from tools.long_take import DEFAULT_SEGMENT_S

DEFAULT_DURATION_S = 4.0
DEFAULT_ASPECT = "16:9"
MAX_FACES = 4  # RenderRequest.reference_images holds at most this many

SHOT_SIZE_PHRASES: dict[str, str] = {
    "extreme_wide": "extreme wide shot",
    "wide": "wide shot",
    "medium_wide": "medium wide shot",
    "medium": "medium shot",
    "medium_close_up": "medium close-up",
    "close_up": "close-up",
    "extreme_close_up": "extreme close-up",
}

TIME_PHRASES: dict[str, str] = {
    "dawn": "at dawn",
    "morning": "in the morning",
    "day": "in daylight",
    "golden_hour": "at golden hour",
    "dusk": "at dusk",
    "night": "at night",
}


@dataclass
class CompiledShot:
    """A RenderRequest and the notes that explain every value that was snapped or defaulted."""

    request: RenderRequest
    notes: list[str] = field(default_factory=list)


def camera_phrase(spec: ShotSpec) -> str | None:
    if spec.camera_movement is None:
        return None
    phrase = CAMERA_PHRASES[spec.camera_movement]
    if spec.camera_speed and spec.camera_movement != "static":
        phrase = f"{phrase}, {spec.camera_speed}"
    return phrase


def _subject_action(spec: ShotSpec) -> str | None:
    subject = spec.subject or ""
    for character in spec.characters:
        described = f"{character.name}: {character.description}"
        subject = f"{subject}; {described}" if subject else described
    return " ".join(p for p in (subject, spec.action) if p) or None


def reference_images(spec: ShotSpec, notes: list[str]) -> tuple[ReferenceImage, ...]:
    """The characters' stored reference images, in cast order (at most MAX_FACES; the rest from their words)."""
    faces = [ReferenceImage(name=c.name, path=c.reference_image) for c in spec.characters if c.reference_image]
    if len(faces) > MAX_FACES:
        left = ", ".join(face.name for face in faces[MAX_FACES:])
        notes.append(f"reference images of {left} left out: at most {MAX_FACES}")
    return tuple(faces[:MAX_FACES])


def _setting(spec: ShotSpec) -> str | None:
    if not spec.setting:
        return None
    has_preposition = spec.setting.lower().startswith(("in ", "on ", "at "))
    return spec.setting if has_preposition else f"in {spec.setting}"


def prompt_parts(spec: ShotSpec) -> dict[str, list[str]]:
    """The spec as named prompt parts (camera, shot, subject, setting, time, look, effects), each a list of phrases."""
    shot = [SHOT_SIZE_PHRASES[spec.shot_size]] if spec.shot_size else []
    if spec.camera_angle:
        shot.append(spec.camera_angle.replace("_", " ") + " angle")
    look = [text for text in (spec.lighting, spec.mood and f"{spec.mood} mood", spec.style) if text]
    return {
        "camera": [p for p in (camera_phrase(spec),) if p],
        "shot": shot,
        "subject": [p for p in (_subject_action(spec),) if p],
        "setting": [p for p in (_setting(spec),) if p],
        "time": [TIME_PHRASES[spec.time_of_day]] if spec.time_of_day else [],
        "look": look,
        "effects": list(spec.effects),
    }


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


def _as_sentences(parts: dict[str, list[str]], order: tuple[str, ...]) -> str:
    """Prose for families trained on descriptive captions: one sentence per idea, in the family's order."""
    sentences: list[str] = []
    for name in order:
        phrases = parts.get(name, [])
        if not phrases:
            continue
        if name == "setting" and parts.get("time") and "time" not in order[: order.index("setting")]:
            phrases = [*phrases, *parts["time"]]
        elif name == "time" and parts.get("setting") and "setting" in order[: order.index("time")]:
            continue  # already said with the setting
        if name == "effects":
            sentences.append(_sentence("with " + ", ".join(phrases)))
        elif name == "look":
            sentences.extend(_sentence(p) for p in phrases)
        else:
            sentences.append(_sentence(", ".join(phrases) if name != "setting" else " ".join(phrases)))
    return " ".join(sentences)


def prompt_text(spec: ShotSpec, family: ModelFamily | None = None) -> str:
    """The prompt in the family's preferred order and form; without a family: camera, framing, subject, place, look."""
    parts = prompt_parts(spec)
    order = family.prompt_order if family else PREVIZ.prompt_order
    if family is not None and family.prompt_form == "sentences":
        text = _as_sentences(parts, order)
    else:
        text = ", ".join(phrase for name in order for phrase in parts.get(name, []))
    return text or "a cinematic shot"


def frame_size(family: ModelFamily, aspect: str) -> tuple[int, int]:
    """Width and height for this aspect: the family's nearest trained size, else its native area snapped."""
    fit = family.fit_size(ASPECT_VALUES[aspect])
    return fit.width, fit.height


def _size_note(family: ModelFamily, aspect: str) -> str | None:
    """Why the frame is the size it is, when that is not simply the aspect at the native area."""
    fit = family.fit_size(ASPECT_VALUES[aspect])
    size = f"{fit.width}x{fit.height}"
    if fit.trained:
        if abs(fit.width / fit.height - ASPECT_VALUES[aspect]) / ASPECT_VALUES[aspect] > 0.1:
            return f"{family.title} renders only {size}; {aspect} framed at {size} instead"
        if (fit.width, fit.height) != (round(fit.exact_width), round(fit.exact_height)):
            return f"{aspect} snapped to {size}, a size {family.title} was trained at"
        return None
    snapped = abs(fit.width - fit.exact_width) >= 1 or abs(fit.height - fit.exact_height) >= 1
    untrained = ""
    if family.trained_sizes:
        trained = ", ".join(f"{w}x{h}" for w, h in family.trained_sizes)
        untrained = f" (not a size it was trained at: {trained}; expect softer results)"
    if snapped:
        return (
            f"{family.title} needs sides divisible by {family.size_multiple}; {aspect} at its native area "
            f"({family.native_width}x{family.native_height}) is {fit.exact_width:.0f}x{fit.exact_height:.0f}, "
            f"snapped to {size}{untrained}"
        )
    return f"{aspect} at {size}{untrained}" if untrained else None


def _frames_note(family: ModelFamily, wanted: int, num_frames: int, fps: int) -> str | None:
    if num_frames == wanted:
        return None
    if family.only_trained_frames:
        counts = " or ".join(str(count) for count in family.trained_frames)
        return (
            f"{family.title} renders only {counts} frames; snapped {wanted} to {num_frames} "
            f"({num_frames / fps:.2f} s at {fps} fps)"
        )
    return (
        f"{family.title} needs {family.frame_rule} frames (max {family.max_frames}); "
        f"snapped {wanted} to {num_frames} ({num_frames / fps:.2f} s at {fps} fps)"
    )


def _segments_note(family: ModelFamily, spans: list[SegmentSpan], fps: int, duration: float) -> str:
    longest = max(span.render_frames for span in spans)
    how = (
        f"each conditioned on the last {family.continue_frames} frame(s) of the one before"
        if family.continue_frames
        else "each continuing the shot's camera path"
    )
    return (
        f"{duration:g} s is longer than one pass of {family.title} ({longest} frames, {longest / fps:.2f} s): "
        f"rendered as {describe(spans, fps)}, {how}, and joined"
    )


def _negative_prompt(spec: ShotSpec, family: ModelFamily, notes: list[str]) -> str | None:
    """The creator's negative prompt, with the family's default added, or dropped where the family ignores one."""
    negative = spec.negative_prompt
    if family.supports_negative_prompt:
        if family.default_negative_prompt:
            notes.append(f"added {family.title}'s default negative prompt")
        return ", ".join(p for p in (negative, family.default_negative_prompt) if p) or None
    if negative:
        notes.append(f"{family.title} ignores negative prompts; dropped {negative!r}")
    return None


def _with_guide(
    request: RenderRequest, family: ModelFamily, guide: CameraGuide | None, notes: list[str]
) -> RenderRequest:
    """The request with the camera guide where the family has a guide path; a note says how, or why not."""
    if guide is None or family.backend == "previz":
        return request
    if family.guide_modes:
        request = request.model_copy(update={"guide": guide})
    notes.append(guide_note(family, request, guide))
    return request


def compile_shot(
    spec: ShotSpec,
    family: ModelFamily,
    *,
    seed: int | None = None,
    steps: int | None = None,
    model: str | None = None,
    segment_s: float | None = DEFAULT_SEGMENT_S,
    guide: CameraGuide | None = None,
) -> CompiledShot:
    """Turn a spec into a request this family accepts, saying what was snapped or defaulted.

    A `guide` is kept only where the family has a guide path; a note says how it conditions, or why not.
    """
    notes: list[str] = []
    aspect = spec.aspect_ratio or DEFAULT_ASPECT
    if spec.aspect_ratio is None:
        notes.append(f"no aspect ratio asked for; used {DEFAULT_ASPECT}")
    width, height = frame_size(family, aspect)
    if (size_note := _size_note(family, aspect)) is not None:
        notes.append(size_note)
    fps = spec.fps or family.native_fps
    if spec.fps is not None and spec.fps != family.native_fps and family.backend != "previz":
        notes.append(
            f"{family.title} is trained at {family.native_fps} fps; at {spec.fps} fps its motion plays "
            f"{spec.fps / family.native_fps:.2g}x as fast"
        )
    duration = spec.duration_s or DEFAULT_DURATION_S
    if spec.duration_s is None:
        notes.append(f"no duration asked for; used {DEFAULT_DURATION_S:g} s")
    wanted_frames = max(1, round(duration * fps))
    if wanted_frames > family.max_frames:  # a long shot: every frame asked for, rendered as segments
        num_frames = wanted_frames
    else:
        num_frames = family.fit_frames(wanted_frames)
        if (frames_note := _frames_note(family, wanted_frames, num_frames, fps)) is not None:
            notes.append(frames_note)
    spans = split_shot(num_frames, family, pass_frames(family, fps, segment_s))
    if len(spans) > 1:
        notes.append(_segments_note(family, spans, fps, duration))
    negative = _negative_prompt(spec, family, notes)
    prompt = prompt_text(spec, family)
    if len(prompt) > MAX_PROMPT_CHARS:  # every field at its limit: the tail is past what any text encoder reads
        clipped = clip_text(prompt, MAX_PROMPT_CHARS)
        notes.append(f"the prompt was {len(prompt)} characters; kept the first {len(clipped)}")
        prompt = clipped
    request = RenderRequest(
        prompt=prompt,
        reference_images=reference_images(spec, notes),
        negative_prompt=negative,
        width=width,
        height=height,
        num_frames=num_frames,
        fps=fps,
        seed=seed if seed is not None else (spec.seed if spec.seed is not None else 0),
        steps=steps or family.default_steps,
        guidance=family.guidance_default,
        family=family.name,
        model=model,
        camera=CameraPath(
            movement=spec.camera_movement or "static",
            speed=spec.camera_speed or "medium",
            angle=spec.camera_angle,
        ),
        look=LookHints(
            subject=spec.subject or (spec.characters[0].name if spec.characters else None),
            action=spec.action,
            setting=spec.setting,
            caption=prompt_text(spec)[:200],
            shot_size=spec.shot_size,
            time_of_day=spec.time_of_day,
            style=spec.style,
            lighting=spec.lighting,
            mood=spec.mood,
            effects=tuple(spec.effects),
        ),
    )
    return CompiledShot(request=_with_guide(request, family, guide, notes), notes=notes)
