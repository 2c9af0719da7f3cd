"""Handheld or held: the camera's residual motion about its steady move, by amplitude and spectrum."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from generator.vocabulary import SLIDE_RATES
from tools.critic import critique_clip
from tools.critic.motion import PairMotion
from tools.critic.shake import CERTAIN_AMPLITUDE, NOISE_FLOOR, WANDER, read_shake
from tools.testing.footage import write_clip
from tools.testing.scenes import Shot
from tools.testing.staging import Mover, staged_clip

cv2.setNumThreads(1)


def _photo(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image[..., :3]


def _staged(shot: Shot, seed: int, movers: list[Mover] | None = None) -> np.ndarray:
    """`shot` over a photograph a little way behind the subject's plane, with `movers` crossing it."""
    cutouts = [_photo(data.coffee()), _photo(data.chelsea())]
    rng = np.random.default_rng(seed)
    backdrop = _photo(data.astronaut())
    return staged_clip(shot, backdrop, cutouts, rng, movers=movers or [], middle=False, backdrop_zs=20.0)


@pytest.mark.parametrize(("shake", "seed"), [(0.003, 1), (0.004, 2), (0.008, 1), (0.016, 2)])
def test_a_hand_held_camera_reads_handheld_at_small_and_large_wobbles(tmp_path, shake, seed) -> None:
    # A hand sways a few hertz, band-limited (tools/testing/scenes.py). Previz's slow handheld wobbles 0.004 of the
    # frame's longer side: about a pixel at the analysis size, too slow for the single speed threshold (read static).
    shot = Shot("handheld", 0.0, (320, 240), 16, 3.0, shake=shake, seed=seed)
    critique = critique_clip(write_clip(_staged(shot, seed), tmp_path / "hand.mp4", fps=shot.fps, crf=23))
    assert critique.camera_motion.detected == "handheld", critique.camera_motion


@pytest.mark.parametrize("seed", [1, 2])
def test_a_locked_off_camera_under_noise_and_compression_with_a_subject_crossing_reads_static(tmp_path, seed) -> None:
    # Sensor noise the encoder half keeps, and a subject crossing: the background holds still within the floor.
    shot = Shot("static", 0.0, (320, 240), 16, 3.0, seed=seed)
    frames = _staged(shot, seed, [Mover("cross", 0.3, 0.3)])
    noisy = np.clip(frames + np.random.default_rng(seed).normal(0, 6.0, frames.shape), 0, 255).astype(np.uint8)
    critique = critique_clip(write_clip(noisy, tmp_path / "locked.mp4", fps=shot.fps, crf=32))
    assert critique.camera_motion.detected == "static", critique.camera_motion


@pytest.mark.parametrize(("move", "shake"), [("pan_left", 0.002), ("pan_right", 0.003)])
def test_a_steady_slow_pan_with_a_little_shake_reads_the_pan(tmp_path, move, shake) -> None:
    shot = Shot(move, SLIDE_RATES["slow"], (320, 240), 16, 3.0, shake=shake, seed=1)
    critique = critique_clip(write_clip(_staged(shot, 1), tmp_path / "pan.mp4", fps=shot.fps, crf=23))
    assert critique.camera_motion.detected == move, critique.camera_motion


def _pairs(dx: np.ndarray, dy: np.ndarray, gap: int = 2) -> list[PairMotion]:
    return [
        PairMotion(k * gap, gap, float(x), float(y), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100, 1.0, "features")
        for k, (x, y) in enumerate(zip(dx, dy, strict=True))
    ]


def test_jitter_about_a_fixed_place_is_not_a_hand_and_the_same_steps_swaying_are() -> None:
    # A held camera's measured position jitters about where it is: each pair undoes the one before. The same
    # amplitude, above the floor but under a certain shake, carried on for a while is a hand's sway.
    side = 256
    a = 3 * NOISE_FLOOR * side / 2  # per frame, over two-frame pairs
    signs = np.where(np.arange(24) % 2 == 0, 1.0, -1.0)
    jitter = read_shake(_pairs(a * signs, -0.7 * a * signs), side)
    t = np.arange(24) / 8
    sway = read_shake(_pairs(a * np.sin(2 * np.pi * 0.9 * t), 0.7 * a * np.cos(2 * np.pi * 1.3 * t)), side)
    assert 2 * NOISE_FLOOR < jitter.amplitude < CERTAIN_AMPLITUDE and sway.amplitude > 2 * NOISE_FLOOR
    assert jitter.wander < WANDER and not jitter.handheld
    assert sway.wander > 1 and sway.handheld


def test_wander_tells_jitter_from_a_random_walk_from_a_sway() -> None:
    rng = np.random.default_rng(0)
    side = 256
    white, walk, sway = [], [], []
    for _ in range(40):
        position = rng.normal(0, 1.0, (25, 2))
        white.append(read_shake(_pairs(*np.diff(position, axis=0).T), side).wander)
        steps = rng.normal(0, 1.0, (24, 2))
        walk.append(read_shake(_pairs(*steps.T), side).wander)
        smooth = np.stack([np.convolve(rng.standard_normal(26), np.ones(3), "valid") for _ in range(2)], axis=1)
        sway.append(read_shake(_pairs(*smooth.T), side).wander)
    assert np.median(white) < 0.45 < np.median(walk) < 1.3 < np.median(sway), (white, walk, sway)


def test_a_wandering_wobble_on_both_axes_is_a_hand_and_on_one_axis_is_not() -> None:
    side = 256
    t = np.arange(24) / 8
    sway_x = 0.006 * side * np.sin(2 * np.pi * 1.1 * t + 0.4)
    sway_y = 0.004 * side * np.sin(2 * np.pi * 0.7 * t + 1.3)
    both = read_shake(_pairs(np.diff(sway_x, prepend=0) / 2, np.diff(sway_y, prepend=0) / 2), side)
    one = read_shake(_pairs(np.diff(sway_x, prepend=0) / 2, np.zeros(24)), side)
    assert both.handheld and both.wander > 0
    assert not one.handheld  # a sway along one axis only is a move's unsteadiness, not a hand
