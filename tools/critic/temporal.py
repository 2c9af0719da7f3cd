"""Frame-to-frame measures: motion-compensated flicker, frozen or duplicated frames, scene cuts."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import cv2
import numpy as np

FLICKER_SIDE = 128  # flicker is measured on frames this size, lightly blurred (sensor noise is not flicker)
FLICKER_TRIM = 0.1  # the share of most-deviating pixels left out of each block's flicker (snowflakes, edges)
FLICKER_BLOCK = 8  # flicker is judged per block of this many pixels square (of the FLICKER_SIDE frame) ...
FLICKER_BLOCKS_QUANTILE = 0.3  # ... at this quantile over blocks: a moving subject's blocks are outvoted
CUT_HIST_BINS = 32
REPEAT_OF_LOCAL = 0.15  # a repeat changes less than this share of its neighbouring pairs' change
REPEAT_OF_TYPICAL = 0.1  # ... and less than this share of the clip's median change
WARP_FLAGS = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP


@dataclass(frozen=True)
class Flicker:
    """VBench's temporal-flickering score, 1 - mean |frame - its aligned neighbours| / 255, and the per-frame terms."""

    score: float
    per_frame: np.ndarray  # mean absolute deviation (0..255) of each measured frame from its aligned neighbours
    brightness_swing: float  # mean |signed brightness deviation|, 0..255: the global part of the flicker
    positions: np.ndarray  # kept-frame positions measured


