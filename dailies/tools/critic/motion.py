"""Global camera motion between frames: tracked features, a robust similarity fit, and residual parallax."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAX_CORNERS = 160
MIN_POINTS = 8  # fewer reliable points than this and the fit falls back to phase correlation
FB_TOLERANCE_PX = 0.6  # forward-backward disagreement allowed for a tracked point
RANSAC_PX = 1.0
LK_PARAMS = {
    "winSize": (15, 15),
    "maxLevel": 3,
    "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03),
}
PAIRS_PER_SECOND = 8  # VBench samples about 8 frames a second; motion is measured on pairs that far apart
MAX_PAIRS = 40


@dataclass(frozen=True)
class PairMotion:
    """How content moved from one frame to a later one, per frame of the gap, about the frame centre.

    dx, dy: content displacement in pixels of analysis size (positive: content slides right / down);
    log_scale: content growth (positive: expands, as in a zoom in); rotation in radians;
    parallax: how far a second coherent layer moves from the main one, in pixels (0 on a flat scene).
    """

    start: int  # position in the clip's kept frames
    gap: int  # source frames between the two
    dx: float
    dy: float
    log_scale: float
    rotation: float
    parallax: float
    points: int  # reliable tracked points
    inliers: float  # fraction of them the model explains
    method: str  # "features", "phase" or "none"

    @property
    def reliable(self) -> bool:
        return self.method == "features" or (self.method == "phase" and self.inliers > 0.1)


def _track(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corner points of `a` and where they are in `b`, keeping only those that track back to themselves."""
    min_distance = max(3, min(a.shape) // 24)
    points = cv2.goodFeaturesToTrack(a, MAX_CORNERS, 0.01, min_distance, blockSize=7)
    if points is None or len(points) < MIN_POINTS:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    moved, status, _ = cv2.calcOpticalFlowPyrLK(a, b, points, None, **LK_PARAMS)
    back, status_back, _ = cv2.calcOpticalFlowPyrLK(b, a, moved, None, **LK_PARAMS)
    error = np.linalg.norm((back - points).reshape(-1, 2), axis=1)
    ok = (status.ravel() == 1) & (status_back.ravel() == 1) & (error < FB_TOLERANCE_PX)
    return points.reshape(-1, 2)[ok], moved.reshape(-1, 2)[ok]


def _second_layer(q0: np.ndarray, q1: np.ndarray, model: np.ndarray, total: int) -> float:
    """How far a second coherent motion among the outliers departs from the main one (px), 0 when none.

    Depth makes a travelling camera move near and far things differently (parallax); a turning or
    zooming camera moves a whole scene by one model, and its outliers are noise that fits nothing.
    """
    if len(q0) < max(MIN_POINTS, 0.15 * total):
        return 0.0
    second, mask = cv2.estimateAffinePartial2D(q0, q1, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX)
    if second is None or mask is None or mask.sum() < max(MIN_POINTS, 0.15 * total):
        return 0.0
    layer = q0[mask.ravel().astype(bool)]
    first = layer @ model[:, :2].T + model[:, 2]
    other = layer @ second[:, :2].T + second[:, 2]
    return float(np.median(np.linalg.norm(first - other, axis=1)))


def _phase(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Translation of b relative to a by phase correlation (works on low texture), and its peak response."""
    window = cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F)
    (dx, dy), response = cv2.phaseCorrelate(a.astype(np.float32), b.astype(np.float32), window)
    return float(dx), float(dy), float(response)


def pair_motion(a: np.ndarray, b: np.ndarray, *, start: int = 0, gap: int = 1) -> PairMotion:
    """Fit content motion from luma frame `a` to luma frame `b`, `gap` frames later (values are per frame)."""
    height, width = a.shape
    centre = np.array([(width - 1) / 2, (height - 1) / 2], np.float32)
    p0, p1 = _track(a, b)
    if len(p0) >= MIN_POINTS:
        model, mask = cv2.estimateAffinePartial2D(
            p0 - centre, p1 - centre, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX, refineIters=10
        )
        if model is not None:
            scale = float(np.hypot(model[0, 0], model[1, 0]))
            inlier = mask.ravel().astype(bool) if mask is not None else np.ones(len(p0), bool)
            return PairMotion(
                start=start,
                gap=gap,
                dx=float(model[0, 2]) / gap,
                dy=float(model[1, 2]) / gap,
                log_scale=float(np.log(max(scale, 1e-6))) / gap,
                rotation=float(np.arctan2(model[1, 0], model[0, 0])) / gap,
                parallax=_second_layer(p0[~inlier] - centre, p1[~inlier] - centre, model, len(p0)) / gap,
                points=len(p0),
                inliers=float(mask.mean()) if mask is not None else 0.0,
                method="features",
            )
    dx, dy, response = _phase(a, b)
    return PairMotion(start, gap, dx / gap, dy / gap, 0.0, 0.0, 0.0, len(p0), response, "phase")


def motion_pairs(indices: np.ndarray, fps: float, max_pairs: int = MAX_PAIRS) -> list[tuple[int, int]]:
    """Pairs (i, j) of kept-frame positions about 1/8 s apart, within runs of consecutive frames."""
    step = max(1, round(fps / PAIRS_PER_SECOND))
    pairs: list[tuple[int, int]] = []
    run_start = 0
    for k in range(1, len(indices) + 1):
        if k == len(indices) or indices[k] != indices[k - 1] + 1:
            run = list(range(run_start, k))
            run_step = min(step, max(1, len(run) - 1))
            pairs.extend((i, i + run_step) for i in run[:-run_step:run_step] if len(run) > 1)
            run_start = k
    if len(pairs) > max_pairs:
        keep = np.linspace(0, len(pairs) - 1, max_pairs).round().astype(int)
        pairs = [pairs[i] for i in keep]
    return pairs


def estimate_motion(
    frames: np.ndarray, indices: np.ndarray, fps: float, skip: set[int] | frozenset[int] = frozenset()
) -> list[PairMotion]:
    """Global motion over the clip, on pairs about 1/8 s apart (luma frames, analysis size), avoiding `skip`."""
    return [
        pair_motion(frames[i], frames[j], start=i, gap=int(indices[j] - indices[i]))
        for i, j in motion_pairs(indices, fps)
        if i not in skip and j not in skip
    ]


def frame_transforms(motions: list[PairMotion], indices: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """For each kept frame k, the 2x3 matrix taking a pixel of frame k to where its content is in frame k+1.

    Warp frame k+1 with it and cv2.WARP_INVERSE_MAP to line it up with frame k. Every step takes
    the motion of the nearest measured pair, scaled to the frames between them.
    """
    height, width = shape
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    count = max(0, len(indices) - 1)
    out = np.tile(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), (count, 1, 1))
    usable = [m for m in motions if m.reliable]
    if not usable:
        return out
    centres = np.array([m.start + m.gap / 2 for m in usable])
    for k in range(count):
        nearest = usable[int(np.argmin(np.abs(centres - k - 0.5)))]
        steps = int(indices[k + 1] - indices[k])
        scale = float(np.exp(nearest.log_scale * steps))
        angle = nearest.rotation * steps
        linear = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        shift = np.array([nearest.dx, nearest.dy]) * steps
        out[k, :, :2] = linear
        out[k, :, 2] = shift + centre - linear @ centre
    return out
