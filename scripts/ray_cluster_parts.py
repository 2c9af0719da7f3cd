"""Parts of scripts/ray_cluster_check.py: the processes it starts (and stops), the head, and the report."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.queue import JobStore


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proc:
    """A process this check started, in its own session, with its output in two files."""

    def __init__(self, label: str, argv: list[str], env: dict[str, str], logs: Path) -> None:
        self.label = label
        self.out_path, self.err_path = logs / f"{label}.out", logs / f"{label}.err"
        with open(self.out_path, "ab") as out, open(self.err_path, "ab") as err:
            self.popen = subprocess.Popen(argv, env=env, stdout=out, stderr=err, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stderr_text(self) -> str:
        return self.err_path.read_text(errors="replace")

    def json_line(self, timeout: float) -> dict[str, Any]:
        """The first JSON line this process prints (a worker's actors, a submitter's count)."""
        found: list[dict[str, Any]] = []

        def printed() -> bool:
            lines = [line for line in self.out_path.read_text().splitlines() if line.startswith("{")]
            if lines:
                found.append(json.loads(lines[-1]))
                return True
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.label} exited {self.popen.returncode}: {self.stderr_text()[-1500:]}")
            return False

        wait_until(printed, timeout, f"{self.label} to start")
        return found[0]

    def kill(self) -> None:
        """kill -9: no chance to clean up."""
        if self.popen.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def terminate(self, timeout: float) -> int | None:
        """SIGTERM and wait; the exit code (None: it did not exit in time and was killed)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None


