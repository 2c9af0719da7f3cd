"""Which queued job runs next: retries first, final before draft, round-robin across users, FIFO within one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from generator.queue.job import Job, QueueLimits


def _heads(jobs: Iterable[Job]) -> dict[str, Job]:
    """Each owner's earliest job (FIFO within a user)."""
    heads: dict[str, Job] = {}
    for job in jobs:
        head = heads.get(job.owner)
        if head is None or job.seq < head.seq:
            heads[job.owner] = job
    return heads


def _choose(jobs: Sequence[Job], last_served: Mapping[str, int]) -> Job:
    best = min(job.rank for job in jobs)
    heads = _heads(job for job in jobs if job.rank == best)
    # Round-robin: the owner served longest ago (never served: first), ties by who has waited longest.
    return min(heads.values(), key=lambda job: (last_served.get(job.owner, -1), job.seq))


def pick_next(
    queued: Sequence[Job], running: Sequence[Job], last_served: Mapping[str, int], limits: QueueLimits
) -> Job | None:
    """The job a free worker should start now, or None when every queued job is held back by a cap."""
    user_running = Counter(job.owner for job in running)
    guild_running = Counter(job.guild for job in running if job.guild is not None)

    def allowed(job: Job) -> bool:
        if user_running[job.owner] >= limits.user_concurrency:
            return False
        cap = limits.guild_concurrency
        return cap is None or job.guild is None or guild_running[job.guild] < cap

    candidates = [job for job in queued if allowed(job)]
    return _choose(candidates, last_served) if candidates else None


def dispatch_order(queued: Sequence[Job], last_served: Mapping[str, int]) -> list[Job]:
    """The order queued jobs would start in if nothing else arrived (concurrency caps ignored)."""
    remaining = list(queued)
    served = dict(last_served)
    tick = max(served.values(), default=0)
    order: list[Job] = []
    while remaining:
        job = _choose(remaining, served)
        order.append(job)
        remaining.remove(job)
        tick += 1
        served[job.owner] = tick
    return order
