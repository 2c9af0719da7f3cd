"""Fair ordering: round-robin across users, FIFO within one, final before draft, retries first, caps."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.queue import Job, QueueLimits
from generator.queue.fairness import dispatch_order, pick_next
from tests.generator.queue.queue_helpers import request

REQ = request()


def make(seq: int, owner: str, priority: str = "draft", guild: str | None = None, attempts: int = 0) -> Job:
    return Job(id=f"j{seq}", seq=seq, owner=owner, priority=priority, guild=guild, request=REQ, attempts=attempts)


def test_heavy_user_does_not_starve_a_light_one() -> None:
    jobs = [make(i, "heavy") for i in range(1, 6)] + [make(6, "light")]
    order = [job.id for job in dispatch_order(jobs, {})]
    assert order == ["j1", "j6", "j2", "j3", "j4", "j5"]


def test_round_robin_keeps_fifo_within_each_user() -> None:
    jobs = [make(1, "a"), make(2, "a"), make(3, "b"), make(4, "c"), make(5, "b"), make(6, "a")]
    order = [job.id for job in dispatch_order(jobs, {})]
    assert order == ["j1", "j3", "j4", "j2", "j5", "j6"]


def test_recently_served_user_waits_for_the_others() -> None:
    jobs = [make(1, "a"), make(2, "b")]
    assert pick_next(jobs, [], {"a": 7, "b": 3}, QueueLimits()).id == "j2"


def test_final_outranks_draft_and_a_retry_outranks_both() -> None:
    jobs = [make(1, "a"), make(2, "b", priority="final"), make(3, "c", attempts=1)]
    assert [job.id for job in dispatch_order(jobs, {})] == ["j3", "j2", "j1"]


def test_user_concurrency_holds_a_users_second_job_back() -> None:
    running = [make(1, "a")]
    queued = [make(2, "a"), make(3, "b")]
    limits = QueueLimits(user_concurrency=1)
    assert pick_next(queued, running, {}, limits).id == "j3"
    assert pick_next(queued[:1], running, {}, limits) is None
    assert pick_next(queued[:1], running, {}, QueueLimits(user_concurrency=2)).id == "j2"


def test_guild_concurrency_caps_a_server() -> None:
    running = [make(1, "a", guild="g1")]
    queued = [make(2, "b", guild="g1"), make(3, "c", guild="g2")]
    assert pick_next(queued, running, {}, QueueLimits(guild_concurrency=1)).id == "j3"
    assert pick_next(queued[:1], running, {}, QueueLimits(guild_concurrency=1)) is None
    assert pick_next(queued[:1], running, {}, QueueLimits()).id == "j2"


owners = st.sampled_from(["ann", "bo", "cy", "di"])


@settings(max_examples=150, deadline=None)
@given(st.lists(owners, min_size=1, max_size=30))
def test_order_is_fifo_per_user_and_never_serves_one_user_twice_ahead(seq_owners: list[str]) -> None:
    jobs = [make(i + 1, owner) for i, owner in enumerate(seq_owners)]
    order = dispatch_order(jobs, {})
    assert sorted(job.id for job in order) == sorted(job.id for job in jobs)
    for owner in set(seq_owners):
        seqs = [job.seq for job in order if job.owner == owner]
        assert seqs == sorted(seqs)
    # Round-robin: while two users both still wait, neither gets two turns more than the other.
    total = Counter(seq_owners)
    served: Counter[str] = Counter()
    for job in order:
        served[job.owner] += 1
        waiting = [owner for owner in total if served[owner] < total[owner]]
        for owner in waiting:
            assert served[job.owner] - served[owner] <= 1
