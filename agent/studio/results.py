"""What Studio calls return (TurnResult, Pending) and raise (StudioError)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.director.base import Change
from agent.events import AttemptSummary
from agent.spec import ShotSpec
from agent.state import AgentState, ResultKind
from agent.storyboard import StoryboardError
from generator.errors import Failure
from tools.critique import Critique
from tools.take import Take


class StudioError(StoryboardError):
    """A request the creator can fix (unknown take, no shot yet, empty storyboard): one line."""


class TurnResult(BaseModel):
    """What one Studio call ended with."""

    model_config = ConfigDict(extra="forbid")

    thread_id: str
    kind: ResultKind = Field(
        description="take, question, approval, declined, storyboard, picked, unchanged (the message changed nothing: "
        "nothing rendered) or error."
    )
    take_id: str | None = None
    take: Take | None = None
    animatic: Take | None = Field(None, description="The previz animatic posted before the take (model backends).")
    critique: Critique | None = None
    take_ids: list[str] = Field(default_factory=list)
    attempts: list[AttemptSummary] = Field(default_factory=list)
    question: str | None = None
    approval: str | None = Field(None, description="What waits for approval (kind == 'approval').")
    error: Failure | None = None
    changes: list[Change] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    spec: ShotSpec | None = None


class Pending(BaseModel):
    """A run a thread was in the middle of when the process stopped (or an approval it waits for)."""

    model_config = ConfigDict(extra="forbid")

    thread_id: str
    nodes: list[str]
    approval: str | None = None
    take_id: str | None = None
    question: str | None = Field(None, description="The question the run waits on; the next message answers it.")


def approval_summary(value: Any) -> tuple[str, str | None]:
    """What an approval interrupt asks (its summary) and the take it is about."""
    if not isinstance(value, dict):
        return "a final render", None
    take_id = value.get("take_id")
    return str(value.get("summary", "a final render")), str(take_id) if take_id is not None else None


def turn_result(thread_id: str, state: AgentState, changes: list[Change]) -> TurnResult:
    """The TurnResult of a run that ended (not one waiting for approval), from the thread's state."""
    result = state.result
    if result is None:
        return TurnResult(thread_id=thread_id, kind="error", notes=["the run ended without a result"])
    record = state.take(result.take_id) if result.take_id else None
    return TurnResult(
        thread_id=thread_id,
        kind=result.kind,
        take_id=result.take_id,
        take=record.take if record else None,
        animatic=state.animatic,
        critique=record.critique if record else None,
        take_ids=result.take_ids,
        attempts=result.attempts,
        question=result.question,
        error=result.error,
        changes=changes,
        notes=result.notes,
        spec=state.spec,
    )
