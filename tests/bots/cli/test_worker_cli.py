"""`dailies worker`: clear refusals (backend, counts, no cluster), and restarts: adopt, refuse a rival, SIGTERM."""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bots.cli import worker
from bots.cli.errors import UserError
from bots.settings import Settings
from tests.patience import patient
from tests.ports import refusing_port

pytest.importorskip("ray", reason="the scale extra (ray) is not installed")
pytestmark = pytest.mark.timeout(patient(300))


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    worker.register(parser.add_subparsers())
    return parser.parse_args(["worker", *argv])


@pytest.fixture
def closed_port() -> Iterator[int]:
    with refusing_port() as port:
        yield port


def test_unreachable_head_is_one_clear_line(closed_port: int) -> None:
    settings = Settings(ray_address=f"127.0.0.1:{closed_port}", ray_allow_unauthenticated=True)
    with pytest.raises(UserError, match="cannot reach the Ray head"):
        worker.run(parse("--cpu-workers", "1"), settings)


def test_a_cluster_without_token_auth_is_refused_unless_allowed(tmp_path: Path, closed_port: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAILIES_", "RAY_"))}
    env["DAILIES_RAY_ADDRESS"] = f"127.0.0.1:{closed_port}"
    argv = [sys.executable, "-m", "bots.cli.main", "worker", "--backend", "previz", "--cpu-workers", "1"]
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=patient(120))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "without token authentication" in done.stderr and "RAY_AUTH_MODE=token" in done.stderr
    done = subprocess.run(
        argv, cwd=tmp_path, env=dict(env, RAY_AUTH_MODE="token"), capture_output=True, text=True, timeout=patient(120)
    )
    assert done.returncode == 2 and "cannot reach the Ray head" in done.stderr, done.stderr


def test_bad_counts_and_models_are_refused_before_connecting() -> None:
    with pytest.raises(UserError, match="--gpus must be 1 or more"):
        worker.run(parse("--gpus", "0"), Settings())
    with pytest.raises(UserError, match="neither a model family"):
        worker.run(parse("--backend", "diffusers", "--model", "no-such-family-xyz"), Settings())


@pytest.fixture(scope="module")
def cluster() -> str:
    """A local 2-CPU Ray cluster of this module's own; its GCS address."""
    import ray

    context = ray.init(address="local", num_cpus=2, num_gpus=0, include_dashboard=False, log_to_driver=False)
    yield context.address_info["gcs_address"]
    ray.shutdown()


class Worker:
    """`dailies worker` as an operator runs it, in its own process against the test cluster."""

    def __init__(self, address: str, folder: Path, **env: str) -> None:
        # The test cluster has no token auth: allowed here as on a trusted single machine.
        self.env = dict(os.environ, DAILIES_RAY_ADDRESS=address, DAILIES_RAY_ALLOW_UNAUTHENTICATED="true", **env)
        self.folder = folder
        self.argv = [sys.executable, "-m", "bots.cli.main", "worker", "--backend", "previz", "--cpu-workers", "1"]
        self.argv += ["--name", "cli", "--check-s", "0.5"]

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(
            self.argv, cwd=self.folder, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def once(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.argv, "--once"], cwd=self.folder, env=self.env, capture_output=True, text=True, timeout=patient(180)
        )


def printed(process: subprocess.Popen, timeout: float = patient(180.0)) -> dict:
    """The JSON line a running worker prints once its actors are up."""
    deadline = time.monotonic() + timeout
    while True:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, "the worker printed nothing"
        line = process.stdout.readline()
        assert line, f"the worker exited: {process.wait()} {process.stderr.read()[-2000:]}"
        if line.startswith("{"):
            return json.loads(line)


def actor_pid(name: str) -> int:
    import ray

    return ray.get(ray.get_actor(name, namespace="dailies").pid.remote(), timeout=patient(60))


def gone(name: str) -> bool:
    import ray

    try:
        ray.get_actor(name, namespace="dailies")
    except ValueError:
        return True
    return False


def wait_for(predicate, timeout: float = patient(60.0)) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
def test_a_killed_worker_restarts_adopting_its_actors_and_sigterm_stops_them(cluster: str, tmp_path: Path) -> None:
    name = "dailies-render-cli-0"
    worker = Worker(cluster, tmp_path)
    first = worker.start()
    try:
        assert printed(first) == {"workers": [name], "backend": "previz", "model": None, "adopted": [], "replaced": []}
        pid = actor_pid(name)
    finally:
        first.kill()  # kill -9: no chance to clean up
        first.wait(timeout=patient(30))
    assert actor_pid(name) == pid  # the detached actor outlives its worker

    second = worker.start()
    try:
        assert printed(second)["adopted"] == [name]
        assert actor_pid(name) == pid  # adopted warm, not restarted
        rival = worker.once()  # a second live worker for the same actors is refused, in one line
        assert rival.returncode == 2, rival.stderr[-2000:]
        assert "another `dailies worker` already keeps the actors" in rival.stderr
        assert f"pid {second.pid}" in rival.stderr and "Traceback" not in rival.stderr
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=patient(60)) == 0
        assert "stopping the render actors" in second.stderr.read()
    finally:
        second.kill()
        second.wait(timeout=patient(30))
    wait_for(lambda: gone(name))

    started = worker.once()
    assert started.returncode == 0, started.stderr[-2000:]
    assert json.loads(started.stdout.splitlines()[-1])["adopted"] == []
    changed = Worker(cluster, tmp_path, DAILIES_I2V_MODEL="/models/some-i2v")
    replaced = changed.once()  # made with other options: stopped and started anew
    assert json.loads(replaced.stdout.splitlines()[-1])["replaced"] == [name], replaced.stderr[-2000:]
    again = changed.once()
    assert json.loads(again.stdout.splitlines()[-1])["adopted"] == [name], again.stderr[-2000:]
    import ray

    ray.kill(ray.get_actor(name, namespace="dailies"), no_restart=True)
