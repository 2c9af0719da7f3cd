"""The Critique contract, and Expectation: what the critic checks a clip against."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from generator.request import ReferenceImage
from generator.vocabulary import CameraMovement, CameraSpeed, ShotSize


class Expectation(BaseModel):
    """What a clip should show, in the critic's own terms (the agent builds it from a ShotSpec)."""

    model_config = ConfigDict(extra="forbid")

    camera_movement: CameraMovement | None = None
    camera_speed: CameraSpeed | None = None
    shot_size: ShotSize | None = Field(
        None, description="How big the subject is framed: a wide shot's action moves few pixels."
    )
    duration_s: float | None = None
    fps: int | None = None
    width: int | None = None
    height: int | None = None
    # Words for the optional vision judge.
    subject: str | None = None
    action: str | None = None
    setting: str | None = None
    time_of_day: str | None = None
    style: str | None = None
    references: list[ReferenceImage] = Field(
        default_factory=list, description="Characters' reference images: the judge is asked whether they match."
    )


class CameraMotion(BaseModel):
    detected: str
    expected: str | None = None
    confidence: float = Field(ge=0, le=1)


class Check(BaseModel):
    name: str
    passed: bool
    value: Any = None
    expected: Any = None
    detail: str = ""
    # The share of its weight a passed check earns: a move a flat scene cannot tell from the one asked for passes
    # at half credit, so it never scores 1.00 and an exact reading wins the best take.
    credit: float = Field(1.0, ge=0, le=1)


class Critique(BaseModel):
    """The design's Critique: passed, score 0..1, camera motion, checks and actionable suggestions."""

    passed: bool
    score: float = Field(ge=0, le=1)
    camera_motion: CameraMotion
    checks: list[Check] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    segments: list[Critique] = Field(
        default_factory=list, description="A long take's segments, each judged on its own, in order."
    )

    @model_serializer(mode="wrap")
    def _contract_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The design's five fields; `segments` only for a long take (a clip's JSON stays the contract's)."""
        data = handler(self)
        if not self.segments:
            data.pop("segments", None)
        return data

    @property
    def failed_checks(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]
