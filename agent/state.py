"""The agent's state per conversation thread: spec, takes, storyboard, turns, and the run in progress."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.director.base import Change, Turn
from agent.events import AttemptSummary
from agent.spec import ShotSpec, Storyboard
from generator.errors import Failure
from generator.guide import parse_guide
from generator.request import Fault, RenderRequest
from generator.vocabulary import AspectRatio
from tools.critique import Critique
from tools.long_take import Retake
from tools.take import Take

TakeKind = Literal["draft", "reroll", "variation", "final", "extend"]
JobKind = Literal[
    "message", "reroll", "variations", "final", "extend", "approve", "pick", "reorder", "remove", "delete"
]
ResultKind = Literal["take", "question", "approval", "declined", "storyboard", "picked", "unchanged", "error"]


class ThreadOptions(BaseModel):
    """Per-thread choices a front end passes with a call (e.g. a Discord server's and member's /settings).

    Stored in the thread's state; None means "the Studio's default". `aspect_ratio` and `duration_s` only
    fill what the creator's words left unset; explicit words always win.
    """

    model_config = ConfigDict(extra="forbid")

    backend: str | None = Field(None, description="Generator backend (previz, diffusers); None: the Studio's.")
    model: str | None = Field(None, description="Model of that backend; None: the backend's default.")
    aspect_ratio: AspectRatio | None = None
    duration_s: float | None = Field(None, ge=0.5, le=60)
    critique: bool = Field(True, description="Off: takes are delivered as rendered, unreviewed and unrevised.")
    approve_final: bool | None = Field(None, description="Ask a person before a final render; None: the default.")
    guide: str | None = Field(
        None, description="Camera guide: previz[:STRENGTH], auto or off (generator.guide); None: the Studio's."
    )
    animatic: bool | None = Field(
        None, description="With a model backend, post the shot's previz animatic first; None: the Studio's."
    )

    @field_validator("guide")
    @classmethod
    def _known_guide(cls, value: str | None) -> str | None:
        return None if value is None else str(parse_guide(value))

    @property
    def picks_backend(self) -> bool:
        return self.backend is not None or self.model is not None


def fill_defaults(spec: ShotSpec, options: ThreadOptions | None) -> tuple[ShotSpec, list[str]]:
    """The spec with the thread's aspect ratio and duration where the creator left them unset, and notes."""
    if options is None:
        return spec, []
    update: dict[str, object] = {}
    if spec.aspect_ratio is None and options.aspect_ratio is not None:
        update["aspect_ratio"] = options.aspect_ratio
    if spec.duration_s is None and options.duration_s is not None:
        update["duration_s"] = options.duration_s
    if not update:
        return spec, []
    said = [f"aspect ratio {update['aspect_ratio']}"] if "aspect_ratio" in update else []
    if "duration_s" in update:
        said.append(f"duration {update['duration_s']:g} s")
    return spec.model_copy(update=update), [f"{', '.join(said)} from this thread's defaults"]


class TakeRecord(BaseModel):
    """A take with everything needed to judge, revise or reproduce it (frozen: change it with model_copy)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    take_id: str = Field(description="Stable id, used by buttons and commands.")
    take: Take
    request: RenderRequest
    spec: ShotSpec
    critique: Critique | None = None
    kind: TakeKind = "draft"
    attempt: int = 1
    run_id: str = Field(description="The run (one message, reroll, ...) that produced it.")
    author: str = Field(description="Who asked for it.")
    author_id: str | None = Field(None, description="The stable id of who asked for it (ownership, quotas).")
    strategy: str | None = Field(None, description="How this attempt was revised from the previous one.")
    reason: str | None = Field(None, description="Why the previous attempt was revised.")
    changes: list[str] = Field(default_factory=list)
    source_take_id: str | None = Field(None, description="The take a reroll, final render or extension started from.")

    @property
    def rank(self) -> tuple[bool, float]:
        """Sort key of 'best': a passing take first, then the critic's score."""
        if self.critique is None:
            return (False, 0.0)
        return (self.critique.passed, self.critique.score)

    def summary(self) -> AttemptSummary:
        return AttemptSummary(
            attempt=self.attempt,
            take_id=self.take_id,
            seed=self.request.seed,
            passed=self.critique.passed if self.critique else None,
            score=self.critique.score if self.critique else None,
            strategy=self.strategy,
            reason=self.reason,
            changes=list(self.changes),
            faults=list(self.request.faults),
        )


class Job(BaseModel):
    """What the current run was asked to do, by whom."""

    model_config = ConfigDict(extra="forbid")

    kind: JobKind
    author: str
    author_id: str | None = Field(None, description="The requester's stable id (a front end's user id).")
    run_id: str
    text: str | None = None
    take_id: str | None = None
    n: int = Field(1, ge=1, le=8, description="Number of variations.")
    shot: int | None = Field(None, description="1-based storyboard position (reorder, remove).")
    to: int | None = Field(None, description="1-based new position (reorder).")
    faults: tuple[Fault, ...] = Field((), description="Faults injected into the first attempt only (demo/test aid).")


class RunResult(BaseModel):
    """What the last run ended with; the Studio turns it into a TurnResult."""

    model_config = ConfigDict(extra="forbid")

    kind: ResultKind
    take_id: str | None = None
    take_ids: list[str] = Field(default_factory=list)
    attempts: list[AttemptSummary] = Field(default_factory=list)
    question: str | None = None
    error: Failure | None = None
    notes: list[str] = Field(default_factory=list)


class AgentState(BaseModel):
    """Everything a conversation thread remembers; checkpointed after every step."""

    model_config = ConfigDict(extra="forbid")

    # Durable, across runs.
    spec: ShotSpec | None = Field(None, description="The shot being worked on.")
    conversation: list[Turn] = Field(default_factory=list)
    takes: list[TakeRecord] = Field(default_factory=list)
    storyboard: Storyboard = Field(default_factory=Storyboard)
    current_take_id: str | None = Field(None, description="The take the current shot stands on (best or picked).")
    spec_history: list[Change] = Field(default_factory=list, description="Every attributed change, oldest first.")
    seen: list[str] = Field(default_factory=list, description="Fingerprints of every request submitted.")
    options: ThreadOptions | None = Field(None, description="The thread's defaults, as the front end last passed them.")

    # The run in progress (reset by each new job).
    job: Job | None = None
    plan: RenderRequest | None = None
    plan_notes: list[str] = Field(default_factory=list)
    attempt: int = 0
    strategy: str | None = None
    reason: str | None = None
    changes: list[str] = Field(default_factory=list)
    retake: Retake | None = Field(None, description="A long take's segments to keep and to render again.")
    animatic: Take | None = Field(None, description="The run's previz animatic, posted before its model take.")
    result: RunResult | None = None

    def take(self, take_id: str) -> TakeRecord | None:
        return next((record for record in self.takes if record.take_id == take_id), None)

    def run_takes(self, run_id: str) -> list[TakeRecord]:
        return [record for record in self.takes if record.run_id == run_id]


def run_reset(job: Job) -> dict[str, object]:
    """The input that starts a new run: the job, with every per-run field cleared."""
    return {
        "job": job,
        "plan": None,
        "plan_notes": [],
        "attempt": 0,
        "strategy": None,
        "reason": None,
        "changes": [],
        "retake": None,
        "animatic": None,
        "result": None,
    }
