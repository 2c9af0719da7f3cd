"""Ray workers: one actor per GPU holding a warm generator, and the pool that sends queue jobs to them."""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import ray
from ray.exceptions import GetTimeoutError, RayActorError, RayTaskError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from dailies.generator.base import CancelToken, Generator, Progress, ProgressCallback
from dailies.generator.errors import GeneratorError, ModelUnavailable, RenderCancelled
from dailies.generator.queue import Job, JobTask, WorkerLost
from dailies.generator.queue.serving import Serves, unavailable_message

log = logging.getLogger(__name__)

NAMESPACE = "dailies"
NAME_PREFIX = "dailies-render-"

# Runs in the bot process on what the actor's task returned (e.g. writes returned bytes to the data folder).
Finish = Callable[[Job, Any], dict[str, Any]]


class RenderActor:
    """Lives in a Ray worker process: builds its generator once, then runs one job at a time on it."""

    def __init__(
        self,
        backend: str,
        model: str | None,
        factory: Callable[[], Generator] | None = None,
        threads: int | None = None,
    ) -> None:
        self._backend = backend
        self._model = model
        self._factory = factory
        self._threads = threads
        self._generator: Generator | None = None
        self._token: CancelToken | None = None
        self._progress: Progress | None = None
        self._serves = Serves(backend=backend, family=_family_of(backend, model), model=model)

    def serves(self) -> dict[str, Any]:
        """What this actor renders: backend, family and model as given to `dailies worker`."""
        return self._serves.model_dump()

    def _ensure(self) -> Generator:
        if self._generator is not None:
            return self._generator
        if self._threads is not None and self._backend == "diffusers" and self._factory is None:
            import torch  # a CPU actor gets the cores Ray gave it, not every core of the node

            torch.set_num_threads(self._threads)
        if self._factory is not None:
            generator = self._factory()
        else:
            from dailies.generator.backends import make_generator

            generator = make_generator(self._backend, model=self._model)
        load = getattr(generator, "load", None)
        if callable(load):  # a diffusers generator loads its weights lazily: warm means loaded, not the 1st job
            load()
        self._generator = generator
        return generator

    def warm(self) -> dict[str, Any]:
        """Build the generator; where this actor lives (host, pid, GPUs) and its torch threads (None: unset)."""
        self._ensure()
        torch = sys.modules.get("torch")
        threads = torch.get_num_threads() if torch is not None else None
        return {"host": socket.gethostname(), "pid": os.getpid(), "gpus": ray.get_gpu_ids(), "torch_threads": threads}

    def run(self, job_json: str, task: JobTask) -> Any:
        job = Job.model_validate_json(job_json)
        self._token, self._progress = CancelToken(), None
        try:
            return task(self._ensure(), job, self._report, self._token)
        finally:
            self._token = None

    def _report(self, progress: Progress) -> None:
        self._progress = progress

    def poll(self) -> Progress | None:
        return self._progress

    def cancel(self) -> None:
        if self._token is not None:
            self._token.cancel()

    def pid(self) -> int:
        return os.getpid()


def _family_of(backend: str, model: str | None) -> str | None:
    """The family a backend renders `model` with, resolved where the model lives (None if unknown)."""
    from dailies.generator.backends import resolve_family

    try:
        return resolve_family(backend, model).name
    except ValueError:
        return None


def actor_class(*, num_gpus: float, num_cpus: float) -> Any:
    # max_concurrency=2: poll and cancel are served while run() holds the generator.
    return ray.remote(num_gpus=num_gpus, num_cpus=num_cpus, max_concurrency=2, max_restarts=0)(RenderActor)


def spawn_actor(
    name: str,
    *,
    backend: str,
    model: str | None,
    num_gpus: float,
    num_cpus: float,
    here: bool = True,
    factory: Callable[[], Generator] | None = None,
    threads: int | None = None,
) -> Any:
    """A detached, named render actor (pinned to this node when `here`), found by pools through its name.

    A GPU-less actor runs torch on `threads` threads (default: its `num_cpus`), not on every core of the node.
    """
    if threads is None and not num_gpus:
        threads = max(1, int(num_cpus))
    options: dict[str, Any] = {"name": name, "namespace": NAMESPACE, "lifetime": "detached"}
    if here:
        node = ray.get_runtime_context().get_node_id()
        options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(node_id=node, soft=False)
    return actor_class(num_gpus=num_gpus, num_cpus=num_cpus).options(**options).remote(backend, model, factory, threads)


class WorkerSupervisor:
    """What `dailies worker` runs: keeps `count` warm actors alive on this node, re-creating dead ones."""

    def __init__(
        self,
        *,
        count: int,
        backend: str,
        model: str | None,
        num_gpus: float,
        num_cpus: float,
        tag: str,
        factory: Callable[[], Generator] | None = None,
    ) -> None:
        self.names = [f"{NAME_PREFIX}{tag}-{index}" for index in range(count)]
        self._spec: dict[str, Any] = {
            "backend": backend,
            "model": model,
            "num_gpus": num_gpus,
            "num_cpus": num_cpus,
            "factory": factory,
        }
        self.actors: dict[str, Any] = {}

    def ensure(self, *, timeout: float = 600.0) -> list[str]:
        """Start every missing or dead actor and warm them all at once; the names started this time."""
        started = []
        for name in self.names:
            actor = self.actors.get(name)
            if actor is not None:
                try:
                    ray.get(actor.pid.remote(), timeout=timeout)
                    continue
                except (RayActorError, GetTimeoutError):
                    log.warning("render actor %s is gone; starting a new one", name)
            self.actors[name] = spawn_actor(name, **self._spec)
            started.append(name)
        ray.get([self.actors[name].warm.remote() for name in started], timeout=timeout)
        return started

    def stop(self) -> None:
        for actor in self.actors.values():
            ray.kill(actor, no_restart=True)
        self.actors.clear()


