"""WarmWorker: lazy single load, one request at a time in order, cancellation, failures, close."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from generator.base import CancelToken, Progress, RenderResult
from generator.errors import OutOfMemory, RenderCancelled
from generator.request import RenderRequest
from generator.worker import WarmWorker, WorkerClosed
from tests.patience import patient

# Hang guards, never claims about speed: a render of 16x16 pixels waits this long before the test calls it hung.
WAIT = patient(10)


class CountingGenerator:
    """A tiny real generator: draws the seed into the frames, records which thread and order ran it."""

    name = "counting"

    def __init__(self, load_s: float = 0.0, step_s: float = 0.0, steps: int = 3) -> None:
        time.sleep(load_s)
        self.step_s = step_s
        self.steps = steps
        self.threads: set[str] = set()
        self.order: list[int] = []
        self.active = 0
        self.max_active = 0
        self.gate = threading.Event()
        self.gate.set()

    def render(self, request, progress=None, cancel=None) -> RenderResult:
        self.threads.add(threading.current_thread().name)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            self._hold(cancel)
            for step in range(1, self.steps + 1):
                if cancel is not None and cancel.cancelled:
                    raise RenderCancelled(f"cancelled at step {step}")
                if request.prompt == "oom":
                    raise OutOfMemory("out of memory at 9999x9999")
                time.sleep(self.step_s)
                if progress:
                    progress(Progress(step=step, total=self.steps, elapsed_s=0.0))
            self.order.append(request.seed)
            frames = np.full((request.num_frames, request.height, request.width, 3), request.seed % 256, np.uint8)
            return RenderResult(frames, request.fps, self.name, "counting", request.seed, 0.0)
        finally:
            self.active -= 1

    def _hold(self, cancel: CancelToken | None) -> None:
        """Wait while a test holds the gate closed; a cancel lets the render go on, to notice it at its first step."""
        deadline = time.monotonic() + WAIT
        while not self.gate.wait(0.01):
            if (cancel is not None and cancel.cancelled) or time.monotonic() > deadline:
                return


def _wait_until_busy(worker: WarmWorker) -> None:
    deadline = time.monotonic() + WAIT
    while not worker.busy:
        assert time.monotonic() < deadline, "the first request never started"
        time.sleep(0.01)


def _request(seed: int = 0, prompt: str = "a fox") -> RenderRequest:
    return RenderRequest(prompt=prompt, width=16, height=16, num_frames=2, fps=8, seed=seed)


def test_loads_once_lazily_and_serves_in_order_on_its_own_thread():
    loads: list[CountingGenerator] = []

    def factory() -> CountingGenerator:
        loads.append(CountingGenerator(load_s=0.2))
        return loads[-1]

    with WarmWorker(factory, name="warm-test") as worker:
        assert not worker.loaded and loads == []
        first_started = time.perf_counter()
        first = worker.submit(_request(1)).result(WAIT)
        first_s = time.perf_counter() - first_started
        futures = [worker.submit(_request(seed)) for seed in (2, 3, 4)]
        results = [f.result(WAIT) for f in futures]
        assert worker.loaded and len(loads) == 1
        generator = loads[0]
        assert generator.order == [1, 2, 3, 4]
        assert generator.max_active == 1
        assert generator.threads == {"warm-test"}
        assert [r.seed for r in results] == [2, 3, 4] and int(first.frames[0, 0, 0, 0]) == 1
        assert first_s >= 0.2  # the first request waited for the load; one load in all (above), so only it did


def test_progress_reaches_the_caller_from_the_worker_thread():
    events: list[tuple[Progress, str]] = []
    with WarmWorker(CountingGenerator) as worker:
        worker.submit(_request(), progress=lambda p: events.append((p, threading.current_thread().name))).result(WAIT)
    assert [p.step for p, _ in events] == [1, 2, 3]
    assert all(name != threading.current_thread().name for _, name in events)


def test_expected_failures_come_back_through_the_future_and_the_worker_keeps_serving():
    with WarmWorker(CountingGenerator) as worker:
        with pytest.raises(OutOfMemory) as caught:
            worker.submit(_request(prompt="oom")).result(WAIT)
        assert caught.value.to_failure().kind == "out_of_memory"
        assert worker.submit(_request(7)).result(WAIT).seed == 7


def test_a_failed_load_fails_that_request_and_the_next_one_retries():
    attempts: list[int] = []

    def flaky() -> CountingGenerator:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk hiccup")
        return CountingGenerator()

    with WarmWorker(flaky) as worker:
        with pytest.raises(OSError, match="disk hiccup"):
            worker.submit(_request()).result(WAIT)
        assert not worker.loaded
        assert worker.submit(_request(5)).result(WAIT).seed == 5
        assert len(attempts) == 2


def test_cancel_before_start_and_mid_run():
    holder: list[CountingGenerator] = []

    def factory() -> CountingGenerator:
        holder.append(CountingGenerator(step_s=0.05, steps=40))
        return holder[-1]

    with WarmWorker(factory) as worker:
        worker.warm().result(WAIT)
        holder[0].gate.clear()  # hold the first request so the second waits in the inbox
        running_token, queued_token = CancelToken(), CancelToken()
        running = worker.submit(_request(1), cancel=running_token)
        queued = worker.submit(_request(2), cancel=queued_token)
        dropped = worker.submit(_request(3))
        assert dropped.cancel()  # a future cancelled while queued never runs
        queued_token.cancel()
        _wait_until_busy(worker)  # the first request is running, held at the gate
        running_token.cancel()
        holder[0].gate.set()
        with pytest.raises(RenderCancelled, match="at step"):
            running.result(WAIT)
        with pytest.raises(RenderCancelled, match="before it started"):
            queued.result(WAIT)
        assert holder[0].order == []
        assert worker.submit(_request(4)).result(WAIT).seed == 4


def test_close_fails_queued_requests_and_refuses_new_ones():
    holder: list[CountingGenerator] = []

    def factory() -> CountingGenerator:
        holder.append(CountingGenerator(step_s=0.05, steps=100))
        return holder[-1]

    worker = WarmWorker(factory)
    worker.warm().result(WAIT)
    holder[0].gate.clear()  # the first request holds at the gate until close() cancels it: it cannot finish first
    token = CancelToken()
    running = worker.submit(_request(1), cancel=token)
    queued = worker.submit(_request(2))
    _wait_until_busy(worker)
    worker.close(timeout=WAIT)
    assert worker.closed and token.cancelled
    with pytest.raises(RenderCancelled):
        running.result(WAIT)
    with pytest.raises(WorkerClosed):
        queued.result(WAIT)
    with pytest.raises(WorkerClosed):
        worker.submit(_request(3))
    worker.close()  # idempotent


async def test_awaitable_from_asyncio_without_blocking_the_loop():
    ticks = 0
    generator = CountingGenerator()
    generator.gate.clear()  # the render holds until the loop has ticked 5 times

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            if ticks == 5:
                generator.gate.set()
            await asyncio.sleep(0.01)

    with WarmWorker(lambda: generator) as worker:
        task = asyncio.create_task(ticker())
        result = await asyncio.wrap_future(worker.submit(_request(9)))
        opened_by_the_loop = generator.gate.is_set()
        task.cancel()
    assert result.seed == 9
    assert opened_by_the_loop and ticks >= 5  # the loop kept running while the render waited


def test_warm_loads_a_lazily_loading_generator_on_the_worker_thread():
    class LazyGenerator(CountingGenerator):
        def __init__(self) -> None:
            super().__init__()
            self.loaded_on: str | None = None

        def load(self) -> None:
            self.loaded_on = threading.current_thread().name

    built: list[LazyGenerator] = []

    def factory() -> LazyGenerator:
        built.append(LazyGenerator())
        return built[-1]

    worker = WarmWorker(factory)
    try:
        worker.warm().result(timeout=WAIT)
        assert built and built[0].loaded_on is not None
        assert built[0].loaded_on != threading.current_thread().name
    finally:
        worker.close()


class PausesWhenFirstRead(CancelToken):
    """A token that holds the worker thread the first time it is read: a request out of the inbox, not yet run."""

    def __init__(self) -> None:
        super().__init__()
        self.read = threading.Event()
        self.go_on = threading.Event()
        self._first = True

    @property
    def cancelled(self) -> bool:
        if self._first:
            self._first = False
            self.read.set()
            self.go_on.wait(WAIT)
        return super().cancelled


def test_a_request_taken_from_the_inbox_as_the_worker_closes_never_runs():
    # close() came between the worker taking the request and marking it running: it saw nothing running to
    # cancel and nothing queued to fail, and the render then ran to the end on a closed worker.
    generator = CountingGenerator()
    worker = WarmWorker(lambda: generator)
    worker.warm().result(WAIT)
    token = PausesWhenFirstRead()
    taken = worker.submit(_request(1), cancel=token)
    assert token.read.wait(WAIT)
    worker.close(timeout=0)
    token.go_on.set()
    with pytest.raises(WorkerClosed):
        taken.result(WAIT)
    assert generator.order == []
