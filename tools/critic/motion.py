"""Global camera motion between frames: tracked features, a robust similarity fit, and residual parallax."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from tools.critic.pinned import PINNED_GREY, unpinned

MAX_CORNERS = 160
BORDER = 0.18  # share of the longer side that counts as the frame's border band
LAYER_SHARE = 0.15  # a second motion needs this share of the points to count as a layer
GRID_CELLS = 8  # across the longer side
PER_CELL = 4
MIN_POINTS = 8  # fewer reliable points than this and the fit falls back to phase correlation
FB_TOLERANCE_PX = 0.6  # forward-backward disagreement allowed for a tracked point
RANSAC_PX = 0.6
LK_PARAMS = {
    "winSize": (11, 11),
    "maxLevel": 3,
    "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 10, 0.03),
}
PAIRS_PER_SECOND = 8  # VBench samples about 8 frames a second; motion is measured on pairs that far apart
MAX_PAIRS = 24
LONG_PAIRS_PER_SECOND = 2  # the second look at a clip that read as static: pairs about 1/2 s apart
LONG_MAX_PAIRS = 10
DARK_MEAN = 70  # a frame darker than this on average, or ...
FLAT_STD = 24  # ... with less contrast than this, is tracked after local contrast equalisation (CLAHE)
CLAHE_CLIP = 3.0
CLAHE_TILES = 4
# Which motion is the camera's, when the points leave it open (a subject filling much of the frame, moving
# steadily): the border band's textured pixels vote for the model that lines them up better.
BAND_EDGE = 8.0  # a pixel votes when its gradient (|Sobel x| + |Sobel y|, grey levels) exceeds this ...
BAND_TIE = 2  # ... and the two models' errors there differ by more than this (grey levels)
BAND_TELLING = 0.03  # at least this share of the band must vote
BAND_VOTE = 0.65  # the winner takes at least this share of the votes
DRIFT_CORNERS = 60  # corners of the border band tracked to measure a held camera's residual slide ...
DRIFT_MIN_POINTS = 5  # ... of which at least this many must hold to the background
STILL = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])  # the model of a camera that did not move


@dataclass(frozen=True)
class PairMotion:
    """How content moved from one frame to a later one, per frame of the gap, about the frame centre.

    dx, dy: content displacement in pixels of analysis size (positive: content slides right / down);
    log_scale: content growth (positive: expands, as in a zoom in); rotation in radians;
    parallax: how far a second coherent layer moves from the camera's, in pixels (0 on a flat scene);
    inliers: the share of tracked points the camera's model explains.
    """

    start: int  # position in the clip's kept frames
    gap: int  # source frames between the two
    dx: float
    dy: float
    log_scale: float
    rotation: float
    parallax: float
    layer_dx: float  # translation of the second layer, when there is one (else 0)
    layer_dy: float
    layer_log_scale: float
    points: int  # reliable tracked points
    inliers: float  # fraction of them the model explains
    method: str  # "features", "phase" or "none"
    anchored: bool = False  # the frame's border held still while the tracked points moved: the camera did not
    band_share: float | None = None  # share of the border band that follows this model rather than the layer's
    border_lead: int = 0  # border cells this model's points reach beyond the layer's

    @property
    def reliable(self) -> bool:
        return self.method == "features" or (self.method == "phase" and self.inliers > 0.1)


def _corners(a: np.ndarray) -> np.ndarray | None:
    """Corners spread over the frame: at most a few per grid cell, so a big textured subject does not
    outvote the scene around it (the camera moves the whole frame; a subject moves part of it)."""
    height, width = a.shape
    points = cv2.goodFeaturesToTrack(a, MAX_CORNERS * 3, 0.01, max(3, min(height, width) // 40), blockSize=7)
    if points is None:
        return None
    cell = max(height, width) / GRID_CELLS
    cells = (points[:, 0, 0] // cell).astype(int) * 1000 + (points[:, 0, 1] // cell).astype(int)
    order = np.argsort(cells, kind="stable")  # corners come strongest first; keep that order per cell
    ordered = cells[order]
    starts = np.r_[0, np.nonzero(np.diff(ordered))[0] + 1]
    rank = np.empty(len(points), int)
    rank[order] = np.arange(len(points)) - np.repeat(starts, np.diff(np.r_[starts, len(points)]))
    return points[rank < PER_CELL]


def _matched(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """`b` with the brightness and contrast of `a`, so a flash or a strobe does not look like motion."""
    mean_a, std_a = cv2.meanStdDev(a)
    mean_b, std_b = cv2.meanStdDev(b)
    gain = float(std_a[0, 0]) / max(float(std_b[0, 0]), 1e-3)
    if abs(gain - 1) < 0.02 and abs(float(mean_a[0, 0] - mean_b[0, 0])) < 1:
        return b
    return cv2.convertScaleAbs(b, alpha=gain, beta=float(mean_a[0, 0]) - gain * float(mean_b[0, 0]))


def _equalised(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both frames with local contrast equalised when `a` is dark or flat (night), else as they are.

    A night scene keeps its texture in a few grey levels, while stars, lamps and captions hold the
    strongest corners: without this, the corner threshold (relative to the strongest) drops the
    dim ground, and the only points left are ones a camera move does not shift.
    """
    mean, std = cv2.meanStdDev(a)
    if float(mean[0, 0]) >= DARK_MEAN and float(std[0, 0]) >= FLAT_STD:
        return a, b
    clahe = cv2.createCLAHE(clipLimit=CLAHE_CLIP, tileGridSize=(CLAHE_TILES, CLAHE_TILES))
    return clahe.apply(a), clahe.apply(b)


