"""ETA: a running mean of seconds per step for each model and size, and a simulated schedule of K workers."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.queue.job import Job
from generator.request import RenderRequest

StatKey = tuple[str, str]  # (model, size)


def stat_key(request: RenderRequest) -> StatKey:
    model = f"{request.family}/{request.model or 'default'}"
    return model, f"{request.width}x{request.height}x{request.num_frames}"


def _volume(size: str) -> int:
    width, height, frames = (int(part) for part in size.split("x"))
    return width * height * frames


class StepTimes:
    """Seconds per denoising step, a running mean per (model, size); not thread-safe (the queue locks it)."""

    def __init__(self, means: Mapping[StatKey, tuple[float, int]] | None = None, *, prior_s_per_step: float = 1.0):
        self._means: dict[StatKey, tuple[float, int]] = dict(means or {})
        self._prior = prior_s_per_step

    def record(self, request: RenderRequest, seconds: float) -> tuple[StatKey, float, int]:
        """Fold one finished render in; returns the key, new mean and count (for the store)."""
        key = stat_key(request)
        per_step = max(seconds, 0.0) / request.steps
        mean, count = self._means.get(key, (0.0, 0))
        count += 1
        weight = max(1.0 / count, 0.1)  # a plain mean at first, then it follows drift (a warmer GPU, a new driver)
        mean += weight * (per_step - mean)
        self._means[key] = (mean, count)
        return key, mean, count

    def seconds_per_step(self, request: RenderRequest) -> float:
        model, size = stat_key(request)
        exact = self._means.get((model, size))
        if exact is not None:
            return exact[0]
        # Same model at other sizes: scale by pixels x frames; otherwise the prior.
        volume = _volume(size)
        scaled = [mean * volume / _volume(other) for (m, other), (mean, _) in self._means.items() if m == model]
        return sum(scaled) / len(scaled) if scaled else self._prior

    def estimate(self, request: RenderRequest) -> float:
        return self.seconds_per_step(request) * request.steps


@dataclass(frozen=True)
class Eta:
    """Where a queued job stands: how many start before it, and seconds until it starts and ends."""

    position: int
    wait_s: float
    eta_s: float


def simulate(
    order: Sequence[Job],
    running_left_s: Sequence[float],
    workers: int,
    times: StepTimes,
) -> dict[str, Eta]:
    """List-schedule `order` on `workers` workers, busy for `running_left_s`; each job's position and times."""
    free_at = sorted(max(0.0, left) for left in running_left_s)[:workers]
    free_at += [0.0] * (max(workers, 1) - len(free_at))
    heapq.heapify(free_at)
    etas: dict[str, Eta] = {}
    for position, job in enumerate(order):
        start = heapq.heappop(free_at)
        end = start + times.estimate(job.request)
        heapq.heappush(free_at, end)
        etas[job.id] = Eta(position=position, wait_s=round(start, 2), eta_s=round(end, 2))
    return etas
