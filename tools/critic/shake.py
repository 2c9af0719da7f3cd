"""Handheld or held: the camera's residual motion about its steady move, read by amplitude and frequency content."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.critic.motion import PairMotion

# The tracker and the codec leave a held camera's background within this much of its trend per measured pair
# (fraction of the frame's longer side; ~0.4 px at the 256 px analysis size): a residual under it is noise.
NOISE_FLOOR = 0.0015
# A hand wobbles the frame clearly above that floor ...
SHAKE_AMPLITUDE = 2 * NOISE_FLOOR
# ... in this share of the pairs at least (a swap of layers in a pair or two is not a wobble) ...
SHAKE_SHARE = 0.35
# ... and along both axes: the weaker axis carries at least this share of the stronger one's residual.
BOTH_AXES = 0.25
# A wobble this far above the floor is a shaking camera whatever its spectrum (a vibrating rig, a jolted tripod).
CERTAIN_AMPLITUDE = 4 * NOISE_FLOOR
# Under that, the residual must not be white jitter about a fixed place (the tracker's and the codec's noise: each
# pair undoes the one before, a lag-one correlation of the residual velocity near -0.5). A hand sways and trembles
# at a few hertz: sampled 1/8 s apart its velocity is correlated, or only mildly alternating.
WANDER = -0.4
# A steady move with a little shake reads as the move: the residual must outgrow the move's own travel per pair.
OVER_TREND = 1.0


@dataclass(frozen=True)
class ShakeReading:
    """The background layer's motion about its steady trend, per measured pair (fractions of the longer side)."""

    amplitude: float  # median residual displacement per pair (both axes together)
    axes: tuple[float, float]  # median |residual| per pair along x and along y
    above_floor: float  # share of pairs whose residual exceeds SHAKE_AMPLITUDE
    wander: float  # lag-one correlation of the residual velocity in time order (+: low frequency; <= 0: white)
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


def _lag_one(values: np.ndarray) -> float:
    """Lag-one autocorrelation of a series about zero (its trend is already removed); 0 for a flat one."""
    if len(values) < 3:
        return 0.0
    power = float(np.dot(values, values))
    return float(np.dot(values[:-1], values[1:])) / power if power > 0 else 0.0


def read_shake(usable: list[PairMotion], side: float) -> ShakeReading:
    """Read the camera's residual motion from the reliable pairs (the background layer's, settled over the clip)."""
    ordered = sorted(usable, key=lambda m: m.start)
    velocity = np.array([[m.dx, m.dy] for m in ordered]) / side  # per frame
    gaps = np.array([m.gap for m in ordered], float)
    trend = np.median(velocity, axis=0)
    residual = velocity - trend
    shift = residual * gaps[:, None]  # displacement about the trend over each pair
    size = np.hypot(shift[:, 0], shift[:, 1])
    wander = max(_lag_one(residual[:, 0]), _lag_one(residual[:, 1]))
    return ShakeReading(
        amplitude=float(np.median(size)),
        axes=(float(np.median(np.abs(shift[:, 0]))), float(np.median(np.abs(shift[:, 1])))),
        above_floor=float(np.mean(size > SHAKE_AMPLITUDE)),
        wander=wander,
        trend=float(np.hypot(*trend) * np.median(gaps)),
    )
