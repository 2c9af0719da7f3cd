"""WarmWorker: one generator kept warm on its own thread, serving render requests one at a time."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from generator.base import CancelToken, Generator, ProgressCallback, RenderResult
from generator.errors import GeneratorError, RenderCancelled
from generator.request import RenderRequest

GeneratorFactory = Callable[[], Generator]


class WorkerClosed(GeneratorError):
    """The worker was closed before this request could run."""

    kind = "cancelled"


@dataclass
class _Job:
    request: RenderRequest | None  # None: only build the generator (a warm() call)
    progress: ProgressCallback | None
    cancel: CancelToken | None
    future: Future


class WarmWorker:
    """Owns one generator (built lazily, once) and one thread; requests run in arrival order.

    - `submit(request, progress, cancel)` returns a `concurrent.futures.Future[RenderResult]` at once.
      The future raises a `GeneratorError` (e.g. `OutOfMemory`, `RenderCancelled`, `ModelUnavailable`)
      for expected failures; anything else is an internal error.
    - The generator is built on the worker thread by `generator_factory()` when the first request
      arrives (or on `warm()`); every later request reuses it, so only the first one pays load time.
      If building fails, that request fails and the next one tries again.
    - `progress` is called from the worker thread: make it thread-safe (e.g. `loop.call_soon_threadsafe`).
    - A request whose `cancel` token is set before it starts, or whose future was cancelled, never runs.
    - `close()` stops taking requests, fails the queued ones with `WorkerClosed` (one the thread had taken but
      not started too), cancels the running one through its token when `cancel_running=True`, and joins the
      thread. It is idempotent.
    From asyncio, await a result with `await asyncio.wrap_future(worker.submit(...))`.
    """

    def __init__(self, generator_factory: GeneratorFactory, *, name: str = "dailies-warm-worker") -> None:
        self._factory = generator_factory
        self._inbox: queue.Queue[_Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._generator: Generator | None = None
        self._current: _Job | None = None
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    @property
    def loaded(self) -> bool:
        """True once the generator has been built (its weights are warm)."""
        return self._generator is not None

    @property
    def pending(self) -> int:
        """Requests waiting in the inbox, not counting the one running."""
        return self._inbox.qsize()

    @property
    def busy(self) -> bool:
        """True while a request is running."""
        return self._current is not None

    @property
    def closed(self) -> bool:
        return self._closed

    def submit(
        self,
        request: RenderRequest,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Future[RenderResult]:
        """Queue one render; the returned future completes on the worker thread."""
        future: Future[RenderResult] = Future()
        with self._lock:
            if self._closed:
                raise WorkerClosed("the render worker is closed")
            self._inbox.put(_Job(request, progress, cancel, future))
        return future

    def warm(self) -> Future[None]:
        """Build the generator now rather than on the first request; the future says when it is ready."""
        done: Future[None] = Future()
        with self._lock:
            if self._closed:
                raise WorkerClosed("the render worker is closed")
            self._inbox.put(_Job(None, None, None, done))
        return done

    def close(self, *, cancel_running: bool = True, timeout: float | None = None) -> None:
        """Stop the worker: fail queued requests, optionally cancel the running one, join the thread."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._drain()
                self._inbox.put(None)
            current = self._current
        if cancel_running and current is not None and current.cancel is not None:
            current.cancel.cancel()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def __enter__(self) -> WarmWorker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- worker thread ---------------------------------------------------------------------------

    def _drain(self) -> None:
        while True:
            try:
                job = self._inbox.get_nowait()
            except queue.Empty:
                return
            if job is not None and job.future.set_running_or_notify_cancel():
                job.future.set_exception(WorkerClosed("the render worker closed before this request ran"))

    def _ensure_generator(self) -> Generator:
        if self._generator is None:
            generator = self._factory()
            # Backends that load lazily (diffusers) load here, so warm() really means loaded.
            load = getattr(generator, "load", None)
            if callable(load):
                load()
            self._generator = generator
        return self._generator

    def _serve(self) -> None:
        while True:
            job = self._inbox.get()
            if job is None:
                return
            if not job.future.set_running_or_notify_cancel():
                continue
            if job.cancel is not None and job.cancel.cancelled:
                job.future.set_exception(RenderCancelled("cancelled before it started"))
                continue
            with self._lock:  # close() sees this job running (and cancels it), or this thread sees close()
                if self._closed:
                    job.future.set_exception(WorkerClosed("the render worker closed before this request ran"))
                    continue
                self._current = job
            try:
                generator = self._ensure_generator()
                result = None
                if job.request is not None:
                    result = generator.render(job.request, progress=job.progress, cancel=job.cancel)
            except Exception as exc:  # every failure goes back to the submitter through its future
                job.future.set_exception(exc)
            else:
                job.future.set_result(result)
            finally:
                self._current = None
