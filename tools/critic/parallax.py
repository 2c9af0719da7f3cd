"""Orbit by parallax: the subject holds the frame's centre while the background turns past it, far faster than near.

A pan slides everything the same way at the same rate; a truck (or a tracking shot) slides everything the same
way with near things faster; an orbit turns about the subject, so the subject stays put while what lies beyond it
slides one way, the farther the faster, and what is nearer than the subject slides the other way. The background's
two sides (left and right of the frame's centre column) tell the camera's way; within them, the upper rows (the far
ground and the sky) and the lower rows (the near ground) tell far from near; the centre column holds the subject.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from tools.critic.camera import CameraReading
from tools.critic.motion import _equalised, _matched, motion_pairs, track_both_ways

PAIRS = 6  # frame pairs looked at, spread over the clip
CENTRE = 0.2  # points within this share of the width of the centre line are the subject's column
MIN_SIDE_POINTS = 3  # on each side of the centre column
SLIDE_MIN = 0.02  # the sides slide at least this fast (fraction of the longer side per second) ...
STILL_CENTRE = 0.3  # ... while a subject in the centre column moves under this share of their slide ...
# The sides' sliding points move as one (a background), not each at its own pace (fireflies, snow, dust drifting
# past a locked-off camera): this share of them slide within COHERENT_BAND of their median.
COHERENT = 0.55
COHERENT_BAND = 0.3
# ... yet not all at one speed: a pan slides every depth alike (the 80th percentile speed within PAN_SPREAD of the
# 20th), and a pan that follows a walker keeps its subject still as an orbit does.
PAN_SPREAD = 1.08
MIN_HELD = 4  # ... at this many points at least (its texture, not the backdrop seen past it)
NEAR_FASTER = 2.0  # near rows this much faster than far ones: a truck's parallax, never an orbit
ORBIT_SHARE = 0.6  # of the pairs looked at, this share must show an orbit, all the same way
CORNERS = 40  # per region (the two sides together, the centre column), at a low quality threshold: a subject's
QUALITY = 0.001  # strong corners (a sign's letters) must not leave a plain room's walls without points
LOOKED_AT = ("pan_", "truck_", "static", "handheld")  # readings an orbit can hide behind
# A zoom scales every point alike; a dolly grows near things faster than far ones. The spread of the points'
# growth rates (interquartile range over the median, points away from the centre) marks a dolly.
DOLLY_SPREAD = 0.6  # over this, in ORBIT_SHARE of the pairs looked at: a dolly
MIN_RADIUS = 0.15  # of the longer side: nearer the centre a point's growth is mostly tracking noise
MIN_GROWING = 8  # points a pair needs to say anything
# ... and they must move this far radially between its two frames (median growth x median radius x gap), 2-3x
# Lucas-Kanade's ~0.1 px of noise: relative to a smaller median, that noise alone spreads the growth like a
# dolly's parallax (a slow or heavily compressed zoom over a flat photo).
MIN_RADIAL_PX = 0.3


@dataclass(frozen=True)
class SideSlides:
    """One pair's horizontal slides, pixels per frame: the centre column's and the sides' far and near rows."""

    held: int  # points of the centre column that hold still (slide under STILL_CENTRE of the sides' rate)
    sides: float
    far: float
    near: float
    coherent: float = 1.0  # share of the points sliding the sides' way within COHERENT_BAND of their median
    depth_spread: float = 2.0  # their 80th over their 20th percentile speed: 1 when all go alike (a pan)


def side_slides(a: np.ndarray, b: np.ndarray, gap: int) -> SideSlides | None:
    """The slides between luma frames `a` and `b` (`gap` frames apart), or None when a side has too few points."""
    seen_a, seen_b = _equalised(a, _matched(b, a))
    width = a.shape[1]
    p0, p1 = _tracked(seen_a, seen_b)
    if not len(p0):
        return None
    dx = (p1[:, 0] - p0[:, 0]) / gap
    offset = p0[:, 0] / width - 0.5
    left, right = offset < -CENTRE, offset > CENTRE
    if left.sum() < MIN_SIDE_POINTS or right.sum() < MIN_SIDE_POINTS:
        return None
    left_slide, right_slide = float(np.median(dx[left])), float(np.median(dx[right]))
    if left_slide * right_slide <= 0:  # the two sides disagree: a subject at one side, not the camera
        return None
    side = left | right
    rows = p0[side, 1]
    upper = rows <= np.median(rows)
    sides = (left_slide + right_slide) / 2
    sliding = dx[side][dx[side] * sides >= 0.5 * STILL_CENTRE * sides**2]  # the sides' way (not the near rows')
    pace = float(np.median(sliding)) if len(sliding) else 0.0
    speeds = np.abs(sliding)
    return SideSlides(
        depth_spread=float(np.percentile(speeds, 80) / max(np.percentile(speeds, 20), 1e-3)) if len(speeds) else 1.0,
        coherent=float(np.mean(np.abs(sliding - pace) < COHERENT_BAND * abs(pace))) if len(sliding) else 0.0,
        held=int(np.count_nonzero(~side & (np.abs(dx) < STILL_CENTRE * abs(sides)))),
        sides=sides,
        far=float(np.median(dx[side][upper])),
        near=float(np.median(dx[side][~upper])) if (~upper).any() else float(np.median(dx[side][upper])),
    )


