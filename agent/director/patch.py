"""The LLM director's answer: a patch of the ShotSpec fields one message changes, plus an optional question."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.director.intake import fit_fields
from agent.spec import MAX_DURATION_S, MAX_FPS, MIN_DURATION_S, MIN_FPS, ShotSpec
from generator.vocabulary import AspectRatio, CameraAngle, CameraMovement, CameraSpeed, ShotSize, TimeOfDay

ClearableField = Literal[
    "subject", "action", "setting", "style", "lighting", "mood", "shot_size", "camera_angle", "camera_movement",
    "camera_speed", "time_of_day", "aspect_ratio", "duration_s", "fps", "seed", "negative_prompt", "characters",
    "effects", "continue_previous",
]  # fmt: skip


def _about(name: str) -> str:
    return ShotSpec.model_fields[name].description or name


class CharacterPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="The character's name as the creator wrote it.")
    description: str = Field(description="Their look in one line (age, build, clothing, colours).")


class SpecPatch(BaseModel):
    """Only the fields this message changes; null means 'leave as it is'. Every property is required and nullable,
    so the schema also works in OpenAI's strict json_schema mode."""

    model_config = ConfigDict(extra="forbid")

    subject: str | None = Field(None, description=_about("subject"))
    action: str | None = Field(None, description=_about("action"))
    setting: str | None = Field(None, description=_about("setting"))
    style: str | None = Field(None, description=_about("style"))
    lighting: str | None = Field(None, description=_about("lighting"))
    mood: str | None = Field(None, description=_about("mood"))
    shot_size: ShotSize | None = Field(None, description=_about("shot_size"))
    camera_angle: CameraAngle | None = Field(None, description=_about("camera_angle"))
    camera_movement: CameraMovement | None = Field(None, description=_about("camera_movement"))
    camera_speed: CameraSpeed | None = Field(None, description=_about("camera_speed"))
    time_of_day: TimeOfDay | None = Field(None, description=_about("time_of_day"))
    aspect_ratio: AspectRatio | None = Field(None, description=_about("aspect_ratio"))
    duration_s: float | None = Field(None, description=_about("duration_s"))
    fps: int | None = Field(None, description=_about("fps"))
    seed: int | None = Field(None, description=_about("seed"))
    negative_prompt: str | None = Field(None, description=_about("negative_prompt"))
    characters: list[CharacterPatch] | None = Field(
        None, description="The full list of named characters in the shot after this message, or null if unchanged."
    )
    continue_previous: bool | None = Field(None, description=_about("continue_previous"))
    effects: list[str] | None = Field(
        None, description="The full list of effects after this message, or null if unchanged. " + _about("effects")
    )
    clear: list[ClearableField] | None = Field(
        None, description="Fields the message asks to remove (they go back to null or empty)."
    )
    question: str | None = Field(
        None, description="One short clarifying question, only when the request is too vague to render."
    )


def apply_patch(base: ShotSpec | None, patch: SpecPatch) -> tuple[ShotSpec, list[str]]:
    """The base spec with the patch applied; durations, frame rates and text outside the limits are snapped or
    clipped, and said so."""
    notes: list[str] = []
    data: dict[str, Any] = (base or ShotSpec()).model_dump()
    empty = ShotSpec().model_dump()
    for name in patch.clear or []:
        data[name] = empty[name]
    changes = patch.model_dump(exclude={"clear", "question"}, exclude_none=True)
    # A model that writes "" for a field it leaves alone means null: blank text is never a spec value.
    data.update({k: v for k, v in changes.items() if not (isinstance(v, str) and not v.strip())})
    if "effects" in changes:
        data["effects"] = [effect for effect in changes["effects"] if effect.strip()]
    if patch.characters is not None and base is not None:  # the LLM names characters; their faces stay ours
        faces = {c.name.casefold(): c.reference_image for c in base.characters if c.reference_image}
        for character in data["characters"]:
            character["reference_image"] = faces.get(character["name"].strip().casefold())
    notes.extend(fit_fields(data, base.model_dump() if base else None))
    if data["duration_s"] is not None:
        snapped = round(min(MAX_DURATION_S, max(MIN_DURATION_S, float(data["duration_s"]))), 2)
        if snapped != data["duration_s"]:
            notes.append(f"duration snapped from {data['duration_s']:g} s to {snapped:g} s")
        data["duration_s"] = snapped
    if data["fps"] is not None:
        snapped_fps = int(min(MAX_FPS, max(MIN_FPS, int(data["fps"]))))
        if snapped_fps != data["fps"]:
            notes.append(f"frame rate snapped from {data['fps']} to {snapped_fps} fps")
        data["fps"] = snapped_fps
    if data["seed"] is not None and data["seed"] < 0:
        data["seed"] = None
    return ShotSpec.model_validate(data), notes