def _track(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corner points of `a` and where they are in `b`, keeping only those that track back to themselves."""
    points = _corners(a)
    if points is None or len(points) < MIN_POINTS:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    return track_both_ways(a, b, points)


def track_both_ways(a: np.ndarray, b: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`points` of `a` and where Lucas-Kanade finds them in `b`, keeping those that track back to themselves."""
    moved, status, _ = cv2.calcOpticalFlowPyrLK(a, b, points, None, **LK_PARAMS)
    back, status_back, _ = cv2.calcOpticalFlowPyrLK(b, a, moved, None, **LK_PARAMS)
    error = np.linalg.norm((back - points).reshape(-1, 2), axis=1)
    ok = (status.ravel() == 1) & (status_back.ravel() == 1) & (error < FB_TOLERANCE_PX)
    return points.reshape(-1, 2)[ok], moved.reshape(-1, 2)[ok]


def _fit(q0: np.ndarray, q1: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A similarity model q0 -> q1 by RANSAC, and its inlier mask; None when it cannot be fitted."""
    model, mask = cv2.estimateAffinePartial2D(
        q0, q1, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX, refineIters=10
    )
    if model is None or mask is None:
        return None
    return model, mask.ravel().astype(bool)


def _border_cells(points: np.ndarray, width: int, height: int) -> int:
    """How many grid cells along the frame's border these points occupy (the scene reaches the border;
    a subject mostly does not)."""
    band = BORDER * max(width, height)
    centred = np.abs(points)
    near = (centred[:, 0] > width / 2 - band) | (centred[:, 1] > height / 2 - band)
    cell = max(width, height) / GRID_CELLS
    cells = {(int(x // cell), int(y // cell)) for x, y in points[near]}
    return len(cells)


@functools.lru_cache(maxsize=8)
def _band(height: int, width: int) -> np.ndarray:
    """The frame's border band (BORDER of the shorter side deep) as a mask (shared: never write to it)."""
    depth = max(2, round(BORDER * min(height, width)))
    mask = np.ones((height, width), bool)
    mask[depth:-depth, depth:-depth] = False
    mask.flags.writeable = False
    return mask


def _moves(model: np.ndarray) -> bool:
    """True when the model moves some point of the frame by more than a tracking error."""
    return bool(np.abs(model[:, 2]).max() > RANSAC_PX or abs(np.hypot(model[0, 0], model[1, 0]) - 1) > 0.005)


class _BandView:
    """A pair's frames as the border band sees them; what it works out once (the band's textured pixels,
    the second frame moved back by a model) is kept for the pair's next question."""

    def __init__(self, a: np.ndarray, b: np.ndarray, tie: float = BAND_TIE) -> None:
        self.a, self.b, self.tie = a, b, tie
        height, width = a.shape
        self.band = _band(height, width)
        self._textured: np.ndarray | None = None
        self._moved: dict[bytes, tuple[np.ndarray, np.ndarray | None]] = {}

    @property
    def textured(self) -> np.ndarray:
        """The band's pixels with an edge strong enough to vote."""
        if self._textured is None:
            a = self.a
            gradient = np.abs(cv2.Sobel(a, cv2.CV_32F, 1, 0, ksize=3)) + np.abs(cv2.Sobel(a, cv2.CV_32F, 0, 1, ksize=3))
            self._textured = self.band & (gradient > BAND_EDGE)
        return self._textured

    def moved_back(self, model: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """`b` moved back onto `a` by `model` (centred coordinates), and where it is seen (None: everywhere)."""
        key = model.tobytes()
        if key not in self._moved:
            self._moved[key] = (self.b, None) if np.array_equal(model, STILL) else _moved_back(self.b, model)
        return self._moved[key]


def _moved_back(b: np.ndarray, model: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`b` moved back onto the first frame by `model` (centred coordinates), and where it is seen."""
    height, width = b.shape
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    pixel_model = model.copy()
    pixel_model[:, 2] += centre - model[:, :2] @ centre
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    seen = cv2.warpAffine(np.full_like(b, 255), pixel_model, (width, height), flags=flags) == 255
    return cv2.warpAffine(b, pixel_model, (width, height), flags=flags), seen


def _band_share(view: _BandView, model: np.ndarray, rival: np.ndarray) -> float | None:
    """The share of the border band's telling pixels that line up better under `model` than under `rival`.

    The border is mostly the background's: a subject that reaches into it outvotes it only where it is.
    A band with too few textured pixels that tell the two apart says nothing (None).
    """
    mine, seen = view.moved_back(model)
    theirs, seen_too = view.moved_back(rival)
    error, rival_error = cv2.absdiff(view.a, mine).astype(np.int16), cv2.absdiff(view.a, theirs).astype(np.int16)
    telling = view.textured & (np.abs(error - rival_error) > view.tie)
    for where in (seen, seen_too):
        if where is not None:
            telling &= where
    if telling.sum() < BAND_TELLING * view.band.sum():
        return None
    return float(np.mean(error[telling] < rival_error[telling]))


def _band_prefers(view: _BandView, model: np.ndarray, rival: np.ndarray) -> bool:
    """True when most textured pixels of the border band line up better under `model` than under `rival`."""
    share = _band_share(view, model, rival)
    return share is not None and share >= BAND_VOTE


def _drift(a: np.ndarray, b: np.ndarray, model: np.ndarray) -> np.ndarray:
    """A held camera's residual slide: the median motion of the border band's corners the moving layer leaves out.

    A truck past a near subject before a far background moves the background a fraction of a pixel the same
    way the subject goes; a locked-off camera leaves it where it was. Corners that follow the moving layer, or
    move more than half as far as it does, are other subjects and say nothing.
    """
    height, width = a.shape
    still = STILL.copy()
    mask = _band(height, width).astype(np.uint8) * 255
    points = cv2.goodFeaturesToTrack(a, DRIFT_CORNERS, 0.001, max(3, min(height, width) // 40), mask=mask)
    if points is None or len(points) < DRIFT_MIN_POINTS:
        return still
    moved, status, _ = cv2.calcOpticalFlowPyrLK(a, b, points, None, **LK_PARAMS)
    back, status_back, _ = cv2.calcOpticalFlowPyrLK(b, a, moved, None, **LK_PARAMS)
    error = np.linalg.norm((back - points).reshape(-1, 2), axis=1)
    ok = (status.ravel() == 1) & (status_back.ravel() == 1) & (error < FB_TOLERANCE_PX)
    centre = np.array([(width - 1) / 2, (height - 1) / 2], np.float32)
    p0, p1 = points.reshape(-1, 2)[ok] - centre, moved.reshape(-1, 2)[ok] - centre
    followed = p0 @ model[:, :2].T + model[:, 2]
    reach = float(np.median(np.linalg.norm(followed - p0, axis=1))) if len(p0) else 0.0
    flow = p1 - p0
    calm = (np.linalg.norm(followed - p1, axis=1) > RANSAC_PX) & (np.linalg.norm(flow, axis=1) < 0.5 * reach)
    if calm.sum() < DRIFT_MIN_POINTS:
        return still
    still[:, 2] = np.median(flow[calm], axis=0)
    return still


def _phase(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Translation of b relative to a by phase correlation (works on low texture), and its peak response."""
    window = cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F)
    (dx, dy), response = cv2.phaseCorrelate(a.astype(np.float32), b.astype(np.float32), window)
    return float(dx), float(dy), float(response)


def pair_motion(a: np.ndarray, b: np.ndarray, *, start: int = 0, gap: int = 1) -> PairMotion:
    """Fit content motion from luma frame `a` to luma frame `b`, `gap` frames later (values are per frame).

    The largest coherent motion is fitted first, then a second one among the points it leaves out;
    of the two, the camera's is the one that reaches more of the frame's border.
    """
    height, width = a.shape
    centre = np.array([(width - 1) / 2, (height - 1) / 2], np.float32)
    matched = _matched(b, a)
    seen_a, seen_b = _equalised(a, matched)
    p0, p1, pinned = unpinned(a, *_track(seen_a, seen_b))
    p0, p1 = p0 - centre, p1 - centre
    main = _fit(p0, p1) if len(p0) >= MIN_POINTS else None
    if main is None:
        dx, dy, response = _phase(a, b)
        return PairMotion(start, gap, dx / gap, dy / gap, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, len(p0), response, "phase")
    model, inlier = main
    other, other_points, layer_inliers = None, np.zeros((0, 2), np.float32), 0
    camera_points = p0[inlier]
    rest = ~inlier
    if rest.sum() >= max(MIN_POINTS, LAYER_SHARE * len(p0)):
        second = _fit(p0[rest], p1[rest])
        if second is not None and second[1].sum() >= max(MIN_POINTS, LAYER_SHARE * len(p0)):
            other, other_points = second[0], p0[rest][second[1]]
            layer_inliers = int(second[1].sum())
            if _border_cells(other_points, width, height) > _border_cells(camera_points, width, height):
                model, other, other_points, camera_points = other, model, camera_points, other_points
                layer_inliers = int(inlier.sum())
    # The border band, the background's, settles which motion is the camera's: the one it follows clearly
    # better than the other layer's, or none (a locked-off camera) when it holds still better than it follows
    # the only motion found. What else moved is a subject, however large or steady (a walker crossing).
    view = _BandView(a, matched, PINNED_GREY if pinned else BAND_TIE)
    anchored, band_share = False, None
    if other is not None and (_moves(model) or _moves(other)):
        band_share = _band_share(view, model, other)
        if band_share is not None and 1 - band_share >= BAND_VOTE:
            model, other, other_points, camera_points = other, model, camera_points, other_points
            layer_inliers, anchored, band_share = len(other_points), True, 1 - band_share
        else:
            anchored = band_share is not None and band_share >= BAND_VOTE
    if not anchored and _moves(model) and _band_prefers(view, STILL, model):
        other, other_points, model = model, camera_points, _drift(seen_a, seen_b, model)
        layer_inliers, anchored, band_share = len(camera_points), True, 1.0
    parallax, layer_dx, layer_dy, layer_scale = 0.0, 0.0, 0.0, 1.0
    if other is not None:
        mine = other_points @ model[:, :2].T + model[:, 2]
        theirs = other_points @ other[:, :2].T + other[:, 2]
        parallax = float(np.median(np.linalg.norm(mine - theirs, axis=1)))
        layer_dx, layer_dy = float(other[0, 2]), float(other[1, 2])
        layer_scale = float(np.hypot(other[0, 0], other[1, 0]))
    scale = float(np.hypot(model[0, 0], model[1, 0]))
    explained = len(p0) - (layer_inliers if other is not None else 0)
    return PairMotion(
        start=start,
        gap=gap,
        dx=float(model[0, 2]) / gap,
        dy=float(model[1, 2]) / gap,
        log_scale=float(np.log(max(scale, 1e-6))) / gap,
        rotation=float(np.arctan2(model[1, 0], model[0, 0])) / gap,
        parallax=parallax / gap,
        layer_dx=layer_dx / gap,
        layer_dy=layer_dy / gap,
        layer_log_scale=float(np.log(max(layer_scale, 1e-6))) / gap,
        points=len(p0),
        inliers=explained / len(p0),
        method="features",
        anchored=anchored,
        band_share=band_share,
        border_lead=_border_cells(camera_points, width, height) - _border_cells(other_points, width, height)
        if other is not None
        else 0,
    )


def motion_pairs(
    indices: np.ndarray,
    fps: float,
    max_pairs: int = MAX_PAIRS,
    per_second: float = PAIRS_PER_SECOND,
    overlap: int = 1,
) -> list[tuple[int, int]]:
    """Pairs (i, j) of kept-frame positions about 1/`per_second` s apart, within runs of consecutive frames;
    with `overlap` > 1, a new pair starts that many times per pair length."""
    step = max(1, round(fps / per_second))
    pairs: list[tuple[int, int]] = []
    run_start = 0
    for k in range(1, len(indices) + 1):
        if k == len(indices) or indices[k] != indices[k - 1] + 1:
            run = list(range(run_start, k))
            run_step = min(step, max(1, len(run) - 1))
            stride = max(1, run_step // overlap)
            pairs.extend((i, i + run_step) for i in run[:-run_step:stride] if len(run) > 1)
            run_start = k
    if len(pairs) > max_pairs:
        keep = np.linspace(0, len(pairs) - 1, max_pairs).round().astype(int)
        pairs = [pairs[i] for i in keep]
    return pairs


def estimate_motion(
    frames: np.ndarray,
    indices: np.ndarray,
    fps: float,
    skip: set[int] | frozenset[int] = frozenset(),
    *,
    per_second: float = PAIRS_PER_SECOND,
    max_pairs: int = MAX_PAIRS,
    overlap: int = 1,
) -> list[PairMotion]:
    """Global motion over the clip, on pairs about 1/`per_second` s apart (luma frames, analysis size),
    avoiding `skip`. Slow moves are measured again on longer pairs (LONG_PAIRS_PER_SECOND): over 1/8 s
    a slow dolly moves the subject by a fraction of a pixel, too little to separate it from the far
    layers that hardly move."""
    return [
        pair_motion(frames[i], frames[j], start=i, gap=int(indices[j] - indices[i]))
        for i, j in motion_pairs(indices, fps, max_pairs, per_second, overlap)
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
