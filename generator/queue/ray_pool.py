"""RayPool: sends queue jobs to free render actors that serve their model, balanced, adopting a restart's orphans."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import ray
from ray.exceptions import GetTimeoutError, RayActorError, RayTaskError

from generator.base import CancelToken, Progress, ProgressCallback
from generator.errors import GeneratorError, ModelUnavailable, RenderCancelled
from generator.queue import Job, JobTask, WorkerLost
from generator.queue.ray_actor import NAME_PREFIX, NAMESPACE, Claim, RenderActor, actor_class, spawn_actor
from generator.queue.ray_supervisor import WorkerBusy, WorkerSupervisor
from generator.queue.serving import Serves, unavailable_message

log = logging.getLogger(__name__)

# Runs in the bot process on what the actor's task returned (e.g. writes returned bytes to the data folder).
Finish = Callable[[Job, Any], dict[str, Any]]
# Whether the queue still wants a job (queued or running): an orphan whose job it does not want is cancelled.
Wanted = Callable[[str], bool]

__all__ = [
    "NAMESPACE",
    "NAME_PREFIX",
    "RayPool",
    "RaySlot",
    "RenderActor",
    "WorkerBusy",
    "WorkerSupervisor",
    "actor_class",
    "spawn_actor",
]


@dataclass(frozen=True)
class _Seen:
    """What an actor said at the last refresh: what it serves, the job it renders and who sent it."""

    serves: Serves
    job: str | None = None
    claim: Claim | None = None
    cancelled: bool = False
    kept: str | None = None  # the job whose finished take it still holds


class RayPool:
    """Sends jobs to free render actors that serve their model; a job whose actor dies is retried on another.

    Jobs spread over the free actors (the one used longest ago first). With `owner` (the submitter's stable name,
    e.g. its host and job store), a restarted submitter adopts the renders its previous run left on the actors:
    a re-queued job attaches to its own render (or its finished take) there, and a render of a job the queue no
    longer wants is cancelled. A job no live actor serves fails as model_unavailable after `unavailable_s`.
    """

    def __init__(
        self,
        task: JobTask,
        finish: Finish | None = None,
        *,
        poll_s: float = 0.25,
        prefix: str = NAME_PREFIX,
        unavailable_s: float = 15.0,
        owner: str | None = None,
    ) -> None:
        self._task = task
        self._prefix = prefix
        self._finish = finish
        self._poll_s = poll_s
        self._unavailable_s = unavailable_s
        self.owner = owner
        self.claim: Claim = {"owner": owner or "", "run": uuid.uuid4().hex[:12]}
        self._wanted: Wanted | None = None
        self._cond = threading.Condition()
        self._actors: dict[str, Any] = {}
        self._seen: dict[str, _Seen] = {}
        self._busy: set[str] = set()  # actors running a job this pool sent
        self._lost: dict[str, set[str]] = {}  # job id -> actors that died holding it
        self._used: dict[str, int] = {}  # actor -> when this pool last sent it a job (a tick), for balance
        self._tick = 0
        self._refreshed = 0.0
        self.history: list[tuple[str, str, str]] = []  # (job id, actor, outcome), for operators and tests

    # --- what the cluster holds ---------------------------------------------------------------------------

    def watch_jobs(self, wanted: Wanted) -> None:
        """Called by the queue at start: from now on, orphaned renders of jobs it does not want are cancelled."""
        first = self._wanted is None
        self._wanted = wanted
        if first and self.owner:
            self.refresh()

    def refresh(self) -> int:
        """Look up the live render actors of the cluster by name and what they do; how many there are."""
        names = [
            entry["name"]
            for entry in ray.util.list_named_actors(all_namespaces=True)
            if entry["namespace"] == NAMESPACE and entry["name"].startswith(self._prefix)
        ]
        handles = {}
        for name in names:
            try:
                handles[name] = ray.get_actor(name, namespace=NAMESPACE)
            except ValueError:  # died between the listing and the lookup
                continue
        seen = self._ask_status(handles)
        found = {name: handle for name, handle in handles.items() if name in seen}
        with self._cond:
            for name, status in seen.items():  # a job of ours that ended since the actor answered: free again
                if name not in self._busy and (status.claim or {}).get("run") == self.claim["run"]:
                    seen[name] = replace(status, job=None, claim=None, cancelled=False)
            self._actors = found
            self._seen = seen
            self._refreshed = time.monotonic()
            self._cond.notify_all()
        self._cancel_orphans(found, seen)
        return len(found)

    def offers(self) -> dict[str, Serves]:
        """What each live actor found by the last refresh serves."""
        with self._cond:
            return {name: seen.serves for name, seen in self._seen.items()}

    def _ask_status(self, handles: dict[str, Any], timeout: float = 10.0) -> dict[str, _Seen]:
        refs = {name: handle.status.remote() for name, handle in handles.items()}
        ray.wait(list(refs.values()), num_returns=len(refs), timeout=timeout)
        seen = {}
        for name, ref in refs.items():
            try:
                status = ray.get(ref, timeout=0)
            except GetTimeoutError:
                log.warning("render actor %s did not answer in %.0f s; skipped", name, timeout)
                continue
            except (RayActorError, RayTaskError) as exc:  # died, or an older Dailies without status()
                log.warning("render actor %s skipped: %s", name, type(exc).__name__)
                continue
            seen[name] = _Seen(
                serves=Serves.model_validate(status["serves"]),
                job=status["job"],
                claim=status["claim"],
                cancelled=status["cancelled"],
                kept=status["kept"],
            )
        return seen

    def _orphan(self, seen: _Seen) -> bool:
        """A render an earlier run of this submitter started (it died or restarted before the end)."""
        claim = seen.claim or {}
        return bool(self.owner) and claim.get("owner") == self.owner and claim.get("run") != self.claim["run"]

    def _cancel_orphans(self, actors: dict[str, Any], seen: dict[str, _Seen]) -> None:
        wanted = self._wanted
        if wanted is None:
            return
        for name, status in seen.items():
            if status.job is None or status.cancelled or not self._orphan(status) or wanted(status.job):
                continue
            log.warning(
                "cancelling %s on %s: an earlier run of this submitter started it; it is not wanted", status.job, name
            )
            actors[name].cancel.remote(status.job)
            self.history.append((status.job, name, "orphan cancelled"))

    # --- choosing an actor --------------------------------------------------------------------------------

    def busy(self) -> list[str]:
        """The actors holding a job this pool sent (a snapshot), for operators, benchmarks and tests."""
        with self._cond:
            return sorted(self._busy)

    def slots(self, count: int) -> list[RaySlot]:
        """`count` queue executors over this pool (count = GPUs the cluster should have)."""
        return [RaySlot(f"ray-{index}", self) for index in range(count)]

    def _choose(self, job: Job) -> str | None:
        """Under the lock: the actor for `job`, or None while none is free.

        An actor that renders this very job (an orphan) or keeps its take comes first. Otherwise a free actor:
        not running a job of anyone (another submitter, an orphan), not holding another wanted job's orphan, not
        one this job died on while another is alive; of those the one used longest ago.
        """
        serving = [name for name in self._actors if self._seen[name].serves.accepts(job.request)]
        idle = [name for name in serving if name not in self._busy]
        for name in idle:
            seen = self._seen[name]
            if (seen.job == job.id and not seen.cancelled) or (seen.job is None and seen.kept == job.id):
                return name
        wanted = self._wanted
        free = [
            name
            for name in idle
            if self._seen[name].job is None
            and not (wanted is not None and self._seen[name].kept is not None and wanted(self._seen[name].kept))
        ]
        lost = self._lost.get(job.id, ())
        fresh = [name for name in free if name not in lost]
        others_alive = any(name not in lost for name in serving)
        candidates = fresh or ([] if others_alive else free)
        if not candidates:
            return None
        return min(candidates, key=lambda name: (self._used.get(name, 0), name))

    def _acquire(self, job: Job, cancel: CancelToken) -> tuple[str, Any]:
        asked, look_now = time.monotonic(), False
        while True:
            if look_now or time.monotonic() - self._refreshed > 2.0:
                self.refresh()
            with self._cond:
                choice = self._choose(job)
                if choice is not None:
                    self._busy.add(choice)
                    self._tick += 1
                    self._used[choice] = self._tick
                    return choice, self._actors[choice]
                serving = any(seen.serves.accepts(job.request) for seen in self._seen.values())
                stale = self._refreshed < asked
                if not serving and not stale and time.monotonic() - asked >= self._unavailable_s:
                    raise ModelUnavailable(
                        unavailable_message(job.request, [seen.serves for seen in self._seen.values()])
                    )
                if cancel.cancelled:
                    raise RenderCancelled("cancelled while waiting for a worker")
                look_now = not serving and stale  # see the cluster as it is now before waiting for a matching actor
                if look_now:
                    continue
                self._cond.wait(timeout=1.0)

    def _release(self, name: str, *, dead: bool, busy_with: str | None = None) -> None:
        with self._cond:
            self._busy.discard(name)
            if dead:
                self._actors.pop(name, None)
                self._seen.pop(name, None)
            elif name in self._seen:
                # What the actor said on refusing, or free now: until the next refresh says otherwise.
                self._seen[name] = replace(self._seen[name], job=busy_with, claim=None, cancelled=False)
            self._cond.notify_all()

    # --- running a job ------------------------------------------------------------------------------------

    def execute(self, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        while True:
            try:
                name, actor = self._acquire(job, cancel)
            except ModelUnavailable:
                self._lost.pop(job.id, None)
                self.history.append((job.id, "", "unavailable"))
                raise
            reply = self._run_on(name, actor, job, progress, cancel)
            if "busy" not in reply:
                break
            log.info("render actor %s is busy with %s; choosing another for %s", name, reply["busy"], job.id)
        self._lost.pop(job.id, None)
        self.history.append((job.id, name, "adopted" if reply["adopted"] else "done"))
        value = reply["value"]
        return self._finish(job, value) if self._finish is not None else value

    def _run_on(
        self, name: str, actor: Any, job: Job, progress: ProgressCallback, cancel: CancelToken
    ) -> dict[str, Any]:
        dead, busy_with = False, None
        try:
            ref = actor.run.remote(job.model_dump_json(), self._task, self.claim)
            reply = self._wait(actor, ref, job.id, progress, cancel)
            busy_with = reply.get("busy")
            return reply
        except RayActorError as exc:
            dead = True
            self._lost.setdefault(job.id, set()).add(name)
            self.history.append((job.id, name, "lost"))
            raise WorkerLost(f"worker {name} died: {type(exc).__name__}") from None
        except RayTaskError as exc:
            self.history.append((job.id, name, "failed"))
            if isinstance(exc.cause, GeneratorError):
                raise exc.cause from None
            raise GeneratorError(f"the render failed on {name}: {exc.cause!r}") from None
        finally:
            self._release(name, dead=dead, busy_with=busy_with)

    def _wait(self, actor: Any, ref: Any, job_id: str, progress: ProgressCallback, cancel: CancelToken) -> Any:
        cancel_sent = False
        poll_ref = None
        last: Progress | None = None
        while True:
            ready, _ = ray.wait([ref], timeout=self._poll_s)
            if ready:
                return ray.get(ref)
            if cancel.cancelled and not cancel_sent:
                cancel_sent = True
                actor.cancel.remote(job_id)
            if poll_ref is not None:
                done, _ = ray.wait([poll_ref], timeout=0)
                if done:
                    try:
                        report = ray.get(poll_ref)
                    except RayActorError:
                        report = None  # the run ref reports the death
                    if report is not None and report != last:
                        last = report
                        progress(report)
                    poll_ref = None
            if poll_ref is None:
                poll_ref = actor.poll.remote(job_id)


class RaySlot:
    """One queue executor backed by the pool: the queue runs one job per slot."""

    def __init__(self, name: str, pool: RayPool) -> None:
        self.name = name
        self.pool = pool

    def watch_jobs(self, wanted: Wanted) -> None:
        self.pool.watch_jobs(wanted)

    def execute(self, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        return self.pool.execute(job, progress, cancel)
