"""QueuedRenderer: the Renderer protocol over the fair job queue, with queue position, ETA and resume."""

from __future__ import annotations

import asyncio
import logging
import socket
import tempfile
import uuid
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from generator.backends import BackendOptions, make_generator
from generator.base import CancelToken, Generator, ProgressCallback
from generator.errors import Failure, GeneratorError
from generator.queue import (
    Executor,
    Job,
    JobQueue,
    JobStore,
    JobStoreError,
    JobTask,
    JobUpdate,
    LocalExecutor,
    QueueLimits,
)
from generator.request import RenderRequest
from tools.long_take import DEFAULT_SEGMENT_S, SEGMENT_MAX_BYTES, Retake, is_long, render_long_take
from tools.renderer import ProgressSink, QueueSink, RenderFeature, RenderTicket, render_take_into, take_path
from tools.take import Take, render_take

log = logging.getLogger(__name__)


def take_task(max_bytes: int) -> JobTask:
    """The job task of a local slot: render with the warm generator, encode to job.meta['out_path']."""

    def run(generator: Generator, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        out_path = Path(job.meta["out_path"])
        budget = int(job.meta.get("max_bytes", max_bytes))  # a segment of a long take is kept at full quality
        take = render_take_into(job.request, generator, out_path, max_bytes=budget, progress=progress, cancel=cancel)
        return take.model_dump(mode="json")

    return run


def bytes_take_task(max_bytes: int) -> JobTask:
    """The job task of a remote worker without shared storage: render, encode, and return the files' bytes."""

    def run(generator: Generator, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="dailies-take-") as folder:
            out_path = Path(folder) / Path(job.meta["out_path"]).name
            budget = int(job.meta.get("max_bytes", max_bytes))
            take = render_take(job.request, generator, out_path, max_bytes=budget, progress=progress, cancel=cancel)
            poster = Path(take.poster).read_bytes() if take.poster else None
            return {"take": take.model_dump(mode="json"), "mp4": out_path.read_bytes(), "poster": poster}

    return run


def store_returned_take(job: Job, value: dict[str, Any]) -> dict[str, Any]:
    """In the bot process: write the bytes a remote worker returned where the job said, as a Take dict.
    The paths are the job's own, whatever the worker's answer names."""
    out_path = Path(job.meta["out_path"])
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(value["mp4"])
    take = dict(value["take"], path=str(out_path), poster=None)
    if value.get("poster") is not None:
        poster = out_path.with_suffix(".jpg")
        poster.write_bytes(value["poster"])
        take["poster"] = str(poster)
    return Take.model_validate(take).model_dump(mode="json")


@dataclass(frozen=True)
class RenderSetup:
    """Where renders run, as the operator set it up: the backend and model, the queue's limits and workers."""

    jobs_path: Path
    backend: str = "previz"
    model: str | None = None
    options: BackendOptions = field(default_factory=BackendOptions)
    max_upload_bytes: int = 10 * 1024 * 1024
    limits: QueueLimits = field(default_factory=QueueLimits)
    local_workers: int = 1
    ray_workers: int = 0  # Ray actors to render on (0: local warm workers, no Ray)
    ray_address: str | None = None
    ray_shared_storage: bool = False  # workers write takes straight into the data folder
    ray_allow_unauthenticated: bool = False  # join a cluster without token auth (a trusted single machine)
    segment_s: float | None = DEFAULT_SEGMENT_S  # longest pass in seconds; longer shots render as segment jobs


def submitter_name(jobs_path: Path) -> str:
    """A submitter's stable name (host and job store): after a restart it adopts what its previous run left."""
    return f"{socket.gethostname()}:{Path(jobs_path).resolve()}"


def build_executors(setup: RenderSetup) -> list[Executor]:
    """Local warm workers (the embedded default), or slots over the Ray cluster's render actors."""
    if setup.ray_workers:
        from generator.queue.ray_connect import connect

        connect(setup.ray_address, allow_unauthenticated=setup.ray_allow_unauthenticated)  # or one line why not

        from generator.queue.ray_pool import RayPool

        owner = submitter_name(setup.jobs_path)
        if setup.ray_shared_storage:
            pool = RayPool(take_task(setup.max_upload_bytes), owner=owner)
        else:
            pool = RayPool(bytes_take_task(setup.max_upload_bytes), store_returned_take, owner=owner)
        return list(pool.slots(setup.ray_workers))
    factory = partial(make_generator, setup.backend, model=setup.model, options=setup.options)
    task = take_task(setup.max_upload_bytes)
    return [LocalExecutor(f"local-{index}", factory, task) for index in range(setup.local_workers)]


def open_queued_renderer(setup: RenderSetup, executors: list[Executor] | None = None) -> QueuedRenderer:
    """Open the job store, re-queue what a previous run left, start serving.

    Raises JobStoreError (one clear line) when the data folder cannot be written. Blocking: call it at start-up,
    off the event loop (`await asyncio.to_thread(open_queued_renderer, setup)`).
    """
    store = JobStore.open(setup.jobs_path)
    queue = JobQueue(store, executors if executors is not None else build_executors(setup), setup.limits)
    queue.start()
    return QueuedRenderer(queue, max_bytes=setup.max_upload_bytes, segment_s=setup.segment_s)


def outcome(job: Job) -> Take | Failure:
    """A finished job as the agent sees it. A take is accepted only at the paths the job named (its mp4, and
    its poster beside it): whatever a worker answers, the bot never reads or posts a file it did not ask for."""
    if job.status == "done" and job.result is not None:
        take = Take.model_validate(job.result)
        if (why := foreign_path(job, take)) is not None:
            log.error("job %s: the worker's take is refused: %s", job.id, why)
            return Failure(kind="internal", message="the render came back from a worker in a way Dailies refuses")
        return take
    if job.failure is not None:
        return job.failure
    return Failure(kind="internal", message=f"the render ended as {job.status} without a result")


def foreign_path(job: Job, take: Take) -> str | None:
    """Why the take's files are not the ones the job asked for, or None when they are."""
    wanted = Path(str(job.meta.get("out_path", ""))).resolve()
    if Path(take.path).resolve() != wanted:
        return f"its mp4 is {take.path!r}, not {str(wanted)!r}"
    if take.poster is not None and Path(take.poster).resolve() != wanted.with_suffix(".jpg"):
        return f"its poster is {take.poster!r}, not beside the mp4"
    return None


class QueuedRenderer:
    """Submits renders to a JobQueue and follows them to the end without blocking the event loop.

    A shot longer than one pass is one job per segment (ids `<job id>-s01`, `-s02`, ...), each submitted when
    the one before it is done, and joined here: a worker lost mid-shot costs its segment's job, which the
    queue starts again, and a second call with the same job id re-attaches to the segments already done.
    """

    features: frozenset[RenderFeature] = frozenset({"queue_events", "job_ids", "retake"})

    def __init__(
        self,
        queue: JobQueue,
        *,
        cancel_poll_s: float = 0.2,
        max_bytes: int = 10 * 1024 * 1024,
        segment_s: float | None = DEFAULT_SEGMENT_S,
    ) -> None:
        self.queue = queue
        self._poll_s = cancel_poll_s
        self._max_bytes = max_bytes
        self._segment_s = segment_s

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
        retake: Retake | None = None,
    ) -> Take | Failure:
        """Queue a render and wait for its Take, or a Failure (queue_full, over_quota, cancelled, ...).

        With `job_id`, a second call (after a restart, a re-run graph node) re-attaches to the same job.
        """
        job_id = job_id or f"job-{uuid.uuid4().hex[:16]}"
        out_path = take_path(Path(out_dir).resolve(), job_id)
        if is_long(request, self._segment_s):

            async def render_segment(
                segment: RenderRequest, path: Path, key: str, progress: ProgressCallback, stop: CancelToken | None
            ) -> Take | Failure:
                return await self._job(
                    segment, ticket, path, f"{job_id}-{key}", progress, stop, on_queue, max_bytes=SEGMENT_MAX_BYTES
                )

            return await render_long_take(
                request,
                render_segment=render_segment,
                out_path=out_path,
                max_bytes=self._max_bytes,
                segment_s=self._segment_s,
                progress=on_progress,
                cancel=cancel,
                retake=retake,
            )
        return await self._job(request, ticket, out_path, job_id, on_progress, cancel, on_queue)

    async def _job(
        self,
        request: RenderRequest,
        ticket: RenderTicket,
        out_path: Path,
        job_id: str,
        on_progress: ProgressSink | None,
        cancel: CancelToken | None,
        on_queue: QueueSink | None,
        *,
        max_bytes: int | None = None,
    ) -> Take | Failure:
        """Submit one job (or find it, by id) and wait for its outcome."""
        meta: dict[str, Any] = {"out_path": str(out_path)}
        if max_bytes is not None:
            meta["max_bytes"] = max_bytes
        try:
            job = await asyncio.to_thread(
                self.queue.submit,
                request,
                owner=ticket.owner,
                guild=ticket.guild,
                thread=ticket.thread,
                priority=ticket.priority,
                meta=meta,
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

    def close(self) -> None:
        """Stop serving; running jobs go back to the store as queued and resume at the next start."""
        self.queue.close()
