"""Ray on a local 2-CPU cluster: named warm actors, a worker killed mid-job, cancellation, routing by model."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.patience import patient

ray = pytest.importorskip("ray", reason="the scale extra (ray) is not installed")

from generator.queue import JobQueue, JobStore, QueueLimits  # noqa: E402
from generator.queue.ray_pool import RayPool, WorkerSupervisor, spawn_actor  # noqa: E402
from generator.request import RenderRequest  # noqa: E402
from tests.generator.queue.ray_helpers import HeldAtEachStep, HeldInSegment, frames_task, make_stepped  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(patient(300))]
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def cluster():
    ray.init(
        address="local",  # never attach to another Ray head running on this machine
        num_cpus=2,
        num_gpus=0,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}},
    )
    supervisor = WorkerSupervisor(
        count=2, backend="previz", model=None, num_gpus=0, num_cpus=1, tag="test", factory=make_stepped
    )
    supervisor.ensure(timeout=patient(120))
    yield supervisor
    supervisor.stop()
    ray.shutdown()


def wait_for(predicate, timeout: float = patient(60.0)) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def request(steps: int, seed: int = 7) -> RenderRequest:
    return RenderRequest(prompt="a lighthouse", width=32, height=16, num_frames=3, fps=8, steps=steps, seed=seed)


def open_queue(tmp_path: Path, pool: RayPool) -> JobQueue:
    queue = JobQueue(JobStore.open(tmp_path / "jobs.sqlite"), pool.slots(2), QueueLimits(max_attempts=3))
    queue.start()
    return queue


def test_a_job_whose_worker_is_killed_finishes_on_another(cluster: WorkerSupervisor, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    # The job holds at its first step until the gate opens.
    pool = RayPool(HeldAtEachStep(frames_task, gate, timeout_s=patient(120)))
    assert pool.refresh() == 2
    pids = {name: ray.get(actor.pid.remote()) for name, actor in cluster.actors.items()}
    queue = open_queue(tmp_path, pool)
    job = queue.submit(request(steps=15, seed=42), owner="ana")
    progressed: list[str] = []
    queue.subscribe(job.id, lambda update: progressed.append(update.kind))
    wait_for(lambda: "progress" in progressed and len(pool.busy()) == 1)
    [victim] = pool.busy()
    ray.kill(cluster.actors[victim], no_restart=True)  # mid-job: it cannot pass its first step yet
    wait_for(lambda: (job.id, victim, "lost") in pool.history)
    gate.touch()
    wait_for(lambda: queue.get(job.id).finished)
    done = queue.get(job.id)
    assert done.status == "done", done.failure
    assert done.attempts == 2
    assert done.result["shade"] == 42 and done.result["frames"] == 3
    assert done.result["pid"] != pids[victim]
    assert [(name, outcome) for _, name, outcome in pool.history] == [
        (victim, "lost"),
        (next(name for name in pids if name != victim), "done"),
    ]
    queue.close()
    # The supervisor (what `dailies worker` runs) brings the dead actor back, and the pool finds it again.
    assert cluster.ensure(timeout=patient(120)) == [victim]
    assert pool.refresh() == 2


def test_cancel_reaches_the_pipeline_in_the_actor(cluster: WorkerSupervisor, tmp_path: Path) -> None:
    # Held at its first step by a gate that never opens: only the cancel can end the job.
    pool = RayPool(HeldAtEachStep(frames_task, tmp_path / "never", timeout_s=patient(120)), poll_s=0.05)
    pool.refresh()
    queue = open_queue(tmp_path, pool)
    job = queue.submit(request(steps=200), owner="bo")
    progressed = []
    queue.subscribe(job.id, lambda update: progressed.append(update.kind))
    wait_for(lambda: "progress" in progressed)
    assert queue.cancel(job.id)
    wait_for(lambda: queue.get(job.id).finished)
    assert queue.get(job.id).status == "cancelled"
    queue.close()


def wan(model: str | None, seed: int) -> RenderRequest:
    return request(steps=2, seed=seed).model_copy(update={"family": "wan2.1-1.3b", "model": model})


def test_a_previz_only_pool_refuses_a_diffusers_job(cluster: WorkerSupervisor, tmp_path: Path) -> None:
    pool = RayPool(frames_task, prefix="dailies-render-test", unavailable_s=0.0)
    assert pool.refresh() == 2
    assert {offer.describe() for offer in pool.offers().values()} == {"previz"}
    queue = open_queue(tmp_path, pool)
    job = queue.submit(wan("wan2.1-1.3b", seed=3), owner="ana")
    wait_for(lambda: queue.get(job.id).finished)
    failed = queue.get(job.id)
    assert failed.status == "failed" and failed.failure is not None
    assert failed.failure.kind == "model_unavailable"
    assert "'wan2.1-1.3b'" in failed.failure.message and "serve: previz" in failed.failure.message
    assert [outcome for _, _, outcome in pool.history] == ["unavailable"]  # never sent to a previz actor
    queue.close()


def test_a_mixed_pool_routes_each_job_to_an_actor_serving_its_model(cluster: WorkerSupervisor, tmp_path: Path) -> None:
    # A second kind of actor: advertises diffusers Wan 2.1 1.3B, renders with the stepped stand-in (no weights).
    name = "dailies-render-mixed-diffusers-0"
    wan_actor = spawn_actor(
        name, backend="diffusers", model="wan2.1-1.3b", num_gpus=0, num_cpus=0, factory=make_stepped
    )
    try:
        ray.get(wan_actor.warm.remote(), timeout=patient(60))
        pool = RayPool(frames_task, poll_s=0.05, unavailable_s=0.0)
        assert pool.refresh() == 3
        assert pool.offers()[name].family == "wan2.1-1.3b"
        queue = JobQueue(JobStore.open(tmp_path / "jobs.sqlite"), pool.slots(3), QueueLimits(user_concurrency=3))
        queue.start()
        jobs = {
            "by-model": queue.submit(wan("wan2.1-1.3b", seed=1), owner="ana"),
            "previz": queue.submit(request(steps=2, seed=2), owner="ana"),
            "by-family": queue.submit(wan(None, seed=3), owner="ana"),
            "other-model": queue.submit(wan("/models/some-other-wan", seed=4), owner="ana"),
            "previz-2": queue.submit(request(steps=2, seed=5), owner="ana"),
        }
        wait_for(lambda: all(queue.get(job.id).finished for job in jobs.values()))
        done = {key: queue.get(job.id) for key, job in jobs.items()}
        ran_on = {job_id: actor for job_id, actor, outcome in pool.history if outcome == "done"}
        for key in ("by-model", "by-family"):
            assert done[key].status == "done", done[key].failure
            assert ran_on[done[key].id] == name
        for key in ("previz", "previz-2"):
            assert done[key].status == "done", done[key].failure
            assert ran_on[done[key].id].startswith("dailies-render-test-")
        assert done["other-model"].status == "failed" and done["other-model"].failure.kind == "model_unavailable"
        message = done["other-model"].failure.message
        assert "/models/some-other-wan" in message and "diffusers wan2.1-1.3b" in message and "previz" in message
        assert {done[key].result["shade"] for key in ("by-model", "by-family", "previz", "previz-2")} == {1, 3, 2, 5}
        queue.close()
    finally:
        ray.kill(wan_actor, no_restart=True)


async def test_a_worker_killed_mid_shot_costs_one_segment(cluster: WorkerSupervisor, tmp_path: Path) -> None:
    """A one-minute shot in 6 segment jobs: the actor rendering segment 3 is killed; the shot finishes, and only
    segment 3 is rendered again (on the other actor)."""
    import asyncio

    from tools.queued_renderer import QueuedRenderer, take_task
    from tools.renderer import RenderTicket
    from tools.take import Take

    gate = tmp_path / "gate"
    pool = RayPool(HeldInSegment(take_task(50_000_000), gate, segment=2, timeout_s=patient(120)))
    assert pool.refresh() == 2
    queue = open_queue(tmp_path, pool)
    renderer = QueuedRenderer(queue, max_bytes=10_000_000, segment_s=10.0)
    minute = request(steps=2).model_copy(update={"num_frames": 480, "fps": 8, "width": 64, "height": 32})
    shot = asyncio.create_task(renderer.render(minute, RenderTicket(owner="ana"), out_dir=tmp_path, job_id="shot"))
    progressed: list[str] = []

    def segment_three_started() -> bool:
        if queue.get("shot-s03") is not None and not progressed:
            queue.subscribe("shot-s03", lambda update: progressed.append(update.kind))
        return "progress" in progressed and len(pool.busy()) == 1

    deadline = time.monotonic() + patient(60)
    while not segment_three_started():
        assert not shot.done(), shot.result()  # the shot may not end before segment 3 holds
        assert time.monotonic() < deadline, "segment 3 never started"
        await asyncio.sleep(0.05)
    [victim] = pool.busy()
    ray.kill(cluster.actors[victim], no_restart=True)  # mid-segment: it cannot pass its first step yet
    await asyncio.to_thread(wait_for, lambda: ("shot-s03", victim, "lost") in pool.history)
    gate.touch()
    take = await asyncio.wait_for(shot, patient(120))
    assert isinstance(take, Take) and take.num_frames == 480 and take.duration_s == 60.0
    runs = [(job, outcome) for job, _, outcome in pool.history]
    assert runs == [("shot-s01", "done"), ("shot-s02", "done"), ("shot-s03", "lost"), ("shot-s03", "done"),
                    ("shot-s04", "done"), ("shot-s05", "done"), ("shot-s06", "done")]  # fmt: skip
    assert [queue.get(f"shot-s0{n}").attempts for n in range(1, 7)] == [1, 1, 2, 1, 1, 1]
    queue.close()
    assert cluster.ensure(timeout=patient(120)) == [victim]


def test_previz_takes_come_back_as_bytes_or_on_shared_storage(cluster: WorkerSupervisor, tmp_path: Path) -> None:
    from generator.request import LookHints
    from tools.queued_renderer import bytes_take_task, store_returned_take, take_task
    from tools.take import Take

    cluster.stop()  # free the CPUs for previz actors
    previz = WorkerSupervisor(count=1, backend="previz", model=None, num_gpus=0, num_cpus=1, tag="previz")
    previz.ensure(timeout=patient(120))
    try:
        prefix = "dailies-render-previz"
        for shared, pool in [
            (False, RayPool(bytes_take_task(10_000_000), store_returned_take, prefix=prefix)),
            (True, RayPool(take_task(10_000_000), prefix=prefix)),
        ]:
            assert pool.refresh() == 1
            queue = JobQueue(JobStore.open(tmp_path / f"jobs-{shared}.sqlite"), pool.slots(1))
            queue.start()
            out = tmp_path / f"shared-{shared}" / "take.mp4"
            look = LookHints(subject="a lighthouse", time_of_day="dusk")
            req = RenderRequest(prompt="a lighthouse at dusk", width=64, height=48, num_frames=12, fps=12, look=look)
            job = queue.submit(req, owner="cy", meta={"out_path": str(out)})
            wait_for(lambda job=job, queue=queue: queue.get(job.id).finished)
            done = queue.get(job.id)
            assert done.status == "done", done.failure
            take = Take.model_validate(done.result)
            assert take.path == str(out) and out.stat().st_size == take.bytes > 0
            assert take.num_frames == 12 and take.backend == "previz"
            queue.close()
    finally:
        previz.stop()
