"""Ray on a local 2-CPU cluster with tiny diffusers workers: a take through the queue, a worker killed mid-job."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.patience import patient

ray = pytest.importorskip("ray", reason="the scale extra (ray) is not installed")
pytest.importorskip("diffusers", reason="the gpu extra (diffusers) is not installed")

from generator.base import Progress  # noqa: E402
from generator.queue import JobQueue, JobStore, QueueLimits  # noqa: E402
from generator.queue.ray_pool import NAMESPACE, RayPool, WorkerSupervisor  # noqa: E402
from generator.request import RenderRequest  # noqa: E402
from tests.generator.queue.ray_helpers import HeldAtEachStep  # noqa: E402
from tools.queued_renderer import QueuedRenderer, bytes_take_task, store_returned_take  # noqa: E402
from tools.renderer import RenderTicket  # noqa: E402
from tools.take import Take  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(patient(300))]
ROOT = Path(__file__).resolve().parents[3]
MAX_BYTES = 10_000_000


def build_tiny_wan(folder: Path) -> str:
    import torch

    from generator.diffusers.tiny import make_tiny

    torch.set_num_threads(1)
    return str(make_tiny("wan", folder))


@pytest.fixture(scope="module")
def started(tmp_path_factory) -> tuple[str, str]:
    """(GCS address of a local 2-CPU Ray cluster, a tiny Wan folder): built side by side, once per module."""
    with ThreadPoolExecutor(1) as background:
        tiny = background.submit(build_tiny_wan, tmp_path_factory.mktemp("tiny") / "wan")
        context = ray.init(
            address="local",  # a new cluster of our own, even when a `ray start` head runs on this machine
            num_cpus=2,
            num_gpus=0,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
        )
        try:
            folder = tiny.result()
        except BaseException:
            ray.shutdown()
            raise
    yield context.address_info["gcs_address"], folder
    ray.shutdown()


@pytest.fixture(scope="module")
def cluster(started: tuple[str, str]) -> str:
    return started[0]


@pytest.fixture(scope="module")
def tiny_wan(started: tuple[str, str]) -> str:
    return started[1]


def request(model: str, *, steps: int, seed: int = 11) -> RenderRequest:
    # 17 frames of 64x32 (the tiny Wan's largest): about 25 ms a step with one torch thread on this box.
    return RenderRequest(
        prompt="a red fox trots through snow",
        width=64,
        height=32,
        num_frames=17,
        fps=8,
        steps=steps,
        seed=seed,
        family="wan-tiny",
        model=model,
    )


def renderer_over(pool: RayPool, slots: int, tmp_path: Path) -> QueuedRenderer:
    queue = JobQueue(JobStore.open(tmp_path / "jobs.sqlite"), pool.slots(slots), QueueLimits(max_attempts=3))
    queue.start()
    return QueuedRenderer(queue, cancel_poll_s=0.05)


def check_take(take: Take, model: str, out_dir: Path) -> None:
    assert isinstance(take, Take), take
    assert (take.backend, take.model) == ("diffusers", model)
    assert (take.width, take.height, take.num_frames, take.fps) == (64, 32, 17, 8)
    assert Path(take.path).parent == out_dir.resolve()
    assert Path(take.path).stat().st_size == take.bytes > 0
    assert take.render_s > 0


async def test_a_diffusers_take_whose_worker_is_killed_mid_job_finishes_on_another(
    cluster: str, tiny_wan: str, tmp_path: Path
) -> None:
    supervisor = WorkerSupervisor(count=2, backend="diffusers", model=tiny_wan, num_gpus=0, num_cpus=1, tag="tiny")
    renderer = None
    try:
        supervisor.ensure(timeout=patient(180))  # both actors load the pipeline now, side by side
        infos = {name: ray.get(actor.warm.remote()) for name, actor in supervisor.actors.items()}
        assert {info["torch_threads"] for info in infos.values()} == {1}  # one CPU each, not every core
        gate = tmp_path / "gate"  # each attempt holds after every step until the gate opens
        task = HeldAtEachStep(bytes_take_task(MAX_BYTES), gate, timeout_s=patient(120))
        pool = RayPool(task, store_returned_take, poll_s=0.05, prefix="dailies-render-tiny")
        assert pool.refresh() == 2
        renderer = renderer_over(pool, 2, tmp_path)
        steps = 120  # ~20 ms a step: killed at its first reported step, held there until the kill
        seen: list[Progress] = []
        out_dir = tmp_path / "media"
        render = asyncio.create_task(
            renderer.render(
                request(tiny_wan, steps=steps),
                RenderTicket(owner="ana", thread="t-1"),
                out_dir=out_dir,
                on_progress=seen.append,
                job_id="job-kill",
            )
        )
        deadline = time.monotonic() + patient(60)
        while not seen:  # the pipeline's own step callback has reported from inside the actor
            assert time.monotonic() < deadline and not render.done(), "no progress from the actor"
            await asyncio.sleep(0.02)
        [victim] = pool.busy()
        ray.kill(supervisor.actors[victim], no_restart=True)
        killed_at = seen[-1]
        assert killed_at.step < killed_at.total == steps  # killed mid-job, not after it
        while ("job-kill", victim, "lost") not in pool.history:
            assert time.monotonic() < deadline + patient(60) and not render.done(), "the kill was not noticed"
            await asyncio.sleep(0.02)
        gate.touch()
        take = await asyncio.wait_for(render, timeout=patient(120))
        check_take(take, tiny_wan, out_dir)
        job = renderer.queue.get("job-kill")
        assert job.status == "done" and job.attempts == 2
        [survivor] = [name for name in infos if name != victim]
        assert [(name, outcome) for _, name, outcome in pool.history] == [(victim, "lost"), (survivor, "done")]
    finally:
        if renderer is not None:
            renderer.close()
        supervisor.stop()  # frees both CPUs for the next test


async def test_dailies_worker_cli_serves_a_tiny_diffusers_actor(cluster: str, tiny_wan: str, tmp_path: Path) -> None:
    # The operator's backend options (speed-ups here) reach the actor's pipeline as they reach a local worker's.
    env = dict(os.environ, DAILIES_RAY_ADDRESS=cluster, OMP_NUM_THREADS="1", DAILIES_SPEEDUPS='["first_block_cache"]')
    env["DAILIES_RAY_ALLOW_UNAUTHENTICATED"] = "true"  # the test cluster has no token auth (one trusted machine)
    argv = ["-m", "bots.cli.main", "worker", "--backend", "diffusers", "--model", tiny_wan]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, *argv, "--cpu-workers", "1", "--once"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=patient(180),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    printed = json.loads(done.stdout.strip().splitlines()[-1])
    model_tag = hashlib.sha1(str(tiny_wan).encode()).hexdigest()[:8]
    prefix = f"dailies-render-{socket.gethostname()}-diffusers-{model_tag}"
    shown = {"workers": [f"{prefix}-0"], "backend": "diffusers", "model": tiny_wan, "adopted": [], "replaced": []}
    assert printed == shown
    actor = ray.get_actor(printed["workers"][0], namespace=NAMESPACE)  # detached: outlives the CLI
    renderer = None
    try:
        info = ray.get(actor.warm.remote(), timeout=patient(60))
        assert info["torch_threads"] == 1 and info["gpus"] == []
        assert any(note.startswith("speed-up: first_block_cache") for note in info["load_notes"])
        pool = RayPool(bytes_take_task(MAX_BYTES), store_returned_take, poll_s=0.05, prefix=prefix)
        assert pool.refresh() == 1
        renderer = renderer_over(pool, 1, tmp_path)
        out_dir = tmp_path / "media"
        take = await renderer.render(request(tiny_wan, steps=2), RenderTicket(owner="bo"), out_dir=out_dir)
        check_take(take, tiny_wan, out_dir)
        assert pool.history[-1][1:] == (printed["workers"][0], "done")
    finally:
        if renderer is not None:
            renderer.close()
        ray.kill(actor, no_restart=True)
