"""Compile a ShotSpec into a RenderRequest for one model family, reporting every snap."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dailies.agent.spec import ShotSpec
from dailies.generator.families import ModelFamily
from dailies.generator.request import CameraPath, LookHints, RenderRequest
from dailies.vocabulary import ASPECT_VALUES

DEFAULT_DURATION_S = 4.0
DEFAULT_ASPECT = "16:9"

CAMERA_PHRASES: dict[str, str] = {
    "static": "static camera, locked-off shot",
    "pan_left": "the camera pans left",
    "pan_right": "the camera pans right",
    "tilt_up": "the camera tilts up",
    "tilt_down": "the camera tilts down",
    "dolly_in": "the camera dollies in toward the subject",
    "dolly_out": "the camera dollies out away from the subject",
    "truck_left": "the camera trucks left alongside the scene",
    "truck_right": "the camera trucks right alongside the scene",
    "pedestal_up": "the camera rises straight up",
    "pedestal_down": "the camera lowers straight down",
    "zoom_in": "the camera zooms in",
    "zoom_out": "the camera zooms out",
    "orbit_left": "the camera orbits left around the subject",
    "orbit_right": "the camera orbits right around the subject",
    "crane_up": "crane shot rising up",
    "crane_down": "crane shot descending",
    "tracking": "tracking shot following the subject",
    "handheld": "handheld camera, slight shake",
}

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


def prompt_text(spec: ShotSpec) -> str:
    """The prompt in the order video models follow best: camera, framing, subject, action, place, look."""
    parts: list[str] = []
    if phrase := camera_phrase(spec):
        parts.append(phrase)
    if spec.shot_size:
        parts.append(SHOT_SIZE_PHRASES[spec.shot_size])
    if spec.camera_angle:
        parts.append(spec.camera_angle.replace("_", " ") + " angle")
    subject = spec.subject or ""
    for character in spec.characters:
        subject = (
            f"{subject}; {character.name}: {character.description}"
            if subject
            else (f"{character.name}: {character.description}")
        )
    subject_action = " ".join(p for p in (subject, spec.action) if p)
    if subject_action:
        parts.append(subject_action)
    if spec.setting:
        has_preposition = spec.setting.lower().startswith(("in ", "on ", "at "))
        parts.append(spec.setting if has_preposition else f"in {spec.setting}")
    if spec.time_of_day:
        parts.append(TIME_PHRASES[spec.time_of_day])
    for text in (spec.lighting, spec.mood and f"{spec.mood} mood", spec.style):
        if text:
            parts.append(text)
    parts.extend(spec.effects)
    return ", ".join(parts) or "a cinematic shot"


def frame_size(family: ModelFamily, aspect: str) -> tuple[int, int]:
    """Width and height at the family's native pixel area for this aspect, snapped to its multiple."""
    ratio = ASPECT_VALUES[aspect]
    height = math.sqrt(family.native_area / ratio)
    return family.snap_side(height * ratio), family.snap_side(height)


def compile_shot(
    spec: ShotSpec,
    family: ModelFamily,
    *,
    seed: int | None = None,
    steps: int | None = None,
    model: str | None = None,
) -> CompiledShot:
    """Turn a spec into a request this family accepts, saying what was snapped or defaulted."""
    notes: list[str] = []
    aspect = spec.aspect_ratio or DEFAULT_ASPECT
    width, height = frame_size(family, aspect)
    fps = spec.fps or family.native_fps
    duration = spec.duration_s or DEFAULT_DURATION_S
    wanted_frames = max(1, round(duration * fps))
    num_frames = family.snap_frames(wanted_frames)
    if num_frames != wanted_frames:
        notes.append(
            f"{family.title} needs {family.frame_rule} frames (max {family.max_frames}); "
            f"snapped {wanted_frames} to {num_frames} ({num_frames / fps:.2f} s at {fps} fps)"
        )
    negative = spec.negative_prompt
    if family.supports_negative_prompt:
        negative = ", ".join(p for p in (negative, family.default_negative_prompt) if p) or None
    elif negative:
        notes.append(f"{family.title} ignores negative prompts; dropped {negative!r}")
        negative = None
    request = RenderRequest(
        prompt=prompt_text(spec),
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
    return CompiledShot(request=request, notes=notes)
