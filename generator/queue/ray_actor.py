"""RenderActor: a warm generator in a Ray worker process that renders one job at a time, each with its own state."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from generator.backends import BackendOptions
from generator.base import CancelToken, Generator, Progress
from generator.queue import Job, JobTask
from generator.queue.serving import Serves

NAMESPACE = "dailies"
NAME_PREFIX = "dailies-render-"

# Who sent a job: the submitter's stable name (its host and job store) and this run of it (a new one per start).
Claim = dict[str, str]


def job_fingerprint(job: Job) -> str:
    """What makes two runs of one job the same render: its id, its request and where its take goes."""
    payload = {"id": job.id, "request": job.request.model_dump(mode="json"), "meta": job.meta}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class _Render:
    """One job on this actor: its own cancel token and progress, and its outcome once it ends."""

    job_id: str
    fingerprint: str
    claim: Claim | None
    token: CancelToken = field(default_factory=CancelToken)
    progress: Progress | None = None
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None

    def report(self, progress: Progress) -> None:
        self.progress = progress

    def same_job(self, job_id: str, fingerprint: str) -> bool:
        return self.job_id == job_id and self.fingerprint == fingerprint


def actor_spec(
    *,
    backend: str,
    model: str | None,
    options: BackendOptions | None,
    num_gpus: float,
    num_cpus: float,
    factory: Callable[[], Generator] | None = None,
) -> dict[str, Any]:
    """How a render actor was made; a restarted `dailies worker` adopts a leftover actor only if this is unchanged."""
    try:
        version = metadata.version("dailies")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "backend": backend,
        "model": model,
        "options": json.loads(json.dumps(asdict(options or BackendOptions()))),  # plain JSON: lists, not tuples
        "num_gpus": float(num_gpus),
        "num_cpus": float(num_cpus),
        "factory": None if factory is None else f"{factory.__module__}.{factory.__qualname__}",
        "version": version,
    }


class RenderActor:
    """Lives in a Ray worker process: builds its generator once, then runs one job at a time on it.

    A job sent again while its render still runs here, or after it finished here (its submitter restarted), is
    attached to that render instead of rendering twice; any other job is refused while one runs.
    """

    def __init__(
        self,
        backend: str,
        model: str | None,
        factory: Callable[[], Generator] | None = None,
        threads: int | None = None,
        options: BackendOptions | None = None,
        spec: dict[str, Any] | None = None,
    ) -> None:
        self._backend = backend
        self._model = model
        self._factory = factory
        self._threads = threads
        self._options = options or BackendOptions()
        self._spec = spec or {}
        self._generator: Generator | None = None
        self._build_lock = threading.Lock()
        self._lock = threading.Lock()
        self._current: _Render | None = None
        self._last: _Render | None = None  # the last render that ended, kept for a submitter that restarted
        self._serves = Serves(backend=backend, family=_family_of(backend, model), model=model)

    def serves(self) -> dict[str, Any]:
        """What this actor renders: backend, family and model as given to `dailies worker`."""
        return self._serves.model_dump()

    def spec(self) -> dict[str, Any]:
        """How `dailies worker` made this actor (backend, model, options, resources, version)."""
        return self._spec

    def status(self) -> dict[str, Any]:
        """What it serves, the job it renders now (and who sent it), and the job whose take it keeps."""
        with self._lock:
            current, last = self._current, self._last
        kept = last.job_id if last is not None and last.error is None else None
        return {
            "serves": self._serves.model_dump(),
            "job": current.job_id if current is not None else None,
            "claim": current.claim if current is not None else None,
            "cancelled": current.token.cancelled if current is not None else False,
            "kept": kept,
        }

    def _ensure(self) -> Generator:
        with self._build_lock:  # a warm() call of a restarted worker may overlap the first one's
            if self._generator is not None:
                return self._generator
            if self._threads is not None and self._backend == "diffusers" and self._factory is None:
                import torch  # a CPU actor gets the cores Ray gave it, not every core of the node

                torch.set_num_threads(self._threads)
            if self._factory is not None:
                generator = self._factory()
            else:
                from generator.backends import make_generator

                generator = make_generator(self._backend, model=self._model, options=self._options)
            load = getattr(generator, "load", None)
            if callable(load):  # a diffusers generator loads its weights lazily: warm means loaded, not the 1st job
                load()
            self._generator = generator
            return generator

    def warm(self) -> dict[str, Any]:
        """Build the generator; where this actor lives (host, pid, GPUs), its torch threads and load notes."""
        generator = self._ensure()
        torch = sys.modules.get("torch")
        threads = torch.get_num_threads() if torch is not None else None
        return {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "gpus": ray.get_gpu_ids(),
            "torch_threads": threads,
            "load_notes": list(getattr(generator, "load_notes", [])),
        }

    def run(self, job_json: str, task: JobTask, claim: Claim | None = None) -> dict[str, Any]:
        """Render a job: {"value": ..., "adopted": bool}, or {"busy": other job id} while another job runs here."""
        job = Job.model_validate_json(job_json)
        fingerprint = job_fingerprint(job)
        with self._lock:
            current, last = self._current, self._last
            if current is not None:
                if not current.same_job(job.id, fingerprint) or current.token.cancelled:
                    return {"busy": current.job_id}
                current.claim = claim  # a restarted submitter takes over its own orphaned render
            elif last is not None and last.same_job(job.id, fingerprint) and last.error is None:
                return {"value": last.value, "adopted": True}
            else:
                fresh = self._current = _Render(job.id, fingerprint, claim)
        if current is None:
            return self._render(fresh, job, task)
        current.done.wait()
        if current.error is not None:
            raise current.error
        return {"value": current.value, "adopted": True}

    def _render(self, render: _Render, job: Job, task: JobTask) -> dict[str, Any]:
        try:
            render.value = task(self._ensure(), job, render.report, render.token)
        except BaseException as exc:
            render.error = exc
            raise
        finally:
            with self._lock:
                self._current = None
                self._last = render
            render.done.set()
        return {"value": render.value, "adopted": False}

    def poll(self, job_id: str | None = None) -> Progress | None:
        """The last progress of the job rendering now (None if `job_id` is not the one)."""
        render = self._current
        if render is None or (job_id is not None and render.job_id != job_id):
            return None
        return render.progress

    def cancel(self, job_id: str | None = None) -> bool:
        """Cancel the job rendering now if it is `job_id` (any job when None); whether one was cancelled."""
        render = self._current
        if render is None or (job_id is not None and render.job_id != job_id):
            return False
        render.token.cancel()
        return True

    def pid(self) -> int:
        return os.getpid()


def _family_of(backend: str, model: str | None) -> str | None:
    """The family a backend renders `model` with, resolved where the model lives (None if unknown)."""
    from generator.backends import resolve_family

    try:
        return resolve_family(backend, model).name
    except ValueError:
        return None


def actor_class(*, num_gpus: float, num_cpus: float) -> Any:
    # Threads for one render, a restarted submitter's retry waiting on it, and poll/cancel/status beside them.
    return ray.remote(num_gpus=num_gpus, num_cpus=num_cpus, max_concurrency=8, max_restarts=0)(RenderActor)


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
    options: BackendOptions | None = None,
) -> Any:
    """A detached, named render actor (pinned to this node when `here`), found by pools through its name.

    A GPU-less actor runs torch on `threads` threads (default: its `num_cpus`), not on every core of the node.
    """
    if threads is None and not num_gpus:
        threads = max(1, int(num_cpus))
    spec = actor_spec(
        backend=backend, model=model, options=options, num_gpus=num_gpus, num_cpus=num_cpus, factory=factory
    )
    settings: dict[str, Any] = {"name": name, "namespace": NAMESPACE, "lifetime": "detached"}
    if here:
        node = ray.get_runtime_context().get_node_id()
        settings["scheduling_strategy"] = NodeAffinitySchedulingStrategy(node_id=node, soft=False)
    remote = actor_class(num_gpus=num_gpus, num_cpus=num_cpus).options(**settings)
    return remote.remote(backend, model, factory, threads, options, spec)
