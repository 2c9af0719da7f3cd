"""Test slots for the queue: they run a job when a test lets them, and record the order jobs started in."""

from __future__ import annotations

import threading
import time
from typing import Any

from generator.base import CancelToken, Progress, ProgressCallback
from generator.errors import RenderCancelled
from generator.queue import Job, WorkerLost
from generator.request import RenderRequest
from tests.patience import patient


def request(steps: int = 2, width: int = 64) -> RenderRequest:
    return RenderRequest(prompt="a fox in the snow", width=width, height=64, num_frames=9, fps=8, steps=steps)


class Journal:
    """Shared by the slots of one queue: which job started when, on which slot."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.cond = threading.Condition()

    def add(self, job_id: str) -> None:
        with self.cond:
            self.started.append(job_id)
            self.cond.notify_all()

    def wait_started(self, count: int, timeout: float = patient(10.0)) -> list[str]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.started) >= count, timeout), self.started
            return list(self.started)


class GatedSlot:
    """Runs each job for `run_s`, or until the test calls `release()` when gated; honours cancellation."""

    def __init__(self, name: str, journal: Journal, *, gated: bool = False, run_s: float = 0.0) -> None:
        self.name = name
        self.journal = journal
        self.gated = gated
        self.run_s = run_s
        self.lose_next = 0  # how many of the next jobs this slot "dies" on
        self._gate = threading.Semaphore(0)

    def release(self, n: int = 1) -> None:
        for _ in range(n):
            self._gate.release()

    def execute(self, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        self.journal.add(job.id)
        if self.lose_next:
            self.lose_next -= 1
            raise WorkerLost(f"{self.name} died")
        deadline = time.monotonic() + self.run_s
        while True:
            if cancel.cancelled:
                raise RenderCancelled("cancelled")
            if self.gated and self._gate.acquire(timeout=0.01):
                break
            if not self.gated:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.002)
        progress(Progress(step=job.request.steps, total=job.request.steps, elapsed_s=self.run_s))
        return {"owner": job.owner, "slot": self.name}
