"""Render submission as the agent sees it: an async call that returns a Take or a Failure."""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from generator.backends import make_generator
from generator.base import CancelToken, Generator, Progress, ProgressCallback
from generator.errors import Failure, GeneratorError
from generator.request import RenderRequest
from tools.long_take import DEFAULT_SEGMENT_S, SEGMENT_MAX_BYTES, RenderSegment, Retake, is_long, render_long_take
from tools.take import Take, render_take

Priority = Literal["draft", "final"]
# What a renderer may offer beyond the protocol's render(): each feature is one more keyword render() takes.
#   "queue_events": on_queue=QueueSink, told the job's place in a queue and its ETA while it waits;
#   "job_ids": job_id=str, so a second call with the same id (a restart, a re-run graph node) re-attaches to the job.
#   "retake": retake=Retake, so a long take keeps the segments of an earlier take and renders only the given ones.
RenderFeature = Literal["queue_events", "job_ids", "retake"]


@dataclass(frozen=True)
class RenderTicket:
    """Who asked for a render and where its result belongs."""

    owner: str
    thread: str | None = None
    guild: str | None = None
    priority: Priority = "draft"


# Called from worker threads: implementations must be thread-safe (e.g. loop.call_soon_threadsafe).
ProgressSink = Callable[[Progress], None]
# on_queue(position, eta_s): position 0 means next to start; eta_s is when the take should be ready. Thread-safe too.
QueueSink = Callable[[int, float], None]


class Renderer(Protocol):
    """What the agent submits renders to: in-process now, a fair queue or Ray at scale.

    `features` declares the optional keywords its render() takes as well (see RenderFeature); callers pass
    a feature's keyword only to renderers that declare it.
    """

    features: frozenset[RenderFeature]

    async def render(
        self,
        request: RenderRequest,
        ticket: RenderTicket,
        *,
        out_dir: Path,
        on_progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> Take | Failure: ...


def take_path(out_dir: Path, name: str) -> Path:
    """Where the take called `name` is written in a thread's media folder."""
    return Path(out_dir) / f"take-{name}.mp4"


def render_take_into(
    request: RenderRequest,
    generator: Generator,
    out_path: Path,
    *,
    max_bytes: int,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> Take:
    """Render and encode a take to `out_path`, making its folder first. Blocking: run it on a worker thread."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    return render_take(request, generator, out_path, max_bytes=max_bytes, progress=progress, cancel=cancel)


BlockingRunner = Callable[[Callable[[], Take]], Awaitable[Take]]


def local_segments(generator: Generator, run_blocking: BlockingRunner | None = None) -> RenderSegment:
    """Render each segment of a long take with `generator` through `run_blocking` (default: a worker thread)."""
    run = run_blocking or asyncio.to_thread

    async def render_segment(
        request: RenderRequest, path: Path, key: str, progress: ProgressCallback, cancel: CancelToken | None
    ) -> Take | Failure:
        def work() -> Take:
            return render_take_into(
                request, generator, path, max_bytes=SEGMENT_MAX_BYTES, progress=progress, cancel=cancel
            )

        try:
            return await run(work)
        except GeneratorError as exc:
            return exc.to_failure()

    return render_segment


class LocalRenderer:
    """One warm generator used by one job at a time, on its own worker thread, never on the event loop.

    Renders wait their turn on the event loop (an asyncio lock), not in a thread: four variations or twenty
    queued renders hold no thread while they wait, so the loop's shared pool stays free for the critic,
    upload fitting and queue calls; the render itself runs on this renderer's own one-thread executor."""

    features: frozenset[RenderFeature] = frozenset({"retake"})  # no queue to wait in, no jobs to re-attach to

    def __init__(self, generator: Generator, *, max_bytes: int, segment_s: float | None = DEFAULT_SEGMENT_S) -> None:
        self._generator = generator
        self._max_bytes = max_bytes
        self._segment_s = segment_s
        self._turn = asyncio.Lock()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-render")

    async def render(
        self,
        request: RenderRequest,
        ticket: RenderTicket,
        *,
        out_dir: Path,
        on_progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
        retake: Retake | None = None,
    ) -> Take | Failure:
        out_path = take_path(out_dir, uuid.uuid4().hex[:12])
        if is_long(request, self._segment_s):
            return await render_long_take(
                request,
                render_segment=local_segments(self._generator, self._run_blocking),
                out_path=out_path,
                max_bytes=self._max_bytes,
                segment_s=self._segment_s,
                progress=on_progress,
                cancel=cancel,
                retake=retake,
            )

        def work() -> Take:
            return render_take_into(
                request, self._generator, out_path, max_bytes=self._max_bytes, progress=on_progress, cancel=cancel
            )

        try:
            return await self._run_blocking(work)
        except GeneratorError as exc:
            return exc.to_failure()

    async def _run_blocking(self, work: Callable[[], Take]) -> Take:
        """Run `work` on this renderer's own thread once the renders before it are done."""
        async with self._turn:
            context = contextvars.copy_context()  # as asyncio.to_thread does: progress sinks may read it
            return await asyncio.get_running_loop().run_in_executor(self._thread, context.run, work)


def previz_renderer(max_bytes: int, segment_s: float | None = DEFAULT_SEGMENT_S) -> LocalRenderer:
    """A local previz worker: what a studio serving another backend renders previz with."""
    return LocalRenderer(make_generator("previz"), max_bytes=max_bytes, segment_s=segment_s)
