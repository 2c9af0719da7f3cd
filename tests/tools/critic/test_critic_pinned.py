"""Heavily compressed footage: weak texture the codec pins in place is no evidence that the camera held still."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tools.critic import critique_clip
from tools.critic.pinned import unpinned
from tools.testing.footage import camera_clip

WALL_SIDE = 768
WALL_GREY = 150


def patch_on_wall(photo: np.ndarray, *, share: float = 0.35, blur: float = 0.0, contrast: float = 1.0) -> np.ndarray:
    """A flat, evenly ramped wall with a square of `photo` in its middle (`contrast`: of the photo about the wall)."""
    ramp = np.linspace(0.92, 1.0, WALL_SIDE)[None, :, None]
    wall = np.full((WALL_SIDE, WALL_SIDE, 3), WALL_GREY, np.float64) * ramp
    side = int(WALL_SIDE * share)
    patch = cv2.resize(photo, (side, side), interpolation=cv2.INTER_AREA).astype(np.float64)
    if blur:
        patch = cv2.GaussianBlur(patch, (0, 0), blur)
    start = (WALL_SIDE - side) // 2
    wall[start : start + side, start : start + side] = WALL_GREY + contrast * (patch - patch.mean())
    return np.clip(wall, 0, 255).astype(np.uint8)


# (photo, blur, contrast): each read static before the codec's pinned points were dropped.
PATCHES = [("camera", 6.0, 0.6), ("camera", 3.0, 0.3), ("coffee", 6.0, 0.3)]


@pytest.mark.parametrize(("name", "blur", "contrast"), PATCHES)
def test_a_soft_patch_panning_over_a_flat_noisy_wall_at_crf_36_reads_the_pan(
    photo, encode, name: str, blur: float, contrast: float
) -> None:
    # The encoder copies the wall's noise blotches from frame to frame: Lucas-Kanade's corners there hold still.
    picture = patch_on_wall(photo(name), blur=blur, contrast=contrast)
    rng = np.random.default_rng(3)
    frames = camera_clip(picture, "pan_left", size=(320, 320), frames=40, fps=16, speed=0.08, noise=8.0, rng=rng)
    critique = critique_clip(encode(frames, f"pinned-{name}-{blur}-{contrast}", fps=16, crf=36))
    assert critique.camera_motion.detected in {"pan_left", "truck_left"}  # a flat picture cannot tell them apart


def test_the_same_wall_under_a_held_camera_reads_static(photo, encode) -> None:
    picture = patch_on_wall(photo("camera"), blur=6.0, contrast=0.6)
    rng = np.random.default_rng(3)
    frames = camera_clip(picture, "static", size=(320, 320), frames=40, fps=16, noise=8.0, rng=rng)
    assert critique_clip(encode(frames, "pinned-static", fps=16, crf=36)).camera_motion.detected == "static"


def test_a_subject_crossing_a_textured_backdrop_at_crf_36_leaves_the_camera_still(photo, encode) -> None:
    # The backdrop's texture changes a lot under the subject's motion: its still points are evidence and stay.
    backdrop = cv2.resize(photo("astronaut"), (320, 240), interpolation=cv2.INTER_AREA)
    subject = cv2.resize(photo("coffee"), (110, 90), interpolation=cv2.INTER_AREA)
    rng = np.random.default_rng(5)
    frames = np.empty((40, 240, 320, 3), np.uint8)
    for t in range(40):
        frame = backdrop.copy()
        left = 10 + 4 * t
        frame[80:170, left : left + 110] = subject[:, : min(110, 320 - left)]
        frames[t] = np.clip(frame + rng.normal(0, 8.0, frame.shape), 0, 255).astype(np.uint8)
    assert critique_clip(encode(frames, "pinned-crossing", fps=16, crf=36)).camera_motion.detected == "static"


def _points(count: int, xs: tuple[float, float], ys: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    return np.c_[rng.uniform(*xs, count), rng.uniform(*ys, count)].astype(np.float32)


def test_still_points_on_flat_ground_are_dropped_and_textured_ones_kept() -> None:
    rng = np.random.default_rng(0)
    image = np.full((128, 256), 120, np.uint8)
    image[:, 128:] = rng.integers(0, 255, (128, 128), dtype=np.uint8)  # the right half is textured
    image[:, :128] += rng.integers(0, 3, (128, 128), dtype=np.uint8)  # the left half: blotches of a grey level
    moving = _points(20, (140, 240), (70, 110), rng)
    flat_still = _points(15, (20, 100), (20, 100), rng)
    textured_still = _points(5, (140, 240), (20, 60), rng)
    p0 = np.vstack([moving, flat_still, textured_still])
    p1 = p0.copy()
    p1[:20, 0] += 3.0  # the textured layer slides 3 px right; the rest holds still
    kept0, kept1, dropped = unpinned(image, p0, p1)
    assert dropped
    assert np.array_equal(kept0, np.vstack([moving, textured_still]))  # the 15 still points on the flat half went
    assert np.array_equal(kept1[:20], p1[:20])


def test_nothing_is_dropped_when_no_layer_moves() -> None:
    rng = np.random.default_rng(1)
    image = np.full((64, 64), 100, np.uint8)
    p0 = _points(30, (5, 59), (5, 59), rng)
    kept0, _, dropped = unpinned(image, p0, p0.copy())
    assert not dropped and len(kept0) == 30
