"""Points the codec pinned in place: weak texture that a heavily compressed clip keeps still while the picture moves.

At high compression (CRF 36, noise) an encoder spends no bits on a flat wall or a smooth sky: it copies the same
blocks from frame to frame (skip blocks), and the noise blotches and block edges there hold still whatever the
camera does. Lucas-Kanade finds corners on them, and they outvote the real texture that moves. Such a point is
no evidence of a held camera: had it followed the moving layer, its patch would have changed by less than the
codec's error. A still point is dropped when its patch changes that little under the moving layer's motion while
the moving layer's own patches change several times as much (a textured background held still by a locked-off
camera changes a lot under a subject's motion, and stays).
"""

from __future__ import annotations

import cv2
import numpy as np

PINNED_PX = 0.6  # a point that moved less than this over the pair is still (the fit's tolerance) ...
MOVED_PX = 1.5  # ... and one that moved more than this is moving
MIN_MOVING = 8  # the moving layer needs this many points to be one
PATCH_HALF = 4  # patches of 9 x 9 pixels about each point (the tracker's window at analysis size)
# A still point is pinned when its patch, moved the moving layer's way, changes by less than this (mean grey
# levels of the frame as decoded: an encoder at CRF 36 leaves errors of a few levels on flat areas) ...
PINNED_GREY = 4.0
PINNED_OF_MOVING = 0.3  # ... and less than this share of the moving layer's typical change under its own motion
MIN_SUPPORT = 0.5  # drop nothing unless the pinned points are at least this share of the still ones


def _change(image: np.ndarray, points: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Mean absolute change of each point's patch when the patch is moved by its shift (bilinear, grey levels)."""
    offsets = np.arange(-PATCH_HALF, PATCH_HALF + 1, dtype=np.float32)
    grid_x, grid_y = np.meshgrid(offsets, offsets)
    points, shifts = points.astype(np.float32), shifts.astype(np.float32)
    xs = points[:, 0, None, None] + grid_x  # (n, 9, 9)
    ys = points[:, 1, None, None] + grid_y
    flat = image.astype(np.float32)
    size = 2 * PATCH_HALF + 1
    here = cv2.remap(flat, xs.reshape(-1, size), ys.reshape(-1, size), cv2.INTER_LINEAR, cv2.BORDER_REPLICATE)
    there = cv2.remap(
        flat,
        (xs + shifts[:, 0, None, None]).reshape(-1, size),
        (ys + shifts[:, 1, None, None]).reshape(-1, size),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.abs(here - there).reshape(len(points), -1).mean(axis=1)


def unpinned(image: np.ndarray, p0: np.ndarray, p1: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """The tracked points (pixel coordinates of `image`, the pair's first frame) without those the codec pinned,
    and whether any were dropped."""
    shift = p1 - p0
    distance = np.hypot(shift[:, 0], shift[:, 1])
    still, moving = distance < PINNED_PX, distance > MOVED_PX
    if moving.sum() < MIN_MOVING or not still.any():
        return p0, p1, False
    fitted = cv2.estimateAffinePartial2D(p0[moving], p1[moving], method=cv2.RANSAC, ransacReprojThreshold=1.0)[0]
    if fitted is None:
        return p0, p1, False
    follows = p0 @ fitted[:, :2].T + fitted[:, 2] - p0  # where each point would have gone with the moving layer
    change_still = _change(image, p0[still], follows[still])
    change_moving = _change(image, p0[moving], shift[moving])
    ceiling = min(PINNED_GREY, PINNED_OF_MOVING * float(np.median(change_moving)))
    pinned = np.zeros(len(p0), bool)
    pinned[np.flatnonzero(still)[change_still < ceiling]] = True
    if pinned.sum() < MIN_SUPPORT * still.sum():
        return p0, p1, False
    return p0[~pinned], p1[~pinned], True
