"""Ray on a local 2-CPU cluster: a killed submitter's orphaned renders, one job per actor, balance across actors."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.patience import patient

ray = pytest.importorskip("ray", reason="the scale extra (ray) is not installed")

from generator.errors import RenderCancelled  # noqa: E402
from generator.queue import Job, JobQueue, JobStore, QueueLimits  # noqa: E402
from generator.queue.ray_pool import RayPool, WorkerSupervisor  # noqa: E402
from tests.generator.queue.ray_helpers import frames_task, make_stepped, stepped_request  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(patient(300))]
ROOT = Path(__file__).resolve().parents[3]
PREFIX = "dailies-render-restart"
OWNER = "test-host:/data/jobs.sqlite"


@pytest.fixture(scope="module")
def cluster():
    context = ray.init(
        address="local",  # never attach to another Ray head running on this machine
        num_cpus=2,
        num_gpus=0,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}},
    )
    supervisor = WorkerSupervisor(
        count=2, backend="previz", model=None, num_gpus=0, num_cpus=1, tag="restart", factory=make_stepped
    )
    supervisor.ensure(timeout=patient(120))
    yield context.address_info["gcs_address"], supervisor
    supervisor.stop()
    ray.shutdown()


def wait_for(predicate, timeout: float = patient(90.0)) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def rendering(supervisor: WorkerSupervisor, job_id: str) -> str | None:
    """The actor whose status says it renders `job_id` now."""
    for name, actor in supervisor.actors.items():
        if ray.get(actor.status.remote(), timeout=patient(30))["job"] == job_id:
            return name
    return None


def orphan_a_render(address: str, store: Path, job_id: str, steps: int, seed: int, supervisor) -> str:
    """A submitter process queues `job_id`, and is killed (SIGKILL) once an actor renders it; that actor."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    argv = [address, str(store), OWNER, PREFIX, job_id, str(steps), str(seed)]
    submitter = subprocess.Popen(
        [sys.executable, "-m", "tests.generator.queue.ray_submitter", *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        victim = None

        def started() -> bool:
            nonlocal victim
            assert submitter.poll() is None, submitter.stderr.read()[-2000:]
            victim = rendering(supervisor, job_id)
            return victim is not None

        wait_for(started, timeout=patient(120))
    finally:
        submitter.kill()
        submitter.wait(timeout=patient(30))
    return victim


def test_a_restarted_submitter_adopts_its_orphan_and_sends_new_work_to_the_free_actor(cluster, tmp_path: Path) -> None:
    address, supervisor = cluster
    store = tmp_path / "jobs.sqlite"
    victim = orphan_a_render(address, store, "job-orphan", steps=100, seed=42, supervisor=supervisor)
    [other] = [name for name in supervisor.actors if name != victim]
    assert rendering(supervisor, "job-orphan") == victim  # the dead submitter's render goes on

    pool = RayPool(frames_task, poll_s=0.05, prefix=PREFIX, owner=OWNER)
    queue = JobQueue(JobStore.open(store), pool.slots(2), QueueLimits(user_concurrency=2))
    steps: list[int] = []
    queue.subscribe("job-orphan", lambda update: update.progress is not None and steps.append(update.progress.step))
    assert [job.id for job in queue.start()] == ["job-orphan"]
    fresh = queue.submit(stepped_request(steps=3, seed=9), owner="ana")
    wait_for(lambda: queue.get("job-orphan").finished and queue.get(fresh.id).finished)
    adopted, done = queue.get("job-orphan"), queue.get(fresh.id)
    queue.close()

    assert adopted.status == "done" and done.status == "done", (adopted.failure, done.failure)
    assert adopted.attempts == 2 and adopted.result["shade"] == 42
    # The orphan's render is the result: started once, alone on its actor; the new job went to the idle actor.
    assert adopted.result["seeds"].count(42) == 1 and adopted.result["max_active"] == 1
    assert sorted(pool.history) == sorted([("job-orphan", victim, "adopted"), (fresh.id, other, "done")])
    assert done.result["max_active"] == 1
    assert steps == sorted(steps)  # progress of one render only, never another's


def test_an_orphan_whose_job_the_queue_gave_up_is_cancelled(cluster, tmp_path: Path) -> None:
    address, supervisor = cluster
    store = tmp_path / "jobs.sqlite"
    victim = orphan_a_render(address, store, "job-unwanted", steps=500, seed=5, supervisor=supervisor)

    pool = RayPool(frames_task, poll_s=0.05, prefix=PREFIX, owner=OWNER)
    queue = JobQueue(JobStore.open(store), pool.slots(2), QueueLimits(max_attempts=1))
    assert queue.start() == []  # interrupted once, and one attempt is all it had: failed
    assert queue.get("job-unwanted").status == "failed"
    assert ("job-unwanted", victim, "orphan cancelled") in pool.history

    actor = supervisor.actors[victim]
    wait_for(lambda: ray.get(actor.status.remote(), timeout=patient(30))["job"] is None)
    assert ray.get(actor.status.remote())["kept"] is None  # it ended cancelled (~50 s early), not rendered out
    follow = queue.submit(stepped_request(steps=2, seed=3), owner="bo")
    wait_for(lambda: queue.get(follow.id).finished)
    assert queue.get(follow.id).status == "done"
    queue.close()


def job_json(seed: int, steps: int) -> str:
    return Job(owner="cy", request=stepped_request(steps=steps, seed=seed)).model_dump_json()


def test_an_actor_runs_one_job_at_a_time_and_each_job_has_its_own_cancel_token(cluster) -> None:
    _, supervisor = cluster
    actor = next(iter(supervisor.actors.values()))
    first, second = job_json(seed=1, steps=500), job_json(seed=2, steps=2)
    first_id, second_id = Job.model_validate_json(first).id, Job.model_validate_json(second).id
    claim = {"owner": "a", "run": "1"}
    running = actor.run.remote(first, frames_task, claim)
    wait_for(lambda: ray.get(actor.status.remote())["job"] == first_id)
    assert ray.get(actor.run.remote(second, frames_task, {"owner": "b", "run": "2"})) == {"busy": first_id}
    assert ray.get(actor.cancel.remote(second_id)) is False  # not the running job: nothing cancelled
    assert ray.get(actor.poll.remote(second_id)) is None
    status = ray.get(actor.status.remote())
    assert (status["job"], status["claim"], status["cancelled"]) == (first_id, claim, False)
    assert ray.get(actor.cancel.remote(first_id)) is True
    with pytest.raises(ray.exceptions.RayTaskError) as failed:
        ray.get(running, timeout=patient(60))
    assert isinstance(failed.value.cause, RenderCancelled)
    reply = ray.get(actor.run.remote(second, frames_task, claim), timeout=patient(60))
    assert reply["adopted"] is False and reply["value"]["shade"] == 2 and reply["value"]["max_active"] == 1


def test_jobs_spread_over_the_free_actors(cluster, tmp_path: Path) -> None:
    _, supervisor = cluster
    pool = RayPool(frames_task, poll_s=0.05, prefix=PREFIX)
    assert pool.refresh() == 2
    queue = JobQueue(JobStore.open(tmp_path / "jobs.sqlite"), pool.slots(1))
    queue.start()
    jobs = [queue.submit(stepped_request(steps=1, seed=seed), owner="ana") for seed in range(4)]
    wait_for(lambda: all(queue.get(job.id).finished for job in jobs))
    queue.close()
    ran_on = [name for _, name, outcome in pool.history if outcome == "done"]
    first, second = sorted(supervisor.actors)
    assert ran_on == [first, second, first, second]  # one slot, so one job at a time: each on the one used last
