"""Render submission as the agent sees it: an async call that returns a Take or a Failure."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from dailies.generator.base import CancelToken, Generator, Progress
from dailies.generator.errors import Failure, GeneratorError
from dailies.generator.request import RenderRequest
from dailies.tools.take import Take, render_take

Priority = Literal["draft", "final"]


@dataclass(frozen=True)
class RenderTicket:
    """Who asked for a render and where its result belongs."""

    owner: str
    thread: str | None = None
    guild: str | None = None
    priority: Priority = "draft"


# Called from worker threads: implementations must be thread-safe (e.g. loop.call_soon_threadsafe).
ProgressSink = Callable[[Progress], None]


class Renderer(Protocol):
    """What the agent submits renders to: in-process now, a fair queue or Ray at scale."""

    async def render(
        self,
        request: RenderRequest,
        ticket: RenderTicket,
        *,
        out_dir: Path,
        on_progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> Take | Failure: ...


class LocalRenderer:
    """One warm generator used by one job at a time, on a worker thread, never on the event loop."""

    def __init__(self, generator: Generator, *, max_bytes: int) -> None:
        self._generator = generator
        self._max_bytes = max_bytes
        self._lock = threading.Lock()

    async def render(
        self,
        request: RenderRequest,
        ticket: RenderTicket,
        *,
        out_dir: Path,
        on_progress: ProgressSink | None = None,
        cancel: CancelToken | None = None,
    ) -> Take | Failure:
        out_path = Path(out_dir) / f"take-{uuid.uuid4().hex[:12]}.mp4"
        out_path.parent.mkdir(parents=True, exist_ok=True)

        def work() -> Take:
            with self._lock:
                return render_take(
                    request, self._generator, out_path, max_bytes=self._max_bytes, progress=on_progress, cancel=cancel
                )

        try:
            return await asyncio.to_thread(work)
        except GeneratorError as exc:
            return exc.to_failure()
