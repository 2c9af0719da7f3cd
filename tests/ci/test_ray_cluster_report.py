"""scripts/ray_cluster_check.py counts what the issue asks: renders of one job at once, two renders on one actor."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _parts():
    spec = importlib.util.spec_from_file_location("ray_cluster_parts", SCRIPTS / "ray_cluster_parts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def entry(job: str, pid: int, event: str, t: float, outcome: str | None = None) -> dict:
    return {"job": job, "pid": pid, "event": event, "t": t, **({"outcome": outcome} if outcome else {})}


def test_renders_one_after_another_do_not_overlap_and_a_killed_render_ends_when_killed() -> None:
    parts = _parts()
    log = [
        entry("a", 1, "start", 0.0),
        entry("a", 1, "end", 2.0, "done"),
        entry("b", 1, "start", 2.0),
        entry("b", 1, "end", 3.0, "done"),
        entry("c", 2, "start", 0.5),  # its actor (pid 2) was killed at 1.5: never ends
        entry("c", 3, "start", 1.6),
        entry("c", 3, "end", 4.0, "done"),
    ]
    intervals = parts.render_intervals(log, killed={2: 1.5})
    assert sorted(intervals) == [("a", 1, 0.0, 2.0), ("b", 1, 2.0, 3.0), ("c", 2, 0.5, 1.5), ("c", 3, 1.6, 4.0)]
    by_pid: dict[int, list] = {}
    for _, pid, start, end in intervals:
        by_pid.setdefault(pid, []).append((start, end))
    assert [parts.overlaps(spans) for spans in by_pid.values()] == [0, 0, 0]
    assert parts.overlaps([(0.5, 1.5), (1.6, 4.0)]) == 0  # job c: again after the kill, not twice at once


def test_two_renders_at_once_on_one_actor_are_counted() -> None:
    parts = _parts()
    log = [
        entry("orphan", 1, "start", 0.0),
        entry("requeued", 1, "start", 1.0),
        entry("orphan", 1, "end", 3.0, "done"),
        entry("requeued", 1, "end", 4.0, "done"),
    ]
    spans = [(start, end) for _, _, start, end in parts.render_intervals(log, killed={})]
    assert parts.overlaps(spans) == 1
    assert parts.overlaps([(0.0, 3.0), (2.0, 5.0), (4.0, 6.0)]) == 2
