"""QueuedRenderer over the real queue and previz: Takes, failure values, position/ETA, cancel, restart, resume."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from bots.settings import Settings
from generator.base import CancelToken, Progress
from generator.errors import Failure
from generator.previz import PrevizGenerator
from generator.queue import Job
from generator.request import LookHints, RenderRequest
from tests.patience import patient
from tools.queued_renderer import QueuedRenderer, build_executors, open_queued_renderer, take_task
from tools.renderer import RenderTicket
from tools.take import Take


def req(frames: int = 12, seed: int = 1) -> RenderRequest:
    look = LookHints(subject="a red fox", time_of_day="night")
    return RenderRequest(
        prompt="a red fox at night", width=64, height=48, num_frames=frames, fps=12, seed=seed, look=look
    )


class Stuck:
    """A slot that never finishes: the process 'dies' while it holds the job."""

    name = "stuck"

    def __init__(self) -> None:
        self.started = threading.Event()

    def execute(self, job: Job, progress, cancel: CancelToken):
        self.started.set()
        while not cancel.cancelled:
            cancel._event.wait(0.05)
        raise RuntimeError("the process died")


class HeldUntil:
    """Wraps a real slot: its first job waits for `release` before rendering, so a second job must queue."""

    def __init__(self, executor, release: threading.Event) -> None:
        self.executor, self.release, self.name = executor, release, executor.name
        self.started = threading.Event()

    def execute(self, job: Job, progress, cancel: CancelToken):
        self.started.set()
        self.release.wait(patient(20))
        return self.executor.execute(job, progress, cancel)


async def test_two_users_get_takes_with_progress_and_queue_position(tmp_path: Path) -> None:
    setup = Settings(queue_workers=1).render_setup()
    told_position = threading.Event()
    slot = HeldUntil(build_executors(setup)[0], told_position)
    renderer = open_queued_renderer(setup, executors=[slot])
    progress: list[Progress] = []
    positions: list[tuple[int, float]] = []

    def on_queue(position: int, eta: float) -> None:
        positions.append((position, eta))
        told_position.set()

    running = asyncio.create_task(
        renderer.render(req(), RenderTicket(owner="ana"), out_dir=tmp_path, on_progress=progress.append)
    )
    assert await asyncio.to_thread(slot.started.wait, patient(20))
    second = await renderer.render(req(seed=2), RenderTicket(owner="bo"), out_dir=tmp_path, on_queue=on_queue)
    first = await running
    renderer.close()
    assert isinstance(first, Take) and isinstance(second, Take)
    assert Path(first.path).stat().st_size == first.bytes and first.num_frames == 12
    assert progress and progress[-1].step == progress[-1].total
    assert positions and all(position in (0, 1) and eta >= 0 for position, eta in positions)


async def test_quota_and_cancel_are_failure_values(tmp_path: Path) -> None:
    stuck = Stuck()
    renderer = open_queued_renderer(Settings(queue_per_user=1).render_setup(), executors=[stuck])
    token = CancelToken()
    running = asyncio.create_task(renderer.render(req(), RenderTicket(owner="ana"), out_dir=tmp_path, cancel=token))
    assert await asyncio.to_thread(stuck.started.wait, patient(10))
    refused = await renderer.render(req(), RenderTicket(owner="ana"), out_dir=tmp_path)
    assert isinstance(refused, Failure) and refused.kind == "over_quota"
    token.cancel()
    cancelled = await asyncio.wait_for(running, patient(10))
    assert isinstance(cancelled, Failure) and cancelled.kind == "cancelled"
    renderer.close()


async def test_a_restart_delivers_the_take_of_a_render_cut_off_midway(tmp_path: Path) -> None:
    settings = Settings()
    stuck = Stuck()
    before = open_queued_renderer(settings.render_setup(), executors=[stuck])
    ticket = RenderTicket(owner="ana", thread="thread-9", guild="g1", priority="final")
    waiting = asyncio.create_task(before.render(req(), ticket, out_dir=tmp_path, job_id="thread-9-take-1"))
    assert await asyncio.to_thread(stuck.started.wait, patient(10))
    before.queue.close(requeue=False)  # the bot process is killed mid-render
    waiting.cancel()

    after = open_queued_renderer(settings.render_setup())  # a new process: real previz worker, same data folder
    pending = after.unfinished("thread-9")
    assert [job.id for job in pending] == ["thread-9-take-1"]
    take = await asyncio.wait_for(after.resume("thread-9-take-1"), patient(30))
    assert isinstance(take, Take) and Path(take.path).exists()
    after.mark_delivered("thread-9-take-1")
    assert after.unfinished() == []
    # Submitting the same job id again (a re-run graph node) re-attaches instead of rendering twice.
    again = await after.render(req(), ticket, out_dir=tmp_path, job_id="thread-9-take-1")
    assert again == take and after.queue.get("thread-9-take-1").attempts == 2
    after.close()


async def test_resume_of_an_unknown_job_is_a_failure(tmp_path: Path) -> None:
    renderer = QueuedRenderer(open_queued_renderer(Settings().render_setup()).queue)
    result = await renderer.resume("job-nope")
    assert isinstance(result, Failure) and result.kind == "invalid_request"
    renderer.close()


class SegmentSlot:
    """A previz slot that records which segments it renders; with `dies_at`, it 'dies' holding that segment."""

    name = "segments"

    def __init__(self, dies_at: int | None = None) -> None:
        self.dies_at = dies_at
        self.started = threading.Event()
        self.rendered: list[int] = []
        self._task = take_task(10_000_000)
        self._generator = PrevizGenerator()

    def execute(self, job: Job, progress, cancel: CancelToken):
        assert job.request.segment is not None
        if job.request.segment.index == self.dies_at:
            self.started.set()
            while not cancel.cancelled:
                cancel._event.wait(0.05)
            raise RuntimeError("the process died")
        self.rendered.append(job.request.segment.index)
        return self._task(self._generator, job, progress, cancel)


async def test_a_long_shot_cut_off_midway_resumes_and_renders_only_the_interrupted_segment(tmp_path: Path) -> None:
    setup = Settings(segment_s=1.0).render_setup()
    shot = req(frames=40).model_copy(update={"fps": 8})
    ticket = RenderTicket(owner="ana", thread="thread-7")
    dying = SegmentSlot(dies_at=2)
    before = open_queued_renderer(setup, executors=[dying])
    waiting = asyncio.create_task(before.render(shot, ticket, out_dir=tmp_path, job_id="thread-7-take-1"))
    assert await asyncio.to_thread(dying.started.wait, patient(30))
    before.queue.close(requeue=False)  # the bot process is killed while segment 3 renders
    waiting.cancel()
    assert dying.rendered == [0, 1]

    slot = SegmentSlot()
    after = open_queued_renderer(setup, executors=[slot])  # a new process on the same job store
    take = await asyncio.wait_for(after.render(shot, ticket, out_dir=tmp_path, job_id="thread-7-take-1"), patient(60))
    assert isinstance(take, Take) and take.num_frames == 40 and len(take.segments) == 5
    assert slot.rendered == [2, 3, 4]  # segments 1 and 2 were done: re-attached, not rendered again
    attempts = [after.queue.get(f"thread-7-take-1-s{n:02d}").attempts for n in range(1, 6)]
    assert attempts == [1, 1, 2, 1, 1]
    assert take.path == str(tmp_path.resolve() / "take-thread-7-take-1.mp4")
    after.close()
