"""Queue benchmarks: utilisation of K simulated workers under a backlog, fairness to a light user, recovery time.

    .venv/bin/python bench/queue_throughput.py [--workers 4] [--jobs 240] [--job-s 0.05 0.2] [--no-ray]

Every figure comes from the real JobQueue with its SQLite store; workers are simulated (they sleep for the
job's length) except in the recovery figure, which kills a real Ray actor on a local cluster.
"""

from __future__ import annotations

import argparse
import functools
import random
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from generator.base import CancelToken, Progress, ProgressCallback, RenderResult
from generator.queue import Job, JobQueue, JobStore, QueueLimits
from generator.request import RenderRequest


class SimulatedWorker:
    """Sleeps for the job's length (seed = milliseconds) and records how long it was busy."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.busy_s = 0.0

    def execute(self, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
        started = time.perf_counter()
        time.sleep(job.request.seed / 1000)
        self.busy_s += time.perf_counter() - started
        return {}


def request(ms: int) -> RenderRequest:
    return RenderRequest(prompt="bench", width=64, height=64, num_frames=9, fps=8, steps=1, seed=ms)


def utilisation(workers: int, jobs: int, job_s: float, folder: Path) -> None:
    slots = [SimulatedWorker(f"w{i}") for i in range(workers)]
    limits = QueueLimits(max_queued=jobs + 1, per_user=jobs, user_concurrency=workers)
    queue = JobQueue(JobStore.open(folder / "util.sqlite"), slots, limits)
    rng = random.Random(1)
    submitted = [
        queue.submit(request(int(1000 * job_s * rng.uniform(0.5, 1.5))), owner=f"user{i % 12}") for i in range(jobs)
    ]
    started = time.perf_counter()
    queue.start()
    while queue.size:
        time.sleep(0.005)
    makespan = time.perf_counter() - started
    queue.close()
    busy = sum(slot.busy_s for slot in slots)
    assert all(queue.store.get(job.id).status == "done" for job in submitted)
    print(f"utilisation: {workers} workers, backlog of {jobs} jobs of ~{job_s * 1000:.0f} ms from 12 users")
    print(f"  makespan {makespan:.2f} s, workers busy {busy:.2f} s -> utilisation {busy / (workers * makespan):.1%}")
    print(f"  throughput {jobs / makespan:.1f} jobs/s (target utilisation >= 95%)")


def fairness(workers: int, heavy_jobs: int, job_s: float, folder: Path) -> None:
    slots = [SimulatedWorker(f"w{i}") for i in range(workers)]
    limits = QueueLimits(max_queued=heavy_jobs + 10, per_user=heavy_jobs, user_concurrency=workers)
    queue = JobQueue(JobStore.open(folder / "fair.sqlite"), slots, limits)
    queue.start()
    heavy = [queue.submit(request(int(job_s * 1000)), owner="heavy") for _ in range(heavy_jobs)]
    # The light user arrives once the heavy backlog occupies every worker (its first jobs have started).
    wait_until(lambda: all(queue.get(j.id).started_at for j in heavy[:workers]), STEP_TIMEOUT_S, "the backlog")
    light = [queue.submit(request(int(job_s * 1000)), owner="light") for _ in range(3)]
    while queue.size:
        time.sleep(0.005)
    queue.close()
    waits = [queue.store.get(job.id).wait_s for job in light]
    heavy_waits = [queue.store.get(job.id).wait_s for job in heavy]
    fifo_wait = (heavy_jobs / workers) * job_s
    print(f"fairness: {workers} workers, a heavy user queues {heavy_jobs} jobs of {job_s * 1000:.0f} ms, then a light")
    print(f"  user queues 3: light user's longest wait {max(waits):.3f} s ({max(waits) / job_s:.1f} job lengths);")
    print(
        f"  plain FIFO would make the first one wait ~{fifo_wait:.2f} s; heavy user's longest {max(heavy_waits):.2f} s"
    )


class GatedStepper:
    """A stand-in generator for the Ray figure: `steps` sleeps of 50 ms, then it holds until `gate` exists.

    Pickled by value into the actors. The gate keeps the first attempt running until the benchmark has
    killed its actor, so the kill always lands mid-job, however loaded the machine is.
    """

    name = "stepper"

    def __init__(self, gate: str) -> None:
        self.gate = Path(gate)

    def render(
        self, request: RenderRequest, progress: ProgressCallback | None = None, cancel: CancelToken | None = None
    ) -> RenderResult:
        for step in range(request.steps):
            time.sleep(0.05)
            if progress is not None:
                progress(Progress(step=step + 1, total=request.steps, elapsed_s=0.05 * (step + 1)))
        wait_until(self.gate.exists, GATE_TIMEOUT_S, "the benchmark to open the gate")
        frames = np.zeros((request.num_frames, request.height, request.width, 3), np.uint8)
        return RenderResult(frames, request.fps, "stepper", "stepper", request.seed, 0.05 * request.steps)


GATE_TIMEOUT_S = 300.0
STEP_TIMEOUT_S = 120.0  # Ray starting actors on a loaded 2-core machine can take a while


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `predicate` every 10 ms; raise TimeoutError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.01)


def stepper_task(generator, job: Job, progress: ProgressCallback, cancel: CancelToken) -> dict[str, Any]:
    generator.render(job.request, progress, cancel)
    return {"done_at": time.time()}


def recovery(folder: Path) -> None:
    import ray

    from generator.queue.ray_pool import RayPool, WorkerSupervisor

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    gate = folder / "gate"
    supervisor = WorkerSupervisor(
        count=2,
        backend="previz",  # stands in for previz workers: the pool routes the previz job below to them
        model=None,
        num_gpus=0,
        num_cpus=1,
        tag="bench",
        factory=functools.partial(GatedStepper, str(gate)),
    )
    supervisor.ensure()
    pool = RayPool(stepper_task, poll_s=0.05)
    pool.refresh()
    queue = JobQueue(JobStore.open(folder / "recovery.sqlite"), pool.slots(2))
    queue.start()
    starts: list[float] = []
    first_progress = threading.Event()

    def listen(update) -> None:
        if update.kind == "started":
            starts.append(time.time())
        if update.kind == "progress":
            first_progress.set()

    job = queue.submit(RenderRequest(prompt="bench", width=16, height=16, num_frames=2, fps=8, steps=40), owner="a")
    queue.subscribe(job.id, listen)

    def running() -> bool:  # on an actor, and reported a step (it cannot finish before the gate opens)
        current = queue.get(job.id)
        if current.finished:
            raise RuntimeError(f"the job ended before the kill: {current.status} {current.failure}")
        return first_progress.is_set() and len(pool.busy()) == 1

    wait_until(running, STEP_TIMEOUT_S, "the job to start")
    [victim] = pool.busy()
    killed = time.time()
    ray.kill(supervisor.actors[victim], no_restart=True)
    wait_until(lambda: len(starts) >= 2, STEP_TIMEOUT_S, "the job to restart on another actor")
    gate.touch()  # only now: the killed attempt could not have finished first
    wait_until(lambda: queue.get(job.id).finished, STEP_TIMEOUT_S, "the restarted job to finish")
    done = queue.get(job.id)
    if done.status != "done":
        raise RuntimeError(f"the restarted job did not finish: {done.status} {done.failure}")
    restarted = starts[-1] - killed
    print("recovery: a Ray actor killed mid-job on a local 2-CPU cluster")
    print(
        f"  job restarted on another actor {restarted:.2f} s after the kill; status {done.status}, "
        f"{done.attempts} attempts; finished {done.result['done_at'] - killed:.2f} s after the kill (job ~2 s)"
    )
    queue.close()
    supervisor.stop()
    ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=240)
    parser.add_argument("--job-s", type=float, nargs="+", default=[0.05, 0.2], help="mean job lengths to try")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray recovery figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for index, job_s in enumerate(args.job_s):
            utilisation(args.workers, args.jobs, job_s, Path(folder) / f"u{index}")
        fairness(args.workers, 60, args.job_s[0], Path(folder))
        if not args.no_ray:
            recovery(Path(folder))


if __name__ == "__main__":
    main()
