"""WorkerSupervisor: what `dailies worker` runs: its own warm render actors, adopted after a restart, kept alive."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

import ray
from ray import exceptions as ray_errors
from ray.exceptions import GetTimeoutError, RayActorError, RayTaskError

from generator.backends import BackendOptions
from generator.base import Generator
from generator.queue.ray_actor import NAME_PREFIX, NAMESPACE, actor_spec, spawn_actor

log = logging.getLogger(__name__)

LOCK_PREFIX = "dailies-worker-"
# Ray 2.52+ names it; older releases raised a plain ValueError for a name in use.
_NAME_TAKEN: type[Exception] = getattr(ray_errors, "ActorAlreadyExistsError", ValueError)


class WorkerBusy(RuntimeError):
    """Another live `dailies worker` already keeps these actors."""


class _WorkerLock:
    """A named actor a live `dailies worker` holds: Ray ends it when the process that made it exits."""

    def __init__(self, host: str, pid: int) -> None:
        self._holder = {"host": host, "pid": pid}

    def holder(self) -> dict[str, Any]:
        return self._holder


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WorkerSupervisor:
    """Keeps `count` warm actors alive on this node: adopts a previous run's actors if unchanged, else replaces them.

    Actor names follow `tag`, so a worker restarted with the same tag finds what its predecessor left.
    """

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
        options: BackendOptions | None = None,
    ) -> None:
        self.names = [f"{NAME_PREFIX}{tag}-{index}" for index in range(count)]
        self.lock_name = f"{LOCK_PREFIX}{tag}"
        self._spawn: dict[str, Any] = {
            "backend": backend,
            "model": model,
            "num_gpus": num_gpus,
            "num_cpus": num_cpus,
            "factory": factory,
            "options": options,
        }
        self.spec = actor_spec(
            backend=backend, model=model, options=options, num_gpus=num_gpus, num_cpus=num_cpus, factory=factory
        )
        self.actors: dict[str, Any] = {}
        self.adopted: list[str] = []  # a previous run's actors, unchanged, kept warm (and their jobs running)
        self.replaced: list[str] = []  # a previous run's actors made differently: stopped, started anew
        self._lock: Any = None

    # --- the lock: one live supervisor per tag ------------------------------------------------------------

    def claim(self, *, wait_s: float = 30.0) -> None:
        """Take this tag's lock; WorkerBusy if a live worker holds it (a dead one's lock is waited for)."""
        lock_class = ray.remote(num_cpus=0, max_restarts=0)(_WorkerLock)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                lock = lock_class.options(name=self.lock_name, namespace=NAMESPACE).remote(
                    socket.gethostname(), os.getpid()
                )
                break
            except _NAME_TAKEN:
                holder = self._holder()
                here = holder is not None and holder.get("host") == socket.gethostname()
                if time.monotonic() >= deadline or (here and _pid_alive(int(holder["pid"]))):
                    where = f" (pid {holder['pid']} on {holder['host']})" if holder else ""
                    raise WorkerBusy(
                        f"another `dailies worker` already keeps the actors {', '.join(self.names)}{where}: "
                        "stop it first, or give this one another --name"
                    ) from None
                time.sleep(0.25)  # its process is gone: Ray frees the name in a moment
        ray.get(lock.holder.remote(), timeout=120)
        self._lock = lock

    def _holder(self) -> dict[str, Any] | None:
        try:
            return ray.get(ray.get_actor(self.lock_name, namespace=NAMESPACE).holder.remote(), timeout=10)
        except (ValueError, RayActorError, GetTimeoutError):
            return None

    def release(self) -> None:
        """Let go of the lock (the actors stay up for the next `dailies worker` to adopt)."""
        if self._lock is not None:
            ray.kill(self._lock, no_restart=True)
            self._lock = None

    # --- the actors ---------------------------------------------------------------------------------------

    def ensure(self, *, timeout: float = 600.0) -> list[str]:
        """Adopt or start every missing actor, restart dead ones, warm what is new; the names started this time."""
        started, warm = [], []
        for name in self.names:
            actor = self.actors.get(name)
            if actor is not None:
                if self._alive(actor, timeout):
                    continue
                log.warning("render actor %s is gone; starting a new one", name)
            else:
                leftover = self._leftover(name)
                if leftover is not None:
                    self.actors[name] = leftover
                    self.adopted.append(name)
                    warm.append(name)  # it may have died mid-warm with its old worker
                    continue
            self.actors[name] = self._spawn_named(name)
            started.append(name)
            warm.append(name)
        ray.get([self.actors[name].warm.remote() for name in warm], timeout=timeout)
        return started

    @staticmethod
    def _alive(actor: Any, timeout: float) -> bool:
        try:
            ray.get(actor.pid.remote(), timeout=timeout)
        except (RayActorError, GetTimeoutError):
            return False
        return True

    def _leftover(self, name: str) -> Any | None:
        """A previous run's live actor of this name if it was made as this one would be; else None (stopped)."""
        try:
            handle = ray.get_actor(name, namespace=NAMESPACE)
        except ValueError:
            return None
        try:
            spec = ray.get(handle.spec.remote(), timeout=60)
        except (RayActorError, GetTimeoutError, RayTaskError) as exc:  # dead, stuck, or from a Dailies without spec()
            log.warning("render actor %s left by an earlier worker is unusable (%s); replacing it", name, exc)
            spec = None
        if spec == self.spec:
            log.info("adopting render actor %s left by an earlier worker", name)
            return handle
        if spec is not None:
            log.warning("render actor %s was started as %s; replacing it with %s", name, spec, self.spec)
        ray.kill(handle, no_restart=True)
        self.replaced.append(name)
        return None

    def _spawn_named(self, name: str, wait_s: float = 60.0) -> Any:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                return spawn_actor(name, **self._spawn)
            except _NAME_TAKEN:  # the actor just stopped under this name: Ray frees it in a moment
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.25)

    def stop(self) -> None:
        """Stop this worker's actors (their running jobs go back to their queues) and let go of the lock."""
        for actor in self.actors.values():
            ray.kill(actor, no_restart=True)
        self.actors.clear()
        self.release()
