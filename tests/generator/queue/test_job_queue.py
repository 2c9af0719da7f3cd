"""JobQueue end to end on real threads and a real SQLite store: order, caps, cancel, retry, ETA, restart."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from generator.errors import OverQuota, QueueFull
from generator.queue import Job, JobQueue, JobStore, JobStoreError, JobUpdate, QueueLimits
from tests.generator.queue.queue_helpers import GatedSlot, Journal, request
from tests.patience import patient


def wait_for(predicate, timeout: float = patient(10.0)) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def finished(queue: JobQueue, job_id: str) -> Job:
    wait_for(lambda: queue.get(job_id).finished)
    return queue.get(job_id)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "jobs.sqlite"


def open_queue(store_path: Path, slots: list[GatedSlot], **limits: object) -> JobQueue:
    queue = JobQueue(JobStore.open(store_path), slots, QueueLimits(**limits))
    queue.start()
    return queue


def test_light_user_starts_second_behind_a_heavy_backlog(store_path: Path) -> None:
    journal = Journal()
    slot = GatedSlot("s0", journal, gated=True)
    queue = open_queue(store_path, [slot], per_user=10)
    heavy = [queue.submit(request(), owner="heavy") for _ in range(4)]
    journal.wait_started(1)
    light = queue.submit(request(), owner="light")
    slot.release(5)
    for job in [*heavy, light]:
        assert finished(queue, job.id).status == "done"
    assert journal.started[:3] == [heavy[0].id, light.id, heavy[1].id]
    assert queue.get(light.id).result == {"owner": "light", "slot": "s0"}
    queue.close()


def test_caps_refuse_with_kinds_a_bot_can_show(store_path: Path) -> None:
    journal = Journal()
    queue = open_queue(store_path, [GatedSlot("s0", journal, gated=True)], per_user=2, per_guild=3, max_queued=4)
    queue.submit(request(), owner="a", guild="g")
    queue.submit(request(), owner="a", guild="g")
    with pytest.raises(OverQuota, match="already have 2 renders"):
        queue.submit(request(), owner="a", guild="g")
    queue.submit(request(), owner="b", guild="g")
    with pytest.raises(OverQuota, match="this server") as info:
        queue.submit(request(), owner="c", guild="g")
    assert info.value.to_failure().kind == "over_quota"
    queue.submit(request(), owner="c", guild="h")
    with pytest.raises(QueueFull) as full:
        queue.submit(request(), owner="d")
    assert full.value.to_failure().kind == "queue_full"
    queue.close()


def test_cancel_a_queued_job_and_a_running_one(store_path: Path) -> None:
    journal = Journal()
    queue = open_queue(store_path, [GatedSlot("s0", journal, gated=True)])
    running = queue.submit(request(), owner="a")
    waiting = queue.submit(request(), owner="b")
    journal.wait_started(1)
    assert queue.cancel(waiting.id)
    assert queue.get(waiting.id).status == "cancelled"
    assert queue.cancel(running.id)
    job = finished(queue, running.id)
    assert job.status == "cancelled" and job.failure.kind == "cancelled"
    assert not queue.cancel(running.id)
    assert JobStore.open(store_path).get(waiting.id).status == "cancelled"
    queue.close()


def test_a_lost_worker_retries_within_max_attempts(store_path: Path) -> None:
    journal = Journal()
    slot = GatedSlot("s0", journal)
    slot.lose_next = 1
    queue = open_queue(store_path, [slot], max_attempts=2)
    job = finished(queue, queue.submit(request(), owner="a").id)
    assert job.status == "done" and job.attempts == 2
    slot.lose_next = 2
    job = finished(queue, queue.submit(request(), owner="a").id)
    assert job.status == "failed" and "lost its worker 2 times" in job.failure.message
    queue.close()


def test_subscribers_hear_position_eta_progress_and_the_end(store_path: Path) -> None:
    journal = Journal()
    slot = GatedSlot("s0", journal, gated=True)
    queue = open_queue(store_path, [slot], per_user=10)
    first = queue.submit(request(), owner="a")
    journal.wait_started(1)
    second = queue.submit(request(), owner="b")
    third = queue.submit(request(), owner="c")
    updates: list[JobUpdate] = []
    done = threading.Event()

    def listen(update: JobUpdate) -> None:
        updates.append(update)
        if update.kind == "finished":
            done.set()

    queue.subscribe(third.id, listen)
    assert updates[0].kind == "queued" and updates[0].eta.position == 1
    slot.release(3)
    assert done.wait(patient(10))
    kinds = [update.kind for update in updates]
    assert [u.eta.position for u in updates if u.kind == "queued"] == [1, 0]
    assert kinds[-3:] == ["started", "progress", "finished"]
    assert finished(queue, first.id).status == finished(queue, second.id).status == "done"
    queue.close()


class Clock:
    """The queue's clock, standing still unless a slot moves it: a render takes what the slot says, however busy
    the machine (on the wall clock, a loaded box stretched a 0.2 s render, and the ETA, past any bound)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TakesSeconds:
    """A slot whose every job takes `seconds` of the queue's clock."""

    name = "s0"

    def __init__(self, clock: Clock, seconds: float) -> None:
        self.clock, self.seconds = clock, seconds

    def execute(self, job: Job, progress, cancel) -> dict:
        self.clock.now += self.seconds
        return {}


