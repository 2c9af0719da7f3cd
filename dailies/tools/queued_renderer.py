"""QueuedRenderer: the Renderer protocol over the fair job queue, with queue position, ETA and resume."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dailies.generator.base import CancelToken, Generator, ProgressCallback
from dailies.generator.errors import Failure, GeneratorError
from dailies.generator.queue import Job, JobQueue, JobStoreError, JobTask, JobUpdate
from dailies.generator.request import RenderRequest
from dailies.tools.renderer import ProgressSink, RenderTicket
from dailies.tools.take import Take, render_take

# on_queue(position, eta_s): position 0 means next to start; eta_s is when the take should be ready.
QueueSink = Callable[[int, float], None]


def take_task(max_bytes: int) -> JobTask:
    """The job task of a local slot: render with the warm generator, encode to job.meta['out_path']."""

    def run(generator: Generator, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        out_path = Path(job.meta["out_path"])
        out_path.parent.mkdir(parents=True, exist_ok=True)
        take = render_take(job.request, generator, out_path, max_bytes=max_bytes, progress=progress, cancel=cancel)
        return take.model_dump(mode="json")

    return run


def outcome(job: Job) -> Take | Failure:
    """A finished job as the agent sees it."""
    if job.status == "done" and job.result is not None:
        return Take.model_validate(job.result)
    if job.failure is not None:
        return job.failure
    return Failure(kind="internal", message=f"the render ended as {job.status} without a result")


class QueuedRenderer:
    """Submits renders to a JobQueue and follows them to the end without blocking the event loop."""

    def __init__(self, queue: JobQueue, *, cancel_poll_s: float = 0.2) -> None:
        self.queue = queue
        self._poll_s = cancel_poll_s

    async def render(
        self,
        request: RenderRequest,
        ticket: RenderTicket,
        *,
        out_dir: Path,
        on_progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
        on_queue: QueueSink | None = None,
        job_id: str | None = None,
    ) -> Take | Failure:
        """Queue a render and wait for its Take, or a Failure (queue_full, over_quota, cancelled, ...).

        With `job_id`, a second call (after a restart, a re-run graph node) re-attaches to the same job.
        """
        job_id = job_id or f"job-{uuid.uuid4().hex[:16]}"
        out_path = Path(out_dir).resolve() / f"take-{job_id}.mp4"
        try:
            job = await asyncio.to_thread(
                self.queue.submit,
                request,
                owner=ticket.owner,
                guild=ticket.guild,
                thread=ticket.thread,
                priority=ticket.priority,
                meta={"out_path": str(out_path)},
                job_id=job_id,
            )
        except GeneratorError as exc:
            return exc.to_failure()
        except JobStoreError as exc:
            return Failure(kind="internal", message=str(exc))
        return await self.resume(job.id, on_progress=on_progress, cancel=cancel, on_queue=on_queue)

    async def resume(
        self,
        job_id: str,
        *,
        on_progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
        on_queue: QueueSink | None = None,
    ) -> Take | Failure:
        """Wait for a job submitted earlier (by this process or one before a restart)."""
        loop = asyncio.get_running_loop()
        updates: asyncio.Queue[JobUpdate] = asyncio.Queue()
        unsubscribe = await asyncio.to_thread(
            self.queue.subscribe, job_id, lambda update: loop.call_soon_threadsafe(updates.put_nowait, update)
        )
        try:
            if await asyncio.to_thread(self.queue.get, job_id) is None:
                return Failure(kind="invalid_request", message=f"no render job {job_id!r}")
            cancel_sent = False
            while True:
                if cancel is not None and cancel.cancelled and not cancel_sent:
                    cancel_sent = True
                    await asyncio.to_thread(self.queue.cancel, job_id)
                try:
                    update = await asyncio.wait_for(updates.get(), timeout=self._poll_s)
                except TimeoutError:
                    continue
                if update.kind == "queued" and on_queue is not None and update.eta is not None:
                    on_queue(update.eta.position, update.eta.eta_s)
                elif update.kind == "progress" and on_progress is not None and update.progress is not None:
                    on_progress(update.progress)
                elif update.kind == "finished":
                    return outcome(update.job)
        finally:
            unsubscribe()

    def unfinished(self, thread: str | None = None) -> list[Job]:
        """Jobs whose take has not been delivered yet (all threads, or one): resume each after a restart."""
        return self.queue.undelivered(thread)

    def mark_delivered(self, job_id: str) -> None:
        """Call once the take (or failure) is posted, so a restart does not post it twice."""
        self.queue.mark_delivered(job_id)

    def cancel(self, job_id: str) -> bool:
        return self.queue.cancel(job_id)
