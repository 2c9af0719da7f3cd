"""RenderRequest: everything a backend needs to render one clip, and nothing about chat."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from generator.vocabulary import CameraAngle, CameraMovement, CameraSpeed, ShotSize, TimeOfDay

Fault = Literal["camera_reversed"]
GuideMode = Literal["previz"]
# Far more than any text encoder reads (T5 and its kin stop at 226-512 tokens); a bound on what a job carries.
MAX_PROMPT_CHARS = 4000
# How firmly a camera guide holds unless told otherwise: the model still draws the picture (docs/models.md).
DEFAULT_GUIDE_STRENGTH = 0.6


class CameraPath(BaseModel):
    """The camera move a backend should perform; prompt-driven models may only use it as text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    movement: CameraMovement = "static"
    speed: CameraSpeed = "medium"
    angle: CameraAngle | None = None


class LookHints(BaseModel):
    """Structured look hints; the previz renderer draws them, diffusion models ignore them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: str | None = None
    action: str | None = Field(None, description="What the subject does; previz has it perform the action.")
    setting: str | None = None
    caption: str | None = None
    shot_size: ShotSize | None = None
    time_of_day: TimeOfDay | None = None
    style: str | None = None
    lighting: str | None = None
    mood: str | None = None
    effects: tuple[str, ...] = ()


class ConditionClip(BaseModel):
    """Frames of an earlier take to continue from (extend a shot, keep continuity)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(description="The earlier take's video file.")
    last_frames: int = Field(1, ge=1, description="How many of its last frames condition the render.")


class SegmentOf(BaseModel):
    """This request renders one segment of a longer shot: `frames` frames of it, from `start_frame` on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int = Field(ge=0, description="0-based position of the segment in the shot.")
    count: int = Field(ge=1, description="How many segments the shot has.")
    start_frame: int = Field(ge=0, description="The shot's frame this segment's first kept frame is.")
    frames: int = Field(ge=1, description="Frames the segment adds to the shot (its render may hold a few more).")
    shot_frames: int = Field(ge=1, le=4000, description="Frames of the whole shot.")


class ReferenceImage(BaseModel):
    """A character's reference image, checked and stored by us, for families that take an image input."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, description="The character it shows.")
    path: str = Field(description="The stored image file (a PNG we wrote after checking the upload).")


class CameraGuide(BaseModel):
    """A guide video that conditions the model: the previz animatic of this very request, camera and all."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: GuideMode = Field("previz", description="Where the guide comes from: the previz render of the request.")
    strength: float = Field(
        DEFAULT_GUIDE_STRENGTH,
        gt=0,
        lt=1,
        description="How firmly the guide holds the camera, 0..1 (1 would hand back the animatic itself).",
    )


class RenderRequest(BaseModel):
    """One clip to render: sizes and frame counts already snapped to the chosen model family."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)
    negative_prompt: str | None = Field(None, max_length=MAX_PROMPT_CHARS)
    width: int = Field(ge=16, le=4096)
    height: int = Field(ge=16, le=4096)
    num_frames: int = Field(ge=1, le=4000)
    fps: int = Field(ge=1, le=120)
    seed: int = Field(0, ge=0)
    steps: int = Field(30, ge=1, le=500)
    guidance: float | None = Field(None, ge=0, le=50)
    family: str = Field("previz", description="Model family name from the registry.")
    model: str | None = Field(None, description="Local folder or hub id; None for the family default.")
    camera: CameraPath | None = None
    look: LookHints | None = None
    condition: ConditionClip | None = None
    segment: SegmentOf | None = Field(None, description="Set when this renders one segment of a longer shot.")
    reference_images: tuple[ReferenceImage, ...] = Field(
        (), max_length=4, description="Characters' reference images (image conditioning where the family has it)."
    )
    guide: CameraGuide | None = Field(
        None, description="Condition the model on the previz of this request (families with a guide path)."
    )
    faults: tuple[Fault, ...] = Field(
        (), description="Deliberate faults for demos and tests (previz only): camera_reversed."
    )

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps
