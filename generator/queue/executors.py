"""LocalExecutor: a queue slot holding one warm generator (a WarmWorker) in this process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.base import CancelToken, Generator, ProgressCallback, RenderResult
from generator.queue.job import Job
from generator.request import RenderRequest
from generator.worker import GeneratorFactory, WarmWorker

# What a slot does with a job and its warm generator: render, then whatever the caller needs (encode, upload).
# It returns the JSON-able result stored with the job.
JobTask = Callable[[Generator, Job, ProgressCallback, CancelToken], dict[str, Any]]


class _WarmGenerator:
    """The Generator interface over a WarmWorker: each render runs on the worker's own thread."""

    def __init__(self, worker: WarmWorker, name: str) -> None:
        self._worker = worker
        self.name = name

    def render(
        self,
        request: RenderRequest,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> RenderResult:
        return self._worker.submit(request, progress, cancel).result()


class LocalExecutor:
    """One warm generator, built once on first use, serving the one queue thread that owns this slot."""

    def __init__(self, name: str, factory: GeneratorFactory, task: JobTask) -> None:
        self.name = name
        self._worker = WarmWorker(factory, name=f"dailies-{name}")
        self._generator = _WarmGenerator(self._worker, name)
        self._task = task

    def warm(self) -> None:
        """Build the generator now (blocks; call it off the event loop)."""
        self._worker.warm().result()

    def execute(self, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        return self._task(self._generator, job, progress, cancel)

    def close(self) -> None:
        self._worker.close(timeout=5.0)
