"""A small stepped test generator (imported by Ray workers too) and a job task that reports where and how it ran."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from generator.base import CancelToken, Generator, Progress, ProgressCallback, RenderResult
from generator.errors import RenderCancelled
from generator.queue import Job
from generator.request import RenderRequest


class SteppedGenerator:
    """Renders flat frames whose shade follows the seed, sleeping `step_s` per step; honours cancellation."""

    name = "stepped"

    def __init__(self, step_s: float = 0.1) -> None:
        self.step_s = step_s
        self.seeds: list[int] = []  # the seed of every render started on this instance, in order
        self.max_active = 0  # the most renders that ever ran at once on this instance
        self._active = 0
        self._lock = threading.Lock()

    def render(
        self, request: RenderRequest, progress: ProgressCallback | None = None, cancel: CancelToken | None = None
    ) -> RenderResult:
        with self._lock:
            self.seeds.append(request.seed)
            self._active += 1
            self.max_active = max(self.max_active, self._active)
        try:
            return self._steps(request, progress, cancel)
        finally:
            with self._lock:
                self._active -= 1

    def _steps(
        self, request: RenderRequest, progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> RenderResult:
        started = time.perf_counter()
        for step in range(1, request.steps + 1):
            if cancel is not None and cancel.cancelled:
                raise RenderCancelled("cancelled")
            time.sleep(self.step_s)
            if progress is not None:
                progress(Progress(step=step, total=request.steps, elapsed_s=time.perf_counter() - started))
        frames = np.full((request.num_frames, request.height, request.width, 3), request.seed % 256, np.uint8)
        return RenderResult(frames, request.fps, "stepped", "stepped", request.seed, time.perf_counter() - started)


def make_stepped() -> SteppedGenerator:
    return SteppedGenerator()


def stepped_request(steps: int, seed: int = 7) -> RenderRequest:
    return RenderRequest(prompt="a lighthouse", width=32, height=16, num_frames=3, fps=8, steps=steps, seed=seed)


def frames_task(generator: Generator, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
    result = generator.render(job.request, progress, cancel)
    shade = int(result.frames[0, 0, 0, 0])
    seeds, max_active = list(getattr(generator, "seeds", [])), getattr(generator, "max_active", None)
    return {"frames": result.num_frames, "shade": shade, "pid": os.getpid(), "seeds": seeds, "max_active": max_active}


class HeldAtEachStep:
    """A job task that runs `task` but holds it after each reported step until the file `gate` exists.

    A test waits for the first step, kills the actor, sees the job restart, then opens the gate: the
    killed attempt cannot have finished first, however loaded the machine is. Picklable (module level).
    """

    def __init__(self, task: Callable[..., Any], gate: Path, timeout_s: float = 120.0) -> None:
        self.task = task
        self.gate = str(gate)
        self.timeout_s = timeout_s

    def __call__(self, generator: Generator, job: Job, progress: ProgressCallback, cancel: CancelToken) -> Any:
        def report(update: Progress) -> None:
            progress(update)
            deadline = time.monotonic() + self.timeout_s
            while not os.path.exists(self.gate):
                if cancel.cancelled:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the gate {self.gate} did not open in {self.timeout_s:.0f} s")
                time.sleep(0.01)

        return self.task(generator, job, report, cancel)


class HeldInSegment(HeldAtEachStep):
    """HeldAtEachStep for one segment of a long shot only (index `segment`); every other job runs freely."""

    def __init__(self, task: Callable[..., Any], gate: Path, segment: int, timeout_s: float = 120.0) -> None:
        super().__init__(task, gate, timeout_s)
        self.segment = segment

    def __call__(self, generator: Generator, job: Job, progress: ProgressCallback, cancel: CancelToken) -> Any:
        if job.request.segment is None or job.request.segment.index != self.segment:
            return self.task(generator, job, progress, cancel)
        return super().__call__(generator, job, progress, cancel)