class Cluster:
    """A head of our own (its ports, temp folder, token) and the processes started against it."""

    def __init__(self, folder: Path, *, token: str) -> None:
        self.folder = folder
        self.logs = folder / "logs"
        self.data = folder / "data"
        self.logs.mkdir()
        self.data.mkdir()
        self.render_log = folder / "renders.jsonl"
        self.render_log.touch()
        token_file = folder / "auth_token"
        token_file.write_text(token)
        token_file.chmod(0o600)
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.killed_pids: dict[int, float] = {}
        self.procs: list[Proc] = []
        self.head: Proc | None = None
        self.env = dict(
            os.environ,
            RAY_AUTH_MODE="token",  # README: every machine, every shell that runs `ray` or `dailies`
            RAY_AUTH_TOKEN_PATH=str(token_file),  # README uses ~/.ray/auth_token; ours stays in our folder
            RAY_ADDRESS=self.address,  # so README's bare `ray status` / `ray list actors` find this head
            DAILIES_RAY_ADDRESS=self.address,
            DAILIES_DATA_DIR=str(self.data),
            RAY_USAGE_STATS_ENABLED="0",
            OMP_NUM_THREADS="1",
            PYTHONUNBUFFERED="1",
        )

    def bin(self, name: str) -> str:
        return str(Path(sys.executable).parent / name)

    def spawn(self, label: str, argv: list[str], env: dict[str, str] | None = None) -> Proc:
        count = sum(1 for proc in self.procs if proc.label.startswith(label))
        proc = Proc(f"{label}-{count}" if count else label, argv, env or self.env, self.logs)
        self.procs.append(proc)
        return proc

    def start_head(self) -> None:
        """`ray start --head` as README says, on ports of our own; --block so stopping it stops all of it."""
        env = {key: value for key, value in self.env.items() if key != "RAY_ADDRESS"}
        argv = [self.bin("ray"), "start", "--head", "--block", f"--port={self.port}", "--num-cpus=2", "--num-gpus=0"]
        argv += [f"--temp-dir={self.folder / 'ray'}", "--dashboard-host=127.0.0.1", f"--dashboard-port={free_port()}"]
        argv += [f"--dashboard-agent-listen-port={free_port()}", f"--ray-client-server-port={free_port()}"]
        argv += ["--disable-usage-stats"]
        self.head = Proc("head", argv, env, self.logs)
        wait_until(self.ray_status_ok, 240, "the head to answer `ray status`")

    def ray(self, *argv: str, timeout: float = 90) -> subprocess.CompletedProcess:
        return subprocess.run([self.bin("ray"), *argv], env=self.env, capture_output=True, text=True, timeout=timeout)

    def ray_status_ok(self) -> bool:
        if self.head is not None and self.head.popen.poll() is not None:
            raise RuntimeError(f"the head exited: {self.head.stderr_text()[-1500:]}")
        done = self.ray("status")
        return done.returncode == 0 and "Active:" in done.stdout

    def alive_render_actors(self) -> list[str]:
        """The live render actors, as README's `ray list actors` shows them (the state API of ray[default])."""
        done = self.ray("list", "actors", "--filter", "state=ALIVE", "--format", "json", "--limit", "1000")
        if done.returncode != 0:
            raise RuntimeError(f"`ray list actors` failed: {done.stderr[-1500:]}")
        if done.stdout.strip() == "No resource in the cluster":  # what it prints for none, even as JSON
            return []
        actors = json.loads(done.stdout)
        return sorted(actor["name"] for actor in actors if (actor.get("name") or "").startswith("dailies-render-"))

    def log_tails(self, lines: int = 25) -> dict[str, str]:
        return {
            path.name: "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) for path in self.logs.iterdir()
        }

    def stop(self) -> bool:
        """Stop what this check started, and only that; whether nothing of it is left running."""
        for proc in self.procs:
            proc.terminate(timeout=30)
        if self.head is None:
            return True
        family = descendants(self.head.pid)
        self.head.terminate(timeout=60)  # `ray start --block` stops its GCS, raylet, dashboard and workers
        try:
            wait_until(lambda: not running(family), 30, "the head's processes to exit")
        except TimeoutError:
            for pid in running(family):
                os.kill(pid, signal.SIGKILL)
            time.sleep(2)
        return not running(family)


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process on the machine."""
    listing = subprocess.run(["ps", "-A", "-o", "pid=", "-o", "ppid=", "-o", "stat="], capture_output=True, text=True)
    table = {}
    for line in listing.stdout.splitlines():
        pid, ppid, state = line.split(maxsplit=2)
        table[int(pid)] = (int(ppid), state)
    return table


def descendants(root: int) -> set[int]:
    """Every process started under `root` (children, their children...)."""
    table = _process_table()
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, (ppid, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def running(pids: set[int]) -> set[int]:
    """Those of `pids` still running (a zombie is not)."""
    table = _process_table()
    return {pid for pid in pids if pid in table and not table[pid][1].startswith("Z")}


def read_renders(path: Path) -> list[dict[str, Any]]:
    entries = []
    for line in path.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by a killed process
            continue
    return entries


def render_intervals(entries: list[dict[str, Any]], killed: dict[int, float]) -> list[tuple[str, int, float, float]]:
    """(job, actor pid, start, end) of every render; one cut by a killed actor ends when it was killed."""
    open_at: dict[tuple[str, int], list[float]] = {}
    intervals = []
    for entry in sorted(entries, key=lambda entry: entry["t"]):
        key = (entry["job"], entry["pid"])
        if entry["event"] == "start":
            open_at.setdefault(key, []).append(entry["t"])
        elif open_at.get(key):
            intervals.append((*key, open_at[key].pop(0), entry["t"]))
    for (job, pid), starts in open_at.items():
        intervals += [(job, pid, start, killed.get(pid, time.time())) for start in starts]
    return intervals


def overlaps(spans: list[tuple[float, float]]) -> int:
    spans = sorted(spans)
    return sum(1 for (_, end), (start, _) in itertools.pairwise(spans) if start < end)


def render_report(cluster: Cluster, ids: list[str]) -> dict[str, Any]:
    store = JobStore.open(cluster.data / "jobs.sqlite")
    jobs = {job_id: store.get(job_id) for job_id in ids}
    store.close()
    entries = read_renders(cluster.render_log)
    intervals = render_intervals(entries, cluster.killed_pids)
    starts = Counter(entry["job"] for entry in entries if entry["event"] == "start")
    ends_done = Counter(entry["job"] for entry in entries if entry.get("outcome") == "done")
    by_job: dict[str, list[tuple[float, float]]] = {}
    by_pid: dict[int, list[tuple[float, float]]] = {}
    for job, pid, start, end in intervals:
        by_job.setdefault(job, []).append((start, end))
        by_pid.setdefault(pid, []).append((start, end))
    history = [entry for path in cluster.data.glob("history-*.json") for entry in json.loads(path.read_text())]
    finished = [job_id for job_id, job in jobs.items() if job is not None and job.status == "done"]
    takes = [job_id for job_id in finished if Path(jobs[job_id].result["path"]).stat().st_size > 0]
    return {
        "submitted": len(ids),
        "finished": len(finished),
        "takes_written": len(takes),
        "lost": len(ids) - len(finished),
        "not_done": {
            job_id: job.status if job else "missing" for job_id, job in jobs.items() if job_id not in finished
        },
        "renders_started": sum(starts.values()),
        "rendered_again_after_a_kill": sorted(job for job, count in starts.items() if count > 1),
        "rendered_to_the_end_twice": sorted(job for job, count in ends_done.items() if count > 1),
        "run_twice_at_once": sum(1 for spans in by_job.values() if overlaps(spans)),
        "overlapping_on_one_actor": sum(overlaps(spans) for spans in by_pid.values()),
        "adopted_by_the_restarted_submitter": sorted(job for job, _, outcome in history if outcome == "adopted"),
        "attempts": {job_id: job.attempts for job_id, job in jobs.items() if job is not None and job.attempts > 1},
    }
