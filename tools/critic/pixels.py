"""Per-frame measures: black or blown-out frames, relative sharpness, and VBench's amount of motion."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import cv2
import numpy as np

BLACK_P99 = 24  # a frame whose brightest 1 % is darker than this shows nothing (a night shot has some light)
BLOWN_P1 = 235  # a frame whose darkest 1 % is brighter than this is blown out
SHARPNESS_WINDOW = 8  # frames each side a frame's sharpness is compared with
DYNAMIC_PX_AT_256 = 6.0  # VBench: top-5 % flow of 6 px at a 256 px short side counts as moving
DYNAMIC_PAIRS = 16  # frame pairs measured for the amount of motion


def exposure(thumbs: np.ndarray) -> tuple[list[int], list[int]]:
    """Source indices of black frames and of blown-out frames."""
    flat = thumbs.reshape(len(thumbs), -1)
    p1, p99 = np.percentile(flat, [1, 99], axis=1)  # one partition for both
    return [int(i) for i in np.nonzero(p99 < BLACK_P99)[0]], [int(i) for i in np.nonzero(p1 > BLOWN_P1)[0]]


def laplacian_variance(frame: np.ndarray) -> float:
    _, std = cv2.meanStdDev(cv2.Laplacian(frame, cv2.CV_16S, ksize=3))
    return float(std[0, 0]) ** 2


@dataclass(frozen=True)
class Sharpness:
    """Laplacian variance of each kept frame and its ratio to the median of its neighbours."""

    variance: np.ndarray
    ratio: np.ndarray  # 1.0 for a frame as sharp as those around it
    positions: np.ndarray


def sharpness(frames: np.ndarray, skip: set[int], shots: np.ndarray | None = None) -> Sharpness:
    """Relative sharpness: a frame much blurrier than its neighbours stands out; a slow focus pull does not.

    `shots` numbers the shot each frame belongs to (after a cut, neighbours of another shot don't count).
    """
    positions = np.array([k for k in range(len(frames)) if k not in skip], dtype=int)
    values = [laplacian_variance(frames[k]) for k in positions]
    shot = (shots[positions] if shots is not None else np.zeros(len(positions), int)).tolist()
    ratio = np.ones(len(positions))
    for n in range(len(positions)):
        lo, hi = max(0, n - SHARPNESS_WINDOW), min(len(positions), n + SHARPNESS_WINDOW + 1)
        around = [values[u] for u in range(lo, hi) if u != n and shot[u] == shot[n]]
        if around:  # statistics.median: the same value as numpy's, without its overhead on a few numbers
            ratio[n] = values[n] / max(statistics.median(around), 1e-6)
    variance = np.array(values)
    return Sharpness(variance=variance, ratio=ratio, positions=positions)


@dataclass(frozen=True)
class Dynamics:
    """VBench's dynamic degree (share of frame pairs that move) and the motion level against its threshold."""

    degree: float  # fraction of pairs whose top-5 % flow exceeds the threshold
    level: float  # median top-5 % flow magnitude / threshold
    threshold_px: float


def dynamics(frames: np.ndarray, pairs: list[tuple[int, int]], skip: set[int]) -> Dynamics:
    """Dense flow (DIS) on frame pairs about 1/8 s apart; the mean of each pair's top-5 % magnitudes."""
    height, width = frames.shape[1:]
    threshold = DYNAMIC_PX_AT_256 * min(height, width) / 256
    flow_engine = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
    if len(pairs) > DYNAMIC_PAIRS:
        pairs = [pairs[k] for k in np.linspace(0, len(pairs) - 1, DYNAMIC_PAIRS).round().astype(int)]
    tops: list[float] = []
    for i, j in pairs:
        if i in skip or j in skip:
            continue
        flow = flow_engine.calc(frames[i], frames[j], None)
        magnitude = np.sqrt(flow[..., 0] ** 2 + flow[..., 1] ** 2).ravel()
        cut = max(1, magnitude.size // 20)
        tops.append(float(np.partition(magnitude, -cut)[-cut:].mean()))
    if not tops:
        return Dynamics(0.0, 0.0, threshold)
    values = np.asarray(tops)
    return Dynamics(float((values > threshold).mean()), float(np.median(values) / threshold), threshold)
