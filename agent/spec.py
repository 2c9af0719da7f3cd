"""ShotSpec, Character and Storyboard: the one currency of a Dailies conversation."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from agent.markup import strip_markup
from generator.vocabulary import (
    AspectRatio,
    CameraAngle,
    CameraMovement,
    CameraSpeed,
    ShotSize,
    TimeOfDay,
)

MAX_TEXT = 2000
MAX_NAME = 100
MAX_EFFECT = 200
MIN_DURATION_S = 0.5
MAX_DURATION_S = 60.0
MIN_FPS = 8
MAX_FPS = 60


def not_blank(text: str) -> str:
    """A field nobody filled is null, never blank text (Discord, for one, refuses an empty card field)."""
    if not text.strip():
        raise ValueError("must not be blank: leave the field null instead")
    return text


# Chat markup (mentions, custom emoji) means nothing to a video model: no text field ever holds it.
ShortText = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(strip_markup), AfterValidator(not_blank)]
EffectText = Annotated[str, Field(max_length=MAX_EFFECT), AfterValidator(strip_markup), AfterValidator(not_blank)]


class Character(BaseModel):
    """A named character, described once and reused verbatim in every shot."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME, description="The character's name, e.g. 'Ana'.")
    description: ShortText = Field(
        description="One canonical visual description (age, build, clothing, colours), "
        "copied word for word into every shot the character appears in."
    )
    reference_image: str | None = Field(
        None,
        description="A reference image of the character's face and look: a file Dailies stored after checking "
        "the upload (never a path or URL from a message). Image conditioning where the model has an image input.",
    )

    def keeping_face(self, given: Character) -> Character:
        """This character (its canonical words) with `given`'s reference image, if it has one: the last face wins."""
        if given.reference_image and given.reference_image != self.reference_image:
            return self.model_copy(update={"reference_image": given.reference_image})
        return self


class ShotSpec(BaseModel):
    """One shot, as a creator asked for it. A field nobody asked for and nothing implies is null."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    subject: ShortText | None = Field(None, description="Who or what the shot is about, e.g. 'a red fox'.")
    action: ShortText | None = Field(None, description="What the subject does, e.g. 'trots through the snow'.")
    setting: ShortText | None = Field(None, description="Where it happens, e.g. 'a birch forest'.")
    style: ShortText | None = Field(None, description="Visual style or look, e.g. 'film noir', 'anime', '35mm film'.")
    lighting: ShortText | None = Field(None, description="Light quality, e.g. 'soft backlight', 'neon'.")
    mood: ShortText | None = Field(None, description="Emotional tone, e.g. 'tense', 'serene'.")
    shot_size: ShotSize | None = Field(None, description="How much of the subject fills the frame.")
    camera_angle: CameraAngle | None = Field(None, description="Where the camera looks from.")
    camera_movement: CameraMovement | None = Field(
        None,
        description="How the camera itself moves. Directions follow the camera: in pan_left the "
        "camera turns left, so the scene slides right across the frame.",
    )
    camera_speed: CameraSpeed | None = Field(None, description="How fast the camera moves.")
    time_of_day: TimeOfDay | None = Field(None, description="When the shot takes place.")
    aspect_ratio: AspectRatio | None = Field(
        None, description="Frame shape: 16:9 landscape, 9:16 vertical, 1:1 square, 4:3, 2.39:1 scope."
    )
    duration_s: float | None = Field(None, description="Length of the shot in seconds (0.5 to 60).")
    fps: int | None = Field(None, description="Frames per second (8 to 60).")
    seed: int | None = Field(None, description="Random seed; the same seed gives the same take.")
    negative_prompt: ShortText | None = Field(None, description="What must not appear in the shot.")
    characters: list[Character] = Field(
        default_factory=list, description="Named characters in this shot, with their canonical descriptions."
    )
    continue_previous: bool | None = Field(
        None,
        description="Start this shot from the last frame of the storyboard's previous shot (continuous action across "
        "the cut), or null for a shot of its own.",
    )
    effects: list[EffectText] = Field(
        default_factory=list,
        description="Visual and time effects asked for: slow motion, time-lapse, rain, snow, fog, "
        "lens flare, particles, ...",
    )

    @field_validator("duration_s")
    @classmethod
    def _duration_in_range(cls, value: float | None) -> float | None:
        if value is not None and not (MIN_DURATION_S <= value <= MAX_DURATION_S):
            raise ValueError(f"a shot lasts between {MIN_DURATION_S:g} and {MAX_DURATION_S:g} seconds, not {value:g}")
        return value

    @field_validator("fps")
    @classmethod
    def _fps_in_range(cls, value: int | None) -> int | None:
        if value is not None and not (MIN_FPS <= value <= MAX_FPS):
            raise ValueError(f"frame rate must be between {MIN_FPS} and {MAX_FPS} fps, not {value}")
        return value

    @field_validator("seed")
    @classmethod
    def _seed_not_negative(cls, value: int | None) -> int | None:
        if value is not None and not (0 <= value < 2**63):
            raise ValueError(f"seed must be a whole number from 0 upwards, not {value}")
        return value

    @field_validator("effects")
    @classmethod
    def _effects_deduplicated(cls, value: list[str]) -> list[str]:
        seen: list[str] = []
        for effect in value:
            effect = effect.strip()
            if effect and effect not in seen:
                seen.append(effect)
        return seen


class StoryboardShot(BaseModel):
    """An approved take placed on the storyboard."""

    model_config = ConfigDict(extra="forbid")

    take_id: str = Field(description="Id of the approved take.")
    spec: ShotSpec
    take_path: str | None = Field(None, description="Where the take's mp4 lives.")
    duration_s: float | None = None
    score: float | None = Field(None, description="The critic's score of the take, 0..1.")
    approved_by: str | None = None


class Storyboard(BaseModel):
    """The ordered shots of one project, and the characters they share."""

    model_config = ConfigDict(extra="forbid")

    title: ShortText | None = None
    characters: list[Character] = Field(default_factory=list)
    shots: list[StoryboardShot] = Field(default_factory=list)

    def character(self, name: str) -> Character | None:
        """The canonical character of that name (case-insensitive), if known."""
        wanted = name.strip().casefold()
        return next((c for c in self.characters if c.name.casefold() == wanted), None)