def _tracked(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corners of the sides and of the centre column of `a` (each region its own), and where they are in `b`."""
    height, width = a.shape
    column = np.abs(np.arange(width) / width - 0.5) <= CENTRE
    found = []
    for region in (~column, column):
        mask = np.repeat(region[None, :], height, axis=0).astype(np.uint8) * 255
        points = cv2.goodFeaturesToTrack(a, CORNERS, QUALITY, max(3, min(height, width) // 40), mask=mask)
        if points is not None:
            found.append(points)
    if not found:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    return track_both_ways(a, b, np.concatenate(found))


def orbit_vote(s: SideSlides, least_px: float) -> float:
    """The sides' slide (its sign says the orbit's way) when this pair shows an orbit, else 0.

    The near rows slide against the far ones, or a subject in the centre column holds still while both sides
    slide one way and the near rows do not outrun the far ones (a truck or a tracking shot, which also keeps its
    subject, slides near things faster).
    """
    if abs(s.sides) < least_px or s.coherent < COHERENT:
        return 0.0
    if min(abs(s.far), abs(s.near)) >= least_px and s.far * s.near < 0:
        return s.far  # near and far rows slide opposite ways: only an orbit turns the scene about a point within it
    if s.held < MIN_HELD or s.depth_spread < PAN_SPREAD:
        return 0.0
    if abs(s.far) >= least_px and s.near / s.far > NEAR_FASTER:
        return 0.0
    return s.far if abs(s.far) > abs(s.sides) and s.far * s.sides > 0 else s.sides


def orbit_by_parallax(
    reading: CameraReading, frames: np.ndarray, indices: np.ndarray, fps: float, skip: set[int]
) -> CameraReading:
    """`reading` as an orbit when the background shows an orbit's parallax about a still subject, else as it is.

    Orbiting right, the camera travels right and turns left: what lies beyond the subject slides right.
    """
    if not reading.move.startswith(LOOKED_AT):
        return reading
    side = max(frames.shape[1:])
    chosen = _spread_pairs(indices, fps, skip)
    if not chosen:
        return reading
    least_px = SLIDE_MIN * side / fps
    votes: list[float] = []
    for i, j in chosen:
        if sum(v == 0 for v in votes) > (1 - ORBIT_SHARE) * len(chosen):
            return reading  # too many pairs without an orbit already (a static clip costs half as much)
        slides = side_slides(frames[i], frames[j], int(indices[j] - indices[i]))
        votes.append(0.0 if slides is None else orbit_vote(slides, least_px))
    ways = np.sign(votes)
    way = 1.0 if (ways > 0).sum() >= (ways < 0).sum() else -1.0
    agreeing = [v for v in votes if np.sign(v) == way]
    if len(agreeing) < ORBIT_SHARE * len(chosen):
        return reading
    rate = float(np.median(agreeing)) / side * fps
    if reading.pan_rate * way > abs(rate):  # the background model's slide, when it saw the turn faster
        rate = reading.pan_rate
    confidence = round(0.8 * len(agreeing) / len(chosen) * reading.reliable_pairs / max(reading.pairs, 1), 3)
    move = "orbit_right" if way > 0 else "orbit_left"
    return replace(reading, move=move, confidence=confidence, pan_rate=rate)


def growth_spread(a: np.ndarray, b: np.ndarray, gap: int) -> tuple[float, float] | None:
    """The median growth (ln-scale per frame) of points between `a` and `b` about the centre, and its spread.

    None when too few points lie away from the centre or they move too little radially to say anything.
    """
    seen_a, seen_b = _equalised(a, _matched(b, a))
    p0, p1 = _tracked(seen_a, seen_b)
    height, width = a.shape
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    q0, q1 = p0 - centre, p1 - centre
    radius = np.linalg.norm(q0, axis=1)
    away = radius > MIN_RADIUS * max(height, width)
    if away.sum() < MIN_GROWING:
        return None
    growth = (np.sum(q1[away] * q0[away], axis=1) / radius[away] ** 2 - 1) / gap
    low, median, high = np.percentile(growth, [25, 50, 75])
    if abs(median) * float(np.median(radius[away])) * gap < MIN_RADIAL_PX:
        return None  # too little motion to tell parallax from tracking noise
    return float(median), float(high - low) / max(abs(float(median)), 1e-6)


def dolly_or_zoom(
    reading: CameraReading, frames: np.ndarray, indices: np.ndarray, fps: float, skip: set[int]
) -> CameraReading:
    """A zoom reading as a dolly when most pairs looked at show a dolly's parallax (a wide spread of growth).

    Only strong evidence relabels: each pair votes on its own, and one with too little motion to tell parallax
    from noise does not vote. A dolly reading stands: the motion model saw a near layer grow faster than the rest,
    and a backdrop growing alike (a flat wall behind the subject) does not contradict it.
    """
    kind, _, way = reading.move.partition("_")
    if kind != "zoom":
        return reading
    votes = 0
    for i, j in _spread_pairs(indices, fps, skip):
        measured = growth_spread(frames[i], frames[j], int(indices[j] - indices[i]))
        if measured is not None and measured[0] * reading.zoom_rate > 0 and measured[1] > DOLLY_SPREAD:
            votes += 1
    return replace(reading, move=f"dolly_{way}") if votes >= ORBIT_SHARE * PAIRS else reading


def _spread_pairs(indices: np.ndarray, fps: float, skip: set[int]) -> list[tuple[int, int]]:
    """Up to PAIRS frame pairs spread over the clip, none touching a skipped frame."""
    pairs = [(i, j) for i, j in motion_pairs(indices, fps) if i not in skip and j not in skip]
    if not pairs:
        return []
    keep = np.unique(np.linspace(0, len(pairs) - 1, min(PAIRS, len(pairs))).round().astype(int))
    return [pairs[k] for k in keep]