def test_eta_follows_the_running_mean_of_seconds_per_step(store_path: Path) -> None:
    clock = Clock()
    queue = JobQueue(JobStore.open(store_path), [TakesSeconds(clock, 0.2)], QueueLimits(per_user=10), clock=clock)
    queue.start()
    finished(queue, queue.submit(request(steps=2), owner="a").id)
    queue.close()
    reopened = JobQueue(JobStore.open(store_path), [GatedSlot("s0", Journal(), gated=True)])
    estimate = reopened.estimate_s(request(steps=4))
    assert estimate == pytest.approx(0.4)  # 0.1 s per step measured, four steps, survives the restart
    # Another size of the same model scales with pixels x frames.
    assert reopened.estimate_s(request(steps=4, width=128)) == pytest.approx(2 * estimate)


def test_restart_requeues_running_jobs_and_keeps_queued_ones(store_path: Path) -> None:
    journal = Journal()
    first = open_queue(store_path, [GatedSlot("s0", journal, gated=True)])
    running = first.submit(request(), owner="a", thread="t1", meta={"out": "x.mp4"})
    queued = first.submit(request(), owner="b", thread="t2")
    journal.wait_started(1)
    first.close(requeue=False)  # as if the process were killed mid-render

    second_journal = Journal()
    second = JobQueue(JobStore.open(store_path), [GatedSlot("s1", second_journal)])
    recovered = second.start()
    assert {job.id for job in recovered} == {running.id, queued.id}
    assert [job.id for job in second.undelivered("t1")] == [running.id]
    job = finished(second, running.id)
    assert job.status == "done" and job.attempts == 2 and job.meta == {"out": "x.mp4"}
    assert finished(second, queued.id).status == "done"
    assert second_journal.started[0] == running.id  # the interrupted job goes first
    second.mark_delivered(running.id)
    assert [job.id for job in second.undelivered()] == [queued.id]
    second.close()


def test_a_job_interrupted_too_often_fails_at_restart(store_path: Path) -> None:
    journal = Journal()
    queue = open_queue(store_path, [GatedSlot("s0", journal, gated=True)], max_attempts=1)
    job = queue.submit(request(), owner="a")
    journal.wait_started(1)
    queue.close(requeue=False)
    again = JobQueue(JobStore.open(store_path), [GatedSlot("s0", journal)], QueueLimits(max_attempts=1))
    assert again.start() == []
    assert again.get(job.id).status == "failed"
    again.close()


def test_graceful_close_requeues_without_spending_an_attempt(store_path: Path) -> None:
    journal = Journal()
    queue = open_queue(store_path, [GatedSlot("s0", journal, gated=True)])
    job = queue.submit(request(), owner="a")
    journal.wait_started(1)
    queue.close()
    stored = JobStore.open(store_path).get(job.id)
    assert stored.status == "queued" and stored.attempts == 0


def test_unwritable_data_folder_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(JobStoreError, match="cannot create the data folder"):
        JobStore.open(blocker / "jobs.sqlite")
    readonly = tmp_path / "ro.sqlite"
    readonly.write_bytes(b"this is not a database" * 100)
    with pytest.raises(JobStoreError, match="cannot write the job store"):
        JobStore.open(readonly)


def test_a_job_never_hears_queued_after_it_started(store_path: Path) -> None:
    """Updates reach a job's subscriber in the order the queue changed, even when two threads announce at once.

    The cancelling thread computes new places for `waiting` and `later`, then is held inside `waiting`'s listener
    while the slot starts `later`: the place it computed for `later` is older than the start and must not follow it.
    """
    journal = Journal()
    slot = GatedSlot("s0", journal, gated=True)
    queue = open_queue(store_path, [slot])
    first = queue.submit(request(), owner="a")
    assert journal.wait_started(1) == [first.id]
    ahead = queue.submit(request(), owner="c", priority="final")
    later = queue.submit(request(), owner="x", priority="final")
    waiting = queue.submit(request(), owner="w")
    heard: list[str] = []
    held = threading.Event()
    started_while_held: list[bool] = []

    def hold_while_later_starts(update: JobUpdate) -> None:
        if update.kind == "queued" and held.is_set() and update.eta is not None and update.eta.position == 1:
            held.clear()
            slot.release()  # `first` ends; the slot starts `later`, now first in line (it never waits on us)
            wait_for(lambda: queue.get(later.id).status == "running")
            started_while_held.append(True)

    queue.subscribe(waiting.id, hold_while_later_starts)
    queue.subscribe(later.id, lambda update: heard.append(update.kind))
    held.set()
    assert queue.cancel(ahead.id)  # both places move up: `later` 1 -> 0, `waiting` 2 -> 1
    slot.release(2)
    assert finished(queue, later.id).status == "done"
    wait_for(lambda: "finished" in heard)
    assert started_while_held == [True]
    assert heard.index("started") > max(i for i, kind in enumerate(heard) if kind == "queued"), heard
    queue.close()
