"""Renders waiting for the one local generator hold no thread: the loop's shared pool stays free for other work."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.previz import PrevizGenerator
from generator.request import LookHints, RenderRequest
from tests.patience import patient
from tools.renderer import LocalRenderer, RenderTicket
from tools.take import Take


class Gated(PrevizGenerator):
    """Previz that starts a render only once the gate opens."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.started = threading.Event()

    def _wait(self) -> None:
        self.started.set()
        self.gate.wait(patient(60))

    def render(self, request, progress=None, cancel=None):
        self._wait()
        return super().render(request, progress, cancel)

    def iter_frames(self, request, **kwargs):  # what a take streams from
        self._wait()
        return super().iter_frames(request, **kwargs)


def req(seed: int) -> RenderRequest:
    look = LookHints(subject="a red fox", time_of_day="night")
    return RenderRequest(prompt="a red fox", width=64, height=48, num_frames=6, fps=12, seed=seed, look=look)


async def test_queued_renders_leave_the_shared_thread_pool_free(tmp_path: Path) -> None:
    loop = asyncio.get_running_loop()
    shared = ThreadPoolExecutor(max_workers=2)  # the pool the critic, upload fitting and queue calls use
    loop.set_default_executor(shared)
    generator = Gated()
    renderer = LocalRenderer(generator, max_bytes=10 * 1024 * 1024)
    renders = [
        asyncio.create_task(renderer.render(req(seed), RenderTicket(owner="ana"), out_dir=tmp_path))
        for seed in range(6)
    ]
    deadline = loop.time() + patient(30)
    while not generator.started.is_set():  # the first render is on its thread (polled on the loop: no pool thread)
        assert loop.time() < deadline, "the first render never started"
        await asyncio.sleep(0.01)
    # Five renders wait for the first; an unrelated call gets a thread at once (before: it queued behind them).
    try:
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "critic ran"), patient(30)) == "critic ran"
    finally:
        generator.gate.set()
    takes = await asyncio.gather(*renders)
    assert all(isinstance(take, Take) for take in takes)
    assert len({take.path for take in takes}) == 6
