"""LocalExecutor: a queue slot holding one warm generator in this process, running a job task on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dailies.generator.base import CancelToken, Generator, ProgressCallback
from dailies.generator.queue.job import Job

# What a slot does with a job and its warm generator: render, then whatever the caller needs (encode, upload).
# It returns the JSON-able result stored with the job.
JobTask = Callable[[Generator, Job, ProgressCallback, CancelToken], dict[str, Any]]


class LocalExecutor:
    """One warm generator, used by the one queue thread that owns this slot: one job at a time."""

    def __init__(self, name: str, generator: Generator, task: JobTask) -> None:
        self.name = name
        self._generator = generator
        self._task = task

    def execute(self, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        return self._task(self._generator, job, progress, cancel)
