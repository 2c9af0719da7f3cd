"""The one typed event stream every front end (terminal, Discord) receives from the agent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from agent.director.base import Change
from generator.errors import FailureKind
from tools.critique import Critique
from tools.take import Take


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    thread_id: str = Field(description="The conversation (Discord thread or channel, terminal session).")


class Queued(_Event):
    """A render waits in the job queue."""

    kind: Literal["queued"] = "queued"
    position: int = Field(ge=0, description="Jobs ahead of this one; 0 means next.")
    eta_s: float | None = Field(None, description="Estimated seconds until the take is ready.")


class Progress(_Event):
    """A render advanced one step (denoising step, previz frame batch, encode...)."""

    kind: Literal["progress"] = "progress"
    step: int
    total: int
    eta_s: float | None = None
    stage: str = "render"
    attempt: int = 1


class TakeReady(_Event):
    """A take was rendered and encoded; the critique follows."""

    kind: Literal["take_ready"] = "take_ready"
    take_id: str
    take: Take
    attempt: int
    take_kind: str = Field("draft", description="draft, reroll, variation, final or extend.")


class AnimaticReady(_Event):
    """The shot's previz animatic, posted before the model take: the camera and framing the take will follow."""

    kind: Literal["animatic"] = "animatic"
    take: Take = Field(description="The animatic: same size, length and camera as the model take (and its guide).")
    guided: bool = Field(False, description="Whether the model take is conditioned on this animatic.")


class CritiqueReady(_Event):
    """The critic watched a take."""

    kind: Literal["critique"] = "critique"
    take_id: str
    critique: Critique
    attempt: int


class Revision(_Event):
    """The take did not pass: the agent changes the request and renders again."""

    kind: Literal["revision"] = "revision"
    attempt: int = Field(description="The attempt this revision will render.")
    strategy: str = Field(description="guide, reseed, suggestions or parameters (or the LLM reviser's).")
    reason: str = Field(description="Why the previous take failed, in the critic's words.")
    changes: list[str] = Field(default_factory=list, description="What differs in the new request.")


class Question(_Event):
    """The request is too vague to render: one clarifying question."""

    kind: Literal["question"] = "question"
    text: str


class SpecChanged(_Event):
    """A message changed the shot spec; every change carries its author."""

    kind: Literal["spec_changed"] = "spec_changed"
    changes: list[Change]
    notes: list[str] = Field(default_factory=list)


class ApprovalNeeded(_Event):
    """An expensive final render waits for a human yes or no (answer with Studio.resume)."""

    kind: Literal["approval_needed"] = "approval_needed"
    take_id: str = Field(description="The draft take the final render is made from.")
    summary: str


class AttemptSummary(BaseModel):
    """One attempt of a shot in the delivered history."""

    model_config = ConfigDict(extra="forbid")

    attempt: int
    take_id: str
    seed: int
    passed: bool | None = None
    score: float | None = None
    strategy: str | None = Field(None, description="How this attempt was revised from the one before.")
    reason: str | None = None
    changes: list[str] = Field(default_factory=list)
    faults: list[str] = Field(default_factory=list, description="Faults injected on purpose (demo/test aid).")


class Done(_Event):
    """The run delivered its best take, with its critique and the history of attempts."""

    kind: Literal["done"] = "done"
    best_take_id: str
    take: Take
    critique: Critique | None = None
    attempts: list[AttemptSummary] = Field(default_factory=list)
    take_ids: list[str] = Field(default_factory=list, description="Every take of the run (variations: all N).")


class Error(_Event):
    """An expected failure (queue full, over quota, cancelled, out of memory, ...) as one friendly line."""

    kind: Literal["error"] = "error"
    error_kind: FailureKind | Literal["critic"] = "internal"
    message: str


Event = Annotated[
    Queued
    | Progress
    | AnimaticReady
    | TakeReady
    | CritiqueReady
    | Revision
    | Question
    | SpecChanged
    | ApprovalNeeded
    | Done
    | Error,
    Field(discriminator="kind"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)

# What a front end passes to receive events; it may be a plain function or a coroutine function.
EventSink = Callable[[Event], Awaitable[None] | None]
