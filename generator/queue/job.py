"""Job: one render waiting, running or finished in the queue, with who asked and where it goes."""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from generator.errors import Failure
from generator.request import RenderRequest

JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
JobPriority = Literal["draft", "final"]

FINISHED: frozenset[str] = frozenset({"done", "failed", "cancelled"})
# Lower rank is served first: a final render outranks a draft.
PRIORITY_RANK: dict[str, int] = {"final": 0, "draft": 1}


def new_job_id() -> str:
    return f"job-{uuid.uuid4().hex[:16]}"


class Job(BaseModel):
    """A render job as the queue and its SQLite store see it; `meta` is opaque to the queue."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=new_job_id)
    seq: int = Field(0, description="Submission order, assigned by the store; FIFO within a user follows it.")
    owner: str = Field(min_length=1, max_length=200)
    guild: str | None = Field(None, max_length=200)
    thread: str | None = Field(None, max_length=200)
    priority: JobPriority = "draft"
    request: RenderRequest
    meta: dict[str, Any] = Field(default_factory=dict, description="Caller data, e.g. where the take is written.")
    status: JobStatus = "queued"
    attempts: int = Field(0, ge=0, description="How many times a worker started it.")
    worker: str | None = None
    result: dict[str, Any] | None = None
    failure: Failure | None = None
    created_at: float = Field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    delivered_at: float | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def rank(self) -> tuple[int, int]:
        """Scheduling class: a job already started once (retry) first, then final before draft."""
        return (0 if self.attempts > 0 else 1, PRIORITY_RANK[self.priority])

    @property
    def wait_s(self) -> float | None:
        """Seconds between submission and the last start (None while it has not started)."""
        return None if self.started_at is None else self.started_at - self.created_at


class QueueLimits(BaseModel):
    """Caps of the queue: totals refuse a submission, concurrencies only hold a job back."""

    model_config = ConfigDict(extra="forbid")

    max_queued: int = Field(200, ge=1, description="Unfinished jobs in the whole queue (else queue_full).")
    per_user: int = Field(5, ge=1, description="Unfinished jobs of one user (else over_quota).")
    per_guild: int = Field(50, ge=1, description="Unfinished jobs of one guild (else over_quota).")
    user_concurrency: int = Field(1, ge=1, description="Jobs of one user running at once.")
    guild_concurrency: int | None = Field(None, ge=1, description="Jobs of one guild running at once; None: no cap.")
    max_attempts: int = Field(3, ge=1, le=20, description="Starts per job before it fails (worker deaths, restarts).")