class RayPool:
    """Sends jobs to idle render actors that serve their model; a job whose actor dies is retried on another.

    A job that no live actor serves fails as model_unavailable once `unavailable_s` passed without one.
    """

    def __init__(
        self,
        task: JobTask,
        finish: Finish | None = None,
        *,
        poll_s: float = 0.25,
        prefix: str = NAME_PREFIX,
        unavailable_s: float = 15.0,
    ) -> None:
        self._task = task
        self._prefix = prefix
        self._finish = finish
        self._poll_s = poll_s
        self._unavailable_s = unavailable_s
        self._cond = threading.Condition()
        self._actors: dict[str, Any] = {}
        self._serves: dict[str, Serves] = {}
        self._busy: set[str] = set()
        self._lost: dict[str, set[str]] = {}  # job id -> actors that died holding it
        self._refreshed = 0.0
        self.history: list[tuple[str, str, str]] = []  # (job id, actor, outcome), for operators and tests

    def refresh(self) -> int:
        """Look up the live render actors of the cluster by name; how many there are."""
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
        offers = self._ask_serves(handles)
        found = {name: handle for name, handle in handles.items() if name in offers}
        with self._cond:
            self._actors = found
            self._serves = offers
            self._refreshed = time.monotonic()
            self._cond.notify_all()
        return len(found)

    def offers(self) -> dict[str, Serves]:
        """What each live actor found by the last refresh serves."""
        with self._cond:
            return dict(self._serves)

    def _ask_serves(self, handles: dict[str, Any], timeout: float = 10.0) -> dict[str, Serves]:
        refs = {name: handle.serves.remote() for name, handle in handles.items()}
        ray.wait(list(refs.values()), num_returns=len(refs), timeout=timeout)
        offers = {}
        for name, ref in refs.items():
            try:
                offers[name] = Serves.model_validate(ray.get(ref, timeout=0))
            except GetTimeoutError:
                log.warning("render actor %s did not say what it serves in %.0f s; skipped", name, timeout)
            except (RayActorError, RayTaskError) as exc:  # died, or an older Dailies without serves()
                log.warning("render actor %s skipped: %s", name, type(exc).__name__)
        return offers

    def busy(self) -> list[str]:
        """The actors holding a job right now (a snapshot), for operators, benchmarks and tests."""
        with self._cond:
            return sorted(self._busy)

    def slots(self, count: int) -> list[RaySlot]:
        """`count` queue executors over this pool (count = GPUs the cluster should have)."""
        return [RaySlot(f"ray-{index}", self) for index in range(count)]

    def _acquire(self, job: Job, cancel: CancelToken) -> tuple[str, Any]:
        asked, look_now = time.monotonic(), False
        while True:
            if look_now or time.monotonic() - self._refreshed > 2.0:
                self.refresh()
            with self._cond:
                serving = [name for name in self._actors if self._serves[name].accepts(job.request)]
                stale = self._refreshed < asked
                if not serving and not stale and time.monotonic() - asked >= self._unavailable_s:
                    raise ModelUnavailable(unavailable_message(job.request, self._serves.values()))
                lost = self._lost.get(job.id, ())
                idle = [name for name in serving if name not in self._busy]
                fresh = [name for name in idle if name not in lost]
                others_alive = any(name not in lost for name in serving)
                choice = fresh[0] if fresh else (idle[0] if idle and not others_alive else None)
                if choice is not None:
                    self._busy.add(choice)
                    return choice, self._actors[choice]
                if cancel.cancelled:
                    raise RenderCancelled("cancelled while waiting for a worker")
                look_now = not serving and stale  # see the cluster as it is now before waiting for a matching actor
                if look_now:
                    continue
                self._cond.wait(timeout=1.0)

    def _release(self, name: str, *, dead: bool) -> None:
        with self._cond:
            self._busy.discard(name)
            if dead:
                self._actors.pop(name, None)
                self._serves.pop(name, None)
            self._cond.notify_all()

    def execute(self, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        try:
            name, actor = self._acquire(job, cancel)
        except ModelUnavailable:
            self._lost.pop(job.id, None)
            self.history.append((job.id, "", "unavailable"))
            raise
        dead = False
        try:
            value = self._wait(actor, actor.run.remote(job.model_dump_json(), self._task), progress, cancel)
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
            self._release(name, dead=dead)
        self._lost.pop(job.id, None)
        self.history.append((job.id, name, "done"))
        return self._finish(job, value) if self._finish is not None else value

    def _wait(self, actor: Any, ref: Any, progress: ProgressCallback, cancel: CancelToken) -> Any:
        cancel_sent = False
        poll_ref = None
        last: Progress | None = None
        while True:
            ready, _ = ray.wait([ref], timeout=self._poll_s)
            if ready:
                return ray.get(ref)
            if cancel.cancelled and not cancel_sent:
                cancel_sent = True
                actor.cancel.remote()
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
                poll_ref = actor.poll.remote()


class RaySlot:
    """One queue executor backed by the pool: the queue runs one job per slot."""

    def __init__(self, name: str, pool: RayPool) -> None:
        self.name = name
        self._pool = pool

    def execute(self, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        return self._pool.execute(job, progress, cancel)
