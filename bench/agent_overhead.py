"""Agent overhead per turn, excluding LLM (director), render and critic time: graph, state, checkpoints, events.

Runs a conversation on one thread against the real graph and the real SQLite checkpointer in a
temporary data folder. The director is the offline one (its time is measured and subtracted);
the renderer and the critic are instant doubles that return a prepared take and verdict, and
their time is subtracted too, so what remains is what the agent itself costs. Turns alternate
between plain messages (one attempt), messages that fail once (a revision: two attempts) and
storyboard approvals, so the state grows the way a real session's does.

    .venv/bin/python bench/agent_overhead.py [--turns 60]      target: median <= 20 ms
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from agent.director import make_director
from agent.studio import Studio
from bots.settings import Settings
from generator.request import RenderRequest
from tools.critique import CameraMotion, Critique, Expectation
from tools.take import Take

MESSAGES = [
    "a red fox trots through a birch forest at golden hour, the camera pans left, 4 seconds",
    "make it night",
    "slower",
    "a lighthouse on a cliff, drone shot rising, 6 seconds",
    "make it foggy",
    "an owl on a branch, low angle, the camera tilts up",
]


class Clock:
    """Wall and CPU seconds spent outside the agent (director, renderer, critic), reset every turn."""

    def __init__(self) -> None:
        self.outside = 0.0
        self.outside_cpu = 0.0

    def start(self) -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def stop(self, started: tuple[float, float]) -> None:
        self.outside += time.perf_counter() - started[0]
        self.outside_cpu += time.process_time() - started[1]


class TimedDirector:
    def __init__(self, inner, clock: Clock) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.clock, self.name = inner, clock, inner.name

    async def direct(self, message, **kwargs):  # type: ignore[no-untyped-def]
        started = self.clock.start()
        try:
            return await self.inner.direct(message, **kwargs)
        finally:
            self.clock.stop(started)


class InstantRenderer:
    """Returns a prepared Take at once (no frames are made): only its call time is subtracted."""

    features: frozenset[str] = frozenset()  # no queue, no jobs to re-attach to

    def __init__(self, clock: Clock, clip: Path) -> None:
        self.clock, self.clip = clock, clip

    async def render(self, request: RenderRequest, ticket, *, out_dir, on_progress=None, cancel=None) -> Take:  # type: ignore[no-untyped-def]
        started = self.clock.start()
        take = Take(
            path=str(self.clip),
            backend="bench",
            model="none",
            seed=request.seed,
            width=request.width,
            height=request.height,
            num_frames=request.num_frames,
            fps=request.fps,
            duration_s=request.duration_s,
            bytes=1,
            render_s=0.0,
        )
        self.clock.stop(started)
        return take


class FailFirstCritic:
    """Fails the first attempt of every other message (a revision), passes the rest."""

    def __init__(self, clock: Clock) -> None:
        self.clock, self.calls, self.fail_next = clock, 0, False

    def __call__(self, path: str, expectation: Expectation | None) -> Critique:
        started = self.clock.start()
        expected = expectation.camera_movement if expectation else None
        failed, self.fail_next = self.fail_next, False
        detected = "pan_right" if failed else (expected or "static")
        verdict = Critique(
            passed=not failed,
            score=0.3 if failed else 0.9,
            camera_motion=CameraMotion(detected=detected, expected=expected, confidence=0.9),
        )
        self.clock.stop(started)
        return verdict


async def run(turns: int) -> tuple[list[float], list[float]]:
    clock = Clock()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), director="offline", backend="previz")
        clip = Path(folder) / "clip.mp4"
        clip.write_bytes(b"")
        critic = FailFirstCritic(clock)
        async with Studio.open(
            settings.studio_config(),
            renderer=InstantRenderer(clock, clip),  # type: ignore[arg-type]
            director=TimedDirector(make_director(settings.director_config()), clock),
            critic=critic,
        ) as studio:
            costs: list[float] = []
            cpu: list[float] = []
            for turn in range(turns):
                clock.outside = clock.outside_cpu = 0.0
                critic.fail_next = turn % 2 == 1
                started = clock.start()
                if turn % 5 == 4:
                    await studio.approve("bench", None, "ana")
                else:
                    await studio.send("bench", "ana", MESSAGES[turn % len(MESSAGES)], lambda event: None)
                costs.append(time.perf_counter() - started[0] - clock.outside)
                cpu.append(time.process_time() - started[1] - clock.outside_cpu)
            state = await studio.state("bench")
            print(f"thread state at the end: {len(state.takes)} takes, {len(state.storyboard.shots)} shots")
    return costs, cpu


def describe(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds[1:])  # the first turn pays for table creation and warm-up
    p95 = ms[int(0.95 * (len(ms) - 1))]
    return f"{name}: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=60)
    args = parser.parse_args()
    costs, cpu = asyncio.run(run(args.turns))
    print(f"turns: {len(costs)} (first, cold: {costs[0] * 1000:.1f} ms)")
    print(describe("agent overhead per turn, wall", costs))
    print(describe("agent overhead per turn, CPU (all threads)", cpu))
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("target: median <= 20 ms")


if __name__ == "__main__":
    main()
