"""JobQueue: a fair, capped, persistent render queue served by one thread per executor slot."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from generator.base import CancelToken, Progress, ProgressCallback
from generator.errors import Failure, GeneratorError, OverQuota, QueueFull
from generator.queue.eta import Eta, StepTimes, simulate
from generator.queue.fairness import dispatch_order, pick_next
from generator.queue.job import Job, JobPriority, QueueLimits
from generator.queue.store import JobStore
from generator.request import RenderRequest

log = logging.getLogger(__name__)


class WorkerLost(GeneratorError):
    """The worker running a job died (process killed, node lost): the queue starts the job again."""

    kind = "internal"
    retryable = True


class Executor(Protocol):
    """One slot that runs one job at a time (a warm local generator, or a Ray actor pool slot)."""

    name: str

    def execute(self, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]: ...


@dataclass(frozen=True)
class JobUpdate:
    """What a subscriber hears: a new place in the queue, a start, a progress step, or the end."""

    kind: Literal["queued", "started", "progress", "finished"]
    job: Job
    eta: Eta | None = None
    progress: Progress | None = None


Listener = Callable[[JobUpdate], None]


@dataclass
class _Running:
    job: Job
    token: CancelToken
    started: float
    progress: Progress | None = None


class JobQueue:
    """Round-robin across users, FIFO within one, final before draft, caps; every change goes to the store."""

    def __init__(
        self,
        store: JobStore,
        executors: Sequence[Executor],
        limits: QueueLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`clock` times renders for the ETA (seconds, monotonic); a test passes one that moves only when told."""
        if not executors:
            raise ValueError("a job queue needs at least one executor")
        self.store = store
        self.limits = limits or QueueLimits()
        self._executors = list(executors)
        self._cond = threading.Condition()
        self._queued: dict[str, Job] = {}
        self._running: dict[str, _Running] = {}
        self._last_served: dict[str, int] = {}
        self._tick = 0
        self._listeners: dict[str, list[Listener]] = {}
        self._positions: dict[str, int] = {}
        # Updates are posted under the lock in the order the queue changed and delivered by one thread at a time
        # in that order: a job never hears "queued" after "started" because two threads announced at once.
        self._outbox: deque[JobUpdate] = deque()
        self._delivery = threading.RLock()  # re-entrant: a listener may call the queue, which delivers
        self._times = StepTimes(store.load_step_times())
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._clock = clock

    # --- life cycle -------------------------------------------------------------------------------------

    def start(self) -> list[Job]:
        """Re-queue what a previous process left unfinished, start the worker threads; the recovered jobs."""
        recovered = self.store.recover(self.limits.max_attempts)
        with self._cond:
            for job in recovered:
                self._queued[job.id] = job
        for executor in self._executors:
            watch = getattr(executor, "watch_jobs", None)
            if callable(watch):  # a Ray slot: its pool cancels leftover renders of jobs this queue does not want
                watch(self.wants)
        for executor in self._executors:
            thread = threading.Thread(target=self._serve, args=(executor,), name=f"queue-{executor.name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return recovered

    def close(self, *, requeue: bool = True, timeout: float = 10.0) -> None:
        """Stop serving; running jobs are cancelled and stored as queued (requeue=False: left as a crash would)."""
        with self._cond:
            self._closed = True
            running = list(self._running.values())
            self._cond.notify_all()
        for entry in running:
            if requeue:
                attempts = max(0, entry.job.attempts - 1)  # a shutdown is not the job's fault
                self.store.save(entry.job.model_copy(update={"status": "queued", "worker": None, "attempts": attempts}))
            entry.token.cancel()
        if requeue:
            deadline = time.monotonic() + timeout
            for thread in self._threads:
                thread.join(max(0.0, deadline - time.monotonic()))
        for executor in self._executors:
            closer = getattr(executor, "close", None)
            if callable(closer):
                closer()

    def __enter__(self) -> JobQueue:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the API ----------------------------------------------------------------------------------------

    def submit(
        self,
        request: RenderRequest,
        *,
        owner: str,
        guild: str | None = None,
        thread: str | None = None,
        priority: JobPriority = "draft",
        meta: dict[str, Any] | None = None,
        job_id: str | None = None,
    ) -> Job:
        """Store and queue a job, or raise QueueFull / OverQuota with a line a creator understands.

        A caller-chosen `job_id` makes submission idempotent: if that job exists, it is returned as it is.
        """
        job = Job(owner=owner, guild=guild, thread=thread, priority=priority, request=request, meta=meta or {})
        if job_id is not None:
            existing = self.get(job_id)
            if existing is not None:
                return existing
            job = job.model_copy(update={"id": job_id})
        with self._cond:
            if self._closed:
                raise QueueFull("the render queue is shutting down; try again in a minute")
            pending = [*self._queued.values(), *(entry.job for entry in self._running.values())]
            limits = self.limits
            if len(pending) >= limits.max_queued:
                raise QueueFull(f"the render queue is full ({len(pending)} jobs); try again in a few minutes")
            if sum(1 for other in pending if other.owner == owner) >= limits.per_user:
                raise OverQuota(
                    f"you already have {limits.per_user} renders waiting or running; "
                    "wait for one to finish or cancel one"
                )
            if guild is not None and sum(1 for other in pending if other.guild == guild) >= limits.per_guild:
                raise OverQuota(f"this server already has {limits.per_guild} renders waiting or running; try later")
            job = self.store.add(job)
            self._queued[job.id] = job
            self._cond.notify_all()
            self._announce_locked()
        self._deliver()
        return job

    def cancel(self, job_id: str) -> bool:
        """Cancel a queued job at once, or a running one through its pipeline's interrupt; False if finished."""
        with self._cond:
            job = self._queued.pop(job_id, None)
            if job is not None:
                job = job.model_copy(
                    update={
                        "status": "cancelled",
                        "finished_at": time.time(),
                        "failure": Failure(kind="cancelled", message="cancelled before it started"),
                    }
                )
                self.store.save(job)
                self._outbox.append(JobUpdate("finished", job))
                self._announce_locked()
            elif job_id in self._running:
                self._running[job_id].token.cancel()
                return True
            else:
                return False
        self._deliver()
        return True

    def get(self, job_id: str) -> Job | None:
        with self._cond:
            if job_id in self._queued:
                return self._queued[job_id]
            if job_id in self._running:
                return self._running[job_id].job
        return self.store.get(job_id)

    def wants(self, job_id: str) -> bool:
        """Whether a job is queued or running here (a leftover render of any other job can stop)."""
        with self._cond:
            return job_id in self._queued or job_id in self._running

    def undelivered(self, thread: str | None = None) -> list[Job]:
        """Jobs whose outcome has not reached their thread yet (for delivery after a restart)."""
        return self.store.undelivered(thread)

    def mark_delivered(self, job_id: str) -> None:
        job = self.store.get(job_id)
        if job is not None and job.finished and job.delivered_at is None:
            self.store.save(job.model_copy(update={"delivered_at": time.time()}))

    def subscribe(self, job_id: str, listener: Listener) -> Callable[[], None]:
        """Call `listener` (from queue threads) on every update of the job; returns an unsubscribe function."""
        with self._cond:
            self._listeners.setdefault(job_id, []).append(listener)
            live = job_id in self._queued or job_id in self._running
            self._announce_locked(force=job_id)
        self._deliver()
        if not live:  # it ended before this call: the store has how (a job ends under the lock)
            job = self.store.get(job_id)
            if job is not None and job.finished:
                listener(JobUpdate("finished", job))

        def unsubscribe() -> None:
            with self._cond:
                listeners = self._listeners.get(job_id, [])
                if listener in listeners:
                    listeners.remove(listener)
                if not listeners:
                    self._listeners.pop(job_id, None)

        return unsubscribe

    def etas(self) -> dict[str, Eta]:
        """Every queued job's position and estimated wait and end, in seconds from now."""
        with self._cond:
            return self._etas_locked()

    def estimate_s(self, request: RenderRequest) -> float:
        with self._cond:
            return self._times.estimate(request)

    @property
    def size(self) -> int:
        """Unfinished jobs (queued and running)."""
        with self._cond:
            return len(self._queued) + len(self._running)

    # --- internals --------------------------------------------------------------------------------------

    def _etas_locked(self) -> dict[str, Eta]:
        order = dispatch_order(list(self._queued.values()), self._last_served)
        now = self._clock()
        left = []
        for entry in self._running.values():
            elapsed = now - entry.started
            progress = entry.progress
            if progress is not None and progress.step > 0:
                left.append(elapsed / progress.step * max(0, progress.total - progress.step))
            else:
                left.append(self._times.estimate(entry.job.request) - elapsed)
        return simulate(order, left, len(self._executors), self._times)

    def _deliver(self) -> None:
        """Hand posted updates to their listeners, oldest first; called without the lock held.

        One thread delivers at a time. A thread that finds another delivering leaves its updates to it and goes
        on (a slot never waits on a listener); the deliverer looks again after letting go, so none is stranded.
        """
        while True:
            if not self._delivery.acquire(blocking=False):
                return
            try:
                self._drain()
            finally:
                self._delivery.release()
            with self._cond:
                if not self._outbox:
                    return

    def _drain(self) -> None:
        while True:
            with self._cond:
                if not self._outbox:
                    return
                update = self._outbox.popleft()
                listeners = list(self._listeners.get(update.job.id, ()))
            for listener in listeners:
                try:
                    listener(update)
                except Exception:  # a subscriber's bug must not stop the queue
                    log.exception("job listener failed for %s", update.job.id)

    def _announce_locked(self, force: str | None = None) -> None:
        """Under the lock: post a new place to every watched queued job whose place changed (or `force`)."""
        watched = [job_id for job_id in self._listeners if job_id in self._queued]
        if not watched:
            return
        etas = self._etas_locked()
        for job_id in watched:
            eta = etas[job_id]
            if force == job_id or self._positions.get(job_id) != eta.position:
                self._positions[job_id] = eta.position
                self._outbox.append(JobUpdate("queued", self._queued[job_id], eta=eta))

    def _take_next(self) -> _Running | None:
        """Under the lock: wait for a job this slot may start; None once closed."""
        while not self._closed:
            running = [entry.job for entry in self._running.values()]
            job = pick_next(list(self._queued.values()), running, self._last_served, self.limits)
            if job is not None:
                del self._queued[job.id]
                self._positions.pop(job.id, None)
                self._tick += 1
                self._last_served[job.owner] = self._tick
                return _Running(job=job, token=CancelToken(), started=self._clock())
            self._cond.wait()
        return None

    def _serve(self, executor: Executor) -> None:
        while True:
            with self._cond:
                entry = self._take_next()
                if entry is None:
                    return
                entry.job = entry.job.model_copy(
                    update={
                        "status": "running",
                        "attempts": entry.job.attempts + 1,
                        "worker": executor.name,
                        "started_at": time.time(),
                    }
                )
                self._running[entry.job.id] = entry
                self.store.save(entry.job)
                self._outbox.append(JobUpdate("started", entry.job))
                self._announce_locked()
            self._deliver()
            self._finish(entry, *self._run(executor, entry))

    def _run(self, executor: Executor, entry: _Running) -> tuple[dict[str, Any] | None, GeneratorError | None]:
        def progress(report: Progress) -> None:
            with self._cond:
                entry.progress = report
                self._outbox.append(JobUpdate("progress", entry.job, progress=report))
            self._deliver()

        try:
            return executor.execute(entry.job, progress, entry.token), None
        except GeneratorError as exc:
            return None, exc
        except Exception:  # the slot survives any bug in a job; the reason goes to the log, never to a creator
            log.exception("job %s failed on %s", entry.job.id, executor.name)
            return None, GeneratorError(
                f"the render failed on our side (job {entry.job.id}); the operator's log says why"
            )

    def _finish(self, entry: _Running, result: dict[str, Any] | None, error: GeneratorError | None) -> None:
        now = time.time()
        job = entry.job
        with self._cond:
            self._running.pop(job.id, None)
            self._cond.notify_all()
            if self._closed:
                return  # shutting down (or crashed): the store keeps what close() decided
            if error is None and not entry.token.cancelled:
                job = job.model_copy(update={"status": "done", "result": result, "finished_at": now})
                key, mean, count = self._times.record(job.request, self._clock() - entry.started)
                self.store.save_step_time(key, mean, count)
            elif entry.token.cancelled:
                failure = Failure(kind="cancelled", message="cancelled while rendering")
                job = job.model_copy(update={"status": "cancelled", "failure": failure, "finished_at": now})
            elif isinstance(error, WorkerLost) and job.attempts < self.limits.max_attempts:
                log.warning("job %s lost its worker (%s); queued again", job.id, error)
                job = job.model_copy(update={"status": "queued", "worker": None})
                self._queued[job.id] = job
            else:
                assert error is not None
                if isinstance(error, WorkerLost):
                    message = f"the render lost its worker {job.attempts} times; gave up ({error})"
                    failure = Failure(kind="internal", message=message)
                else:
                    failure = error.to_failure()
                job = job.model_copy(update={"status": "failed", "failure": failure, "finished_at": now})
            self.store.save(job)
            if job.finished:
                self._outbox.append(JobUpdate("finished", job))
            self._announce_locked()
        self._deliver()