def _blocks(image: np.ndarray) -> np.ndarray:
    """The image cut into FLICKER_BLOCK-square blocks, one row of pixels (row by row) per block."""
    side = FLICKER_BLOCK
    rows, cols = image.shape[0] // side * side, image.shape[1] // side * side
    cut = image[:rows, :cols].reshape(rows // side, side, cols // side, side).transpose(0, 2, 1, 3)
    return cut.reshape(-1, side * side)


def _spread_deviation(deviation: np.ndarray, whole: np.ndarray) -> float:
    """How far the frame deviates where it deviates evenly: per block, the mean of all but the largest FLICKER_TRIM
    share of |deviation| (a few flakes of snow in a block are left out); over blocks, FLICKER_BLOCKS_QUANTILE's.

    A subject moving on its own leaves its residual where it is, however big (its texture does not average out
    between shifted neighbours): the blocks it covers are outvoted. A strobe or boiling texture is everywhere.
    Only blocks seen whole in both neighbours count (`whole`, per block of `_blocks`).
    """
    if not whole.any():
        return 0.0
    values = _blocks(np.abs(deviation))
    if not whole.all():
        values = values[whole]
    keep = int(FLICKER_BLOCK * FLICKER_BLOCK * (1 - FLICKER_TRIM))
    means = np.partition(values, keep - 1, axis=1)[:, :keep].mean(axis=1)
    rank = int(FLICKER_BLOCKS_QUANTILE * (len(means) - 1))
    return float(np.partition(means, rank)[rank])


def _small(frame: np.ndarray) -> np.ndarray:
    height, width = frame.shape
    scale = min(1.0, FLICKER_SIDE / max(width, height))
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    return cv2.GaussianBlur(small, (5, 5), 1.2)


def _scaled(matrix: np.ndarray, factor: float) -> np.ndarray:
    out = matrix.copy()
    out[:, 2] *= factor
    return out


def _invert(matrix: np.ndarray) -> np.ndarray:
    return cv2.invertAffineTransform(matrix)


def _seen_by_both(
    frame: np.ndarray, forward: np.ndarray, backward: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray] | None:
    """Where both aligned neighbours see the frame, less a margin, and which blocks they see whole; None when
    that is too little to judge by."""
    ones = np.ones_like(frame)
    valid = (cv2.warpAffine(ones, forward, size, flags=WARP_FLAGS) > 0.99) & (
        cv2.warpAffine(ones, backward, size, flags=WARP_FLAGS) > 0.99
    )
    margin = max(2, round(min(size) * 0.04))
    valid[:margin], valid[-margin:], valid[:, :margin], valid[:, -margin:] = False, False, False, False
    if valid.sum() < 0.2 * valid.size:
        return None
    return valid, _blocks(valid).all(axis=1)


def flicker(
    frames: np.ndarray, indices: np.ndarray, transforms: np.ndarray, skip: set[int], cuts: set[int] = frozenset()
) -> Flicker:
    """Compare each frame with the mean of its two neighbours, both aligned onto it by the camera motion.

    A steady move or a gradual change of light cancels out (the neighbours straddle the frame);
    a strobe, a flash or boiling texture does not. Frames in `skip` (black or blown) are left out, and
    so are triplets across a cut (`cuts`: kept positions that start a new shot).
    """
    width = frames.shape[2]
    small = [None] * len(frames)
    factor = 1.0
    seen_whole: dict[tuple[bytes, bytes], tuple[np.ndarray, np.ndarray] | None] = {}
    deviations: list[float] = []
    swings: list[float] = []
    positions: list[int] = []
    for k in range(1, len(frames) - 1):
        if indices[k + 1] - indices[k] != 1 or indices[k] - indices[k - 1] != 1:
            continue
        if {k - 1, k, k + 1} & skip or {k, k + 1} & cuts:
            continue
        for j in (k - 1, k, k + 1):
            if small[j] is None:
                small[j] = _small(frames[j])
        factor = small[k].shape[1] / width
        size = (small[k].shape[1], small[k].shape[0])
        forward = _scaled(transforms[k], factor)
        backward = _scaled(_invert(transforms[k - 1]), factor)
        key = (forward.tobytes(), backward.tobytes())
        if key not in seen_whole:  # a steady move repeats its steps: the same two warps see the same part
            seen_whole[key] = _seen_by_both(small[k], forward, backward, size)
        if (seen := seen_whole[key]) is None:
            continue
        valid, whole = seen
        after = cv2.warpAffine(small[k + 1], forward, size, flags=WARP_FLAGS)
        before = cv2.warpAffine(small[k - 1], backward, size, flags=WARP_FLAGS)
        full = small[k] - (before + after) / 2
        signed = abs(float(full[valid].mean()))
        # A strobe shifts the whole frame one way: its signed mean keeps it whole, whatever the trim leaves out.
        deviations.append(max(_spread_deviation(full, whole), signed))
        swings.append(signed)
        positions.append(k)
    per_frame = np.asarray(deviations)
    score = 1.0 - float(per_frame.mean()) / 255 if len(per_frame) else 1.0
    swing = float(np.mean(swings)) if swings else 0.0
    return Flicker(score=score, per_frame=per_frame, brightness_swing=swing, positions=np.asarray(positions, int))


def frame_differences(frames: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean absolute difference (0..255) between each pair of consecutive kept frames, and the pairs' positions."""
    consecutive = np.nonzero(np.diff(indices) == 1)[0]
    size = frames[0].size
    # The exact sum of whole grey levels over the count: numpy's mean, bit for bit, at a fraction of its cost.
    diffs = np.array(
        [cv2.sumElems(cv2.absdiff(frames[k], frames[k + 1]))[0] / size for k in consecutive], dtype=np.float64
    ).reshape(-1)
    return diffs, consecutive


def duplicated(
    diffs: np.ndarray, positions: np.ndarray, skip: set[int], frames: np.ndarray | None = None
) -> tuple[list[int], float]:
    """Kept-frame positions that repeat the frame before while the frames around them move; and the median change.

    A still shot repeats itself by nature, so only a repeat amid change counts (judged against the
    neighbouring pairs, so a cut from a fast shot to a slow one is not read as a stall). A repeat is a
    near-exact duplicate: under 15 % of the neighbouring pairs' change AND under 10 % of the clip's own
    typical change, so a move that slows smoothly (a walker's bob turning, a handheld wobble reversing)
    is not a stall; its frames differ a little, consistently with the rest of the clip.
    """
    usable = np.array([k not in skip and k + 1 not in skip for k in positions], dtype=bool)
    if not usable.any():
        return [], 0.0
    typical = float(np.median(diffs[usable]))
    change, fit = diffs.tolist(), usable.tolist()
    repeats: list[int] = []
    for n, k in enumerate(positions):
        if not fit[n]:
            continue
        around = [change[u] for u in range(max(0, n - 4), min(len(change), n + 5)) if u != n and fit[u]]
        local = statistics.median(around) if around else typical  # numpy's median, without its overhead
        still = local >= 0.5 and change[n] < REPEAT_OF_LOCAL * local and change[n] < REPEAT_OF_TYPICAL * typical
        if still and (frames is None or not _turns_back(frames, diffs, positions, n)):
            repeats.append(int(k) + 1)
    return repeats, typical


def _turns_back(frames: np.ndarray, diffs: np.ndarray, positions: np.ndarray, n: int) -> bool:
    """True when the repeat at pair `n` is a motion turning back: the frames either side of the pair are
    closer to each other than to their neighbours (a swing, a gallop or a bob sampled about its turn: the
    frame before and the frame after mirror each other). A stall in a motion that goes on leaves them a step
    or more further apart than either neighbouring step."""
    k = int(positions[n])
    if n == 0 or n + 1 >= len(positions) or positions[n - 1] != k - 1 or positions[n + 1] != k + 1:
        return False
    outer = float(cv2.absdiff(frames[k - 1], frames[k + 2]).mean())
    return outer < min(float(diffs[n - 1]), float(diffs[n + 1]))


def _histogram(thumb: np.ndarray) -> np.ndarray:
    hist = cv2.calcHist([thumb], [0], None, [CUT_HIST_BINS], [0, 256])
    return cv2.normalize(hist, hist, 1.0, 0.0, cv2.NORM_L1)


def scene_cuts(thumbs: np.ndarray, skip: set[int]) -> list[int]:
    """Source frame indices where a new shot starts: a jump in both picture and histogram far above its neighbours."""
    if len(thumbs) < 3:
        return []
    small = thumbs.astype(np.int16)
    mad = np.abs(np.diff(small, axis=0)).mean(axis=(1, 2))
    hists = [_histogram(t) for t in thumbs]
    hist_d = np.array(
        [cv2.compareHist(hists[t], hists[t + 1], cv2.HISTCMP_BHATTACHARYYA) for t in range(len(thumbs) - 1)]
    )
    mad_list, hist_list = mad.tolist(), hist_d.tolist()
    cuts: list[int] = []
    for t in range(len(mad_list)):
        if t in skip or t + 1 in skip or mad_list[t] <= 12.0:  # no jump in the picture: no cut
            continue
        around = [
            u for u in range(max(0, t - 4), min(len(mad_list), t + 5)) if u != t and u not in skip and u + 1 not in skip
        ]
        local_mad = statistics.median([mad_list[u] for u in around]) if around else 0.0
        local_hist = statistics.median([hist_list[u] for u in around]) if around else 0.0
        picture_jump = mad_list[t] > max(12.0, 3.0 * local_mad)
        palette_jump = hist_list[t] > max(0.15, 3.0 * local_hist)
        if picture_jump and (palette_jump or mad_list[t] > 6.0 * local_mad):
            cuts.append(t + 1)
    return cuts
