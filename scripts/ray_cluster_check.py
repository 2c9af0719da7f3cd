"""A bounded, repeatable check of a real Ray cluster run the way README's "A Ray cluster" section says.

It starts a head with `ray start` (token auth, its own ports and temp folder: it never touches another cluster on
the machine), two `dailies worker` previz workers (CPU), and a submitter of N jobs (the bot's render path); then
kills, in turn, a `dailies worker` process, a render actor's process and the submitter, restarting each; and
prints a JSON report: jobs submitted / finished / lost / rendered twice. Exit 0 when the cluster held: no job
lost, no job rendered twice at once, never two renders at once on one actor, every killed worker restarted
cleanly, and `ray status` / `ray list actors` worked. It stops everything it started, and only that.

    .venv/bin/python scripts/ray_cluster_check.py [--jobs 20] [--frames 240] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from ray_cluster_parts import Cluster, Proc, read_renders, render_report, wait_until  # beside this script

SUBMITTER = Path(__file__).resolve().parent / "ray_cluster_submitter.py"


def start_worker(cluster: Cluster, name: str) -> tuple[Proc, dict[str, Any]]:
    """`dailies worker` for previz on one CPU, as README says for a CPU-only node; it and its JSON line."""
    argv = [cluster.bin("dailies"), "worker", "--backend", "previz", "--cpu-workers", "1", "--name", name]
    worker = cluster.spawn(f"worker-{name}", [*argv, "--check-s", "1"])
    shown = worker.json_line(timeout=180)
    return worker, shown


def start_submitter(cluster: Cluster, jobs: int, frames: int) -> Proc:
    argv = [sys.executable, str(SUBMITTER), cluster.address, str(cluster.data), str(jobs), str(frames)]
    submitter = cluster.spawn("submitter", [*argv, str(cluster.render_log)])
    submitter.json_line(timeout=180)
    return submitter


def done_count(cluster: Cluster) -> int:
    return sum(1 for render in read_renders(cluster.render_log) if render.get("outcome") == "done")


def rendering_now(cluster: Cluster) -> dict[str, int]:
    """Jobs whose render started and has not ended yet -> the pid of the actor rendering it."""
    open_renders: dict[tuple[str, int], int] = {}
    for entry in read_renders(cluster.render_log):
        key = (entry["job"], entry["pid"])
        open_renders[key] = open_renders.get(key, 0) + (1 if entry["event"] == "start" else -1)
    return {job: pid for (job, pid), count in open_renders.items() if count > 0 and pid not in cluster.killed_pids}


def mid_render(cluster: Cluster, after_done: int, under_way: int = 1, timeout: float = 240.0) -> dict[str, int]:
    """Wait until `after_done` renders finished and `under_way` are under way; the renders under way."""
    found: dict[str, int] = {}

    def ready() -> bool:
        nonlocal found
        found = rendering_now(cluster)
        return done_count(cluster) >= after_done and len(found) >= under_way

    wait_until(ready, timeout, "a render under way")
    return found


def kill_a_worker(cluster: Cluster, workers: dict[str, Proc], events: dict[str, Any]) -> None:
    """SIGKILL the first `dailies worker` mid-render; start it again: it must adopt its actor, not fail."""
    mid_render(cluster, after_done=1)
    name = next(iter(workers))
    workers[name].kill()
    restarted, shown = start_worker(cluster, name)
    workers[name] = restarted
    events["worker_killed"] = {"name": name, "restarted_cleanly": True, "adopted": shown["adopted"]}
    if not shown["adopted"]:
        events["worker_killed"]["restarted_cleanly"] = False


def kill_an_actor(cluster: Cluster, workers: dict[str, Proc], events: dict[str, Any]) -> None:
    """SIGKILL the process of an actor mid-render: its job is retried elsewhere; its worker starts a new actor."""
    under_way = mid_render(cluster, after_done=done_count(cluster) + 1)
    job, pid = next(iter(under_way.items()))
    os.kill(pid, signal.SIGKILL)
    cluster.killed_pids[pid] = time.time()

    def replaced() -> bool:
        return any("restarted dailies-render-" in proc.stderr_text() for proc in workers.values())

    wait_until(replaced, 120, "the worker to restart its killed actor")
    events["actor_killed"] = {"pid": pid, "job": job, "worker_restarted_it": True}


def kill_the_submitter(cluster: Cluster, submitter: Proc, jobs: int, frames: int, events: dict[str, Any]) -> Proc:
    """SIGKILL the submitter mid-render (both actors busy while 3 jobs are left) and start it again."""
    both = jobs - done_count(cluster) >= 3
    under_way = mid_render(cluster, after_done=done_count(cluster) + 1, under_way=2 if both else 1)
    submitter.kill()
    events["submitter_killed"] = {"rendering": sorted(under_way)}
    return start_submitter(cluster, jobs, frames)


def stop_workers(cluster: Cluster, workers: dict[str, Proc], events: dict[str, Any]) -> None:
    """SIGTERM each worker: it must exit 0 and take its actors with it."""
    codes = {name: worker.terminate(timeout=60) for name, worker in workers.items()}
    events["sigterm_exit_codes"] = codes
    alive = cluster.alive_render_actors()
    events["render_actors_left_after_sigterm"] = alive


def run_check(cluster: Cluster, jobs: int, frames: int) -> dict[str, Any]:
    events: dict[str, Any] = {}
    started = time.monotonic()
    cluster.start_head()
    events["ray_status_at_start"] = cluster.ray_status_ok()
    workers = {}
    for name in ("w1", "w2"):
        workers[name], _ = start_worker(cluster, name)
    events["ray_list_actors"] = len(cluster.alive_render_actors())
    submitter = start_submitter(cluster, jobs, frames)
    kill_a_worker(cluster, workers, events)
    kill_an_actor(cluster, workers, events)
    submitter = kill_the_submitter(cluster, submitter, jobs, frames, events)
    events["submitter_exit_code"] = submitter.wait(timeout=60.0 + jobs * 30.0)
    events["ray_status_at_end"] = cluster.ray_status_ok()
    stop_workers(cluster, workers, events)
    report = render_report(cluster, [f"job-{index:03d}" for index in range(jobs)])
    report["events"] = events
    report["seconds"] = round(time.monotonic() - started, 1)
    return report


def passed(report: dict[str, Any]) -> bool:
    events = report["events"]
    return (
        report["lost"] == 0
        and report["finished"] == report["submitted"]
        and report["run_twice_at_once"] == 0
        and report["overlapping_on_one_actor"] == 0
        and events["worker_killed"]["restarted_cleanly"]
        and events["actor_killed"]["worker_restarted_it"]
        and events["submitter_exit_code"] == 0
        and set(events["sigterm_exit_codes"].values()) == {0}
        and events["render_actors_left_after_sigterm"] == []
        and events["ray_status_at_start"]
        and events["ray_status_at_end"]
        and events["ray_list_actors"] == 2
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20, help="previz jobs to submit (default 20)")
    parser.add_argument("--frames", type=int, default=240, help="frames per job at 832x480 (default 240)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs, jobs.sqlite, takes)")
    args = parser.parse_args()
    if args.jobs < 6 or not 24 <= args.frames <= 4000:
        parser.error("--jobs must be 6 or more (three kills, a render apart) and --frames 24 to 4000")
    folder = Path(tempfile.mkdtemp(prefix="dcc-", dir="/tmp"))  # short: Ray's socket paths have a length limit
    cluster = Cluster(folder, token=uuid.uuid4().hex)
    report: dict[str, Any] = {"passed": False}
    try:
        report = run_check(cluster, args.jobs, args.frames)
        report["passed"] = passed(report)
    except Exception as exc:  # a stuck step: report it with the logs' tails, after stopping everything
        report["error"] = f"{type(exc).__name__}: {exc}"
        report["logs"] = cluster.log_tails()
    finally:
        report["stopped_cleanly"] = cluster.stop()
        report["passed"] = report["passed"] and report["stopped_cleanly"]
        if args.keep:
            report["folder"] = str(folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(report, indent=2))
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
