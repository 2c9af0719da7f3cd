"""A bot killed mid-render, then restarted: the take is still delivered, once, to the same thread."""

from __future__ import annotations

import asyncio
import time

import pytest

from agent.studio import Studio
from generator.base import CancelToken, Progress, ProgressCallback
from generator.queue import Job
from tests.bots.conftest import CHANNEL_ID, is_take_post
from tests.patience import patient
from tools.queued_renderer import build_executors, open_queued_renderer

pytestmark = pytest.mark.slow


class HeldAfterItsFirstStep:
    """The real previz slot, but a render holds after its first step until the queue cancels it as it closes: the
    kill comes mid-render however fast or busy the machine (a free-running take could end before the kill)."""

    def __init__(self, executor) -> None:
        self.executor, self.name = executor, executor.name

    def execute(self, job: Job, progress: ProgressCallback, cancel: CancelToken):
        def report_then_hold(update: Progress) -> None:
            progress(update)
            deadline = time.monotonic() + patient(60)
            while not cancel.cancelled:
                assert time.monotonic() < deadline, "the render was never cut off"
                time.sleep(0.01)

        return self.executor.execute(job, report_then_hold, cancel)

    def close(self) -> None:
        self.executor.close()


async def test_kill_mid_render_then_restart_delivers_the_take(make_world, settings):
    cfg = settings.model_copy(update={"attempt_budget": 1, "approve_final_renders": False})
    setup = cfg.render_setup()
    held = HeldAfterItsFirstStep(build_executors(setup)[0])
    renderer = await asyncio.to_thread(open_queued_renderer, setup, [held])
    async with Studio.open(cfg.studio_config(), renderer=renderer) as studio:
        first = await make_world(studio, settings_=cfg, progress_interval=0.05)
        fake = first.fake
        first.slash("shot", prompt="a paper boat on a pond, slow dolly in, 4 seconds")
        created = await fake.wait_for(lambda c: c.method == "POST" and c.path == f"/channels/{CHANNEL_ID}/threads")
        thread = fake.channels[int(created.result["id"])]
        thread_id = int(thread["id"])
        stepping = await fake.wait_for(
            lambda c: (
                c.method == "PATCH" and f"/channels/{thread_id}/messages/" in c.path and "step" in (c.content or "")
            ),
            timeout=120,
        )
        old_progress = stepping.path.rsplit("/", 1)[1]
        # Kill: the bot's tasks die mid-render, the queue stops and puts its running job back.
        await first.bot.close()
        await asyncio.to_thread(renderer.close)
    assert not any(is_take_post(thread_id)(c) for c in fake.calls)

    renderer = await asyncio.to_thread(open_queued_renderer, cfg.render_setup())
    try:
        async with Studio.open(cfg.studio_config(), renderer=renderer) as studio:
            second = await make_world(studio, settings_=cfg, progress_interval=0.05)
            second.add_thread(thread)
            assert await second.bot.recover_runs() == 1
            # The old process's "step 12/30…" message does not stay on screen.
            await fake.wait_for(lambda c: c.method == "DELETE" and c.path.endswith(f"/messages/{old_progress}"))
            post = await fake.wait_for(is_take_post(thread_id), timeout=120)
            await second.bot.drain()
            assert post.json["embeds"][0]["fields"]
            assert sum(1 for c in fake.calls if is_take_post(thread_id)(c)) == 1
            assert await second.bot.journal.left_over() == []
            assert await second.bot.recover_runs() == 0
    finally:
        await asyncio.to_thread(renderer.close)
