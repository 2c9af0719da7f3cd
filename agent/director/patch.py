"""The LLM director's answer: a patch of the ShotSpec fields one message changes, plus an optional question.

The patch has no aspect ratio, duration, frame rate, seed, characters or continuation: those are the creator's to
state, and the offline grammar reads them exactly ("vertical", "8s", "24fps", "seed 7", "Ana is a tall woman in
...", "continue from the last shot"), so a
model's value for them would only ever be dropped (an invention) or overruled (the creator's words win). Leaving
them out saves a small model the tokens and the temptation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.director.intake import fit_fields
from agent.spec import ShotSpec
from generator.vocabulary import CameraAngle, CameraMovement, CameraSpeed, ShotSize, TimeOfDay

ClearableField = Literal[
    "subject", "action", "setting", "style", "lighting", "mood", "shot_size", "camera_angle", "camera_movement",
    "camera_speed", "time_of_day", "aspect_ratio", "duration_s", "fps", "seed", "negative_prompt", "characters",
    "effects", "continue_previous",
]  # fmt: skip


# ShotSpec's limits, in the schema the server receives: a grammar-constrained server cannot produce what the spec
# would refuse (a 3000-character subject, a 0-second shot, a nameless character). One patch field carries one
# message's change, so its text is bounded tighter than a spec field: a 2000-character maxLength makes
# llama-cpp-python 0.3.36 fail to build the grammar and crash ("number of rules ... exceeds sane defaults"),
# and long bounds slow its grammar sampling. The spec's own limit still applies to the field after the change.
PATCH_TEXT = 500
Text = Annotated[str, Field(min_length=1, max_length=PATCH_TEXT)]
# An effect is a word or two ("rain", "lens flare"); a spec's effect may be longer (MAX_EFFECT), a patch's is not.
PATCH_EFFECT = 60
Effect = Annotated[str, Field(min_length=1, max_length=PATCH_EFFECT)]
# A small model repeats a list item until its tokens run out ("pan-left", "pan-left", ...): the grammar stops it.
MAX_PATCH_ITEMS = 4


def _about(name: str) -> str:
    return ShotSpec.model_fields[name].description or name


class SpecPatch(BaseModel):
    """Only the fields this message changes; a field left out (or null) stays as it is. Every property is nullable,
    so the schema with every property required also works in OpenAI's strict json_schema mode."""

    model_config = ConfigDict(extra="forbid")

    subject: Text | None = Field(None, description=_about("subject"))
    action: Text | None = Field(None, description=_about("action"))
    setting: Text | None = Field(None, description=_about("setting"))
    style: Text | None = Field(None, description=_about("style"))
    lighting: Text | None = Field(None, description=_about("lighting"))
    mood: Text | None = Field(None, description=_about("mood"))
    shot_size: ShotSize | None = Field(None, description=_about("shot_size"))
    camera_angle: CameraAngle | None = Field(None, description=_about("camera_angle"))
    camera_movement: CameraMovement | None = Field(None, description=_about("camera_movement"))
    camera_speed: CameraSpeed | None = Field(None, description=_about("camera_speed"))
    time_of_day: TimeOfDay | None = Field(None, description=_about("time_of_day"))
    negative_prompt: Text | None = Field(None, description=_about("negative_prompt"))
    effects: list[Effect] | None = Field(
        None,
        max_length=MAX_PATCH_ITEMS,
        description="The full list of effects after this message, or null if unchanged. " + _about("effects"),
    )
    clear: list[ClearableField] | None = Field(
        None, max_length=MAX_PATCH_ITEMS, description="Fields the message asks to remove (they go back to null)."
    )
    question: str | None = Field(
        None, description="One short clarifying question, only when the request is too vague to render."
    )


def apply_patch(base: ShotSpec | None, patch: SpecPatch) -> tuple[ShotSpec, list[str]]:
    """The base spec with the patch applied (the patch's own limits keep every value in range); a text field that
    the change would grow past its limit stays as it was, and is said so."""
    data: dict[str, Any] = (base or ShotSpec()).model_dump()
    empty = ShotSpec().model_dump()
    for name in patch.clear or []:
        data[name] = empty[name]
    changes = patch.model_dump(exclude={"clear", "question"}, exclude_none=True)
    # A model that writes "" for a field it leaves alone means null: blank text is never a spec value.
    data.update({k: v for k, v in changes.items() if not (isinstance(v, str) and not v.strip())})
    if "effects" in changes:
        data["effects"] = [effect for effect in changes["effects"] if effect.strip()]
    notes = fit_fields(data, base.model_dump() if base else None)
    return ShotSpec.model_validate(data), notes


def patched_fields(patch: SpecPatch) -> set[str]:
    """The spec fields a patch sets or clears."""
    return set(patch.model_dump(exclude={"clear", "question"}, exclude_none=True)) | set(patch.clear or [])
