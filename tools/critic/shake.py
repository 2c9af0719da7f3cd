"""Handheld or held: the camera's residual motion about its steady move, read by amplitude and frequency content."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.critic.motion import PairMotion

# The tracker and the codec leave a held camera's background within this much of its trend per measured pair
# (fraction of the frame's longer side; ~0.06 px at the 256 px analysis size; a locked-off camera measured
# ~0.02 px on clean footage, ~0.05 px under noise at CRF 36): a residual under it is noise.
NOISE_FLOOR = 0.00025
# A hand wobbles the frame clearly above that floor ...
SHAKE_AMPLITUDE = 2 * NOISE_FLOOR
# ... in this share of the pairs at least (a swap of layers in a pair or two is not a wobble) ...
SHAKE_SHARE = 0.35
# ... and along both axes: the weaker axis carries at least this share of the stronger one's residual.
BOTH_AXES = 0.25
# A wobble this far above the floor (~0.5 px a pair) is a shaking camera whatever its spectrum (a vibrating rig).
CERTAIN_AMPLITUDE = 8 * NOISE_FLOOR
# Under that, the residual must not be jitter about a fixed place (the tracker's and the codec's noise: each pair
# undoes the one before, so WANDER_SPAN pairs together move no further than one) but wander like a hand, that
# sways at a few hertz and keeps its way for a while: see _wander (1/WANDER_SPAN for jitter, 1 for a random walk).
WANDER_SPAN = 4  # pairs (1/2 s at 8 pairs a second)
WANDER = 0.25  # what jitter about a fixed place comes to (1/WANDER_SPAN): a hand keeps its way longer
# A steady move with a little shake reads as the move: the residual must outgrow the move's own travel per pair.
OVER_TREND = 1.0


@dataclass(frozen=True)
class ShakeReading:
    """The background layer's motion about its steady trend, per measured pair (fractions of the longer side)."""

    amplitude: float  # median residual displacement per pair (both axes together)
    axes: tuple[float, float]  # median |residual| per pair along x and along y
    above_floor: float  # share of pairs whose residual exceeds SHAKE_AMPLITUDE
    wander: float  # how far the residual carries on over WANDER_SPAN pairs (see _wander): 1/4 white jitter, >= 1 sway
    trend: float  # the steady move's displacement per pair (its median velocity times the pair's length)

    @property
    def both_axes(self) -> bool:
        weak, strong = sorted(self.axes)
        return strong > 0 and weak >= BOTH_AXES * strong

    @property
    def handheld(self) -> bool:
        """A hand's wobble: clearly above the floor in enough pairs, on both axes, larger than the move's own travel,
        and either large or wandering at low frequency (white sub-pixel residual is the tracker's noise)."""
        if self.amplitude < SHAKE_AMPLITUDE or self.above_floor < SHAKE_SHARE or not self.both_axes:
            return False
        if self.amplitude <= OVER_TREND * self.trend:
            return False
        return self.amplitude >= CERTAIN_AMPLITUDE or self.wander > WANDER


def _wander(steps: np.ndarray, span: int = WANDER_SPAN) -> float:
    """How far `span` consecutive residual steps carry on together, against as many independent ones: the mean
    squared sum of each run of `span` steps over `span` times the mean squared step ((n, axes); pooled over axes).

    1 for steps that are independent (a random walk); 1/`span` for jitter about a fixed place (each step undoes the
    one before); more than 1 for a sway that keeps its way for a while. 0 when there is too little to tell.
    """
    if len(steps) < span + 2:
        return 0.0
    power = float(np.mean(np.sum(steps * steps, axis=1)))
    if power <= 0:
        return 0.0
    runs = np.cumsum(np.vstack([np.zeros((1, steps.shape[1])), steps]), axis=0)
    spans = runs[span:] - runs[:-span]
    return float(np.mean(np.sum(spans * spans, axis=1))) / (span * power)


def read_shake(usable: list[PairMotion], side: float, fps: float = 0.0, move_rate: float = 0.0) -> ShakeReading:
    """Read the camera's residual motion from the reliable pairs (the background layer's, settled over the clip).

    `move_rate` (fraction of the longer side per second, at `fps`) is the move the clip reads otherwise, when a
    nearer layer carries it (a truck past a subject): a residual under its travel per pair is the move's unsteadiness.
    """
    ordered = sorted(usable, key=lambda m: m.start)
    velocity = np.array([[m.dx, m.dy] for m in ordered]) / side  # per frame
    growth = float(np.median([m.log_scale for m in ordered])) / 2  # a zoom moves the frame's edge by half its growth
    gaps = np.array([m.gap for m in ordered], float)
    trend = np.median(velocity, axis=0)
    residual = velocity - trend
    shift = residual * gaps[:, None]  # displacement about the trend over each pair
    size = np.hypot(shift[:, 0], shift[:, 1])
    return ShakeReading(
        amplitude=float(np.median(size)),
        axes=(float(np.median(np.abs(shift[:, 0]))), float(np.median(np.abs(shift[:, 1])))),
        above_floor=float(np.mean(size > SHAKE_AMPLITUDE)),
        wander=_wander(shift),
        trend=float(max(np.hypot(*trend) + abs(growth), move_rate / fps if fps else 0.0) * np.median(gaps)),
    )
