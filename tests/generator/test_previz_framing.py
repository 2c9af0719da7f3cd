"""Previz framing, measured: where the subject is and how much of the frame it fills (render with and without it)."""

from __future__ import annotations

import itertools
import math

import cv2
import numpy as np
import pytest

from generator.previz import PrevizGenerator
from generator.request import CameraPath, LookHints, RenderRequest
from generator.vocabulary import ASPECT_RATIOS, ASPECT_VALUES, CAMERA_MOVEMENTS, SHOT_SIZES

cv2.setNumThreads(1)


def _request(subject: str, shot: str, aspect: str, movement: str = "static", frames: int = 1) -> RenderRequest:
    ratio = ASPECT_VALUES[aspect]
    height = round(math.sqrt(200 * 112 / ratio) / 2) * 2
    width = round(height * ratio / 2) * 2
    return RenderRequest(
        prompt=subject,
        width=width,
        height=height,
        num_frames=frames,
        fps=8,
        seed=5,
        camera=CameraPath(movement=movement, speed="fast"),
        look=LookHints(subject=subject, shot_size=shot),
    )


def _subject_masks(request: RenderRequest) -> list[np.ndarray]:
    """Per frame, the pixels the subject changes (its own pixels, shadow and what it hides)."""
    generator = PrevizGenerator()
    shown = generator.iter_frames(request)
    hidden = generator.iter_frames(request, hidden=frozenset({"subject"}))
    return [np.abs(a.astype(np.int16) - b).max(axis=-1) > 12 for a, b in zip(shown, hidden, strict=True)]


def _centroid(mask: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(mask)
    return float(xs.mean()) / mask.shape[1], float(ys.mean()) / mask.shape[0]


@pytest.mark.parametrize("aspect", ASPECT_RATIOS)
@pytest.mark.parametrize("subject", ["a red fox", "a woman in a red coat"])
def test_closer_shots_fill_more_of_the_frame_with_the_subject_centred(subject: str, aspect: str) -> None:
    coverage = {}
    for shot in SHOT_SIZES:
        (mask,) = _subject_masks(_request(subject, shot, aspect))
        coverage[shot] = float(mask.mean())
        x, y = _centroid(mask)
        assert abs(x - 0.5) < 0.15 and abs(y - 0.5) < 0.25, (shot, x, y)
    steps = ["extreme_wide", "wide", "medium_wide", "medium", "close_up", "extreme_close_up"]
    fractions = [coverage[s] for s in steps]
    assert all(b > a * 1.15 for a, b in itertools.pairwise(fractions)), coverage
    assert coverage["medium"] * 0.9 < coverage["medium_close_up"] < coverage["close_up"], coverage
    assert coverage["extreme_wide"] < 0.02 and coverage["wide"] < 0.08, coverage  # small in a big landscape
    assert coverage["close_up"] > 0.15 and coverage["extreme_close_up"] > 0.3, coverage


def test_close_up_frames_the_head_in_the_middle_of_the_frame() -> None:
    """A close-up of the fox is its head: the frame's middle is the subject, not the sky above its back."""
    for aspect in ASPECT_RATIOS:
        (mask,) = _subject_masks(_request("a red fox", "close_up", aspect))
        h, w = mask.shape
        middle = mask[int(h * 0.35) : int(h * 0.65), int(w * 0.35) : int(w * 0.65)]
        assert middle.mean() > 0.8, (aspect, middle.mean())


def test_the_animal_silhouette_is_one_piece() -> None:
    (mask,) = _subject_masks(_request("a red fox", "medium_wide", "16:9"))
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    areas = sorted(stats[1:, cv2.CC_STAT_AREA], reverse=True)
    assert areas[0] > 0.97 * sum(areas), areas  # head, neck, body, legs and tail touch


@pytest.mark.parametrize("shot", ["wide", "close_up"])
def test_the_subject_stays_in_frame_for_every_move(shot: str) -> None:
    for movement in CAMERA_MOVEMENTS:
        masks = _subject_masks(_request("a red fox", shot, "16:9", movement, frames=9))
        seen = [m.mean() > 0.002 for m in masks]
        assert sum(seen) >= 7, (movement, seen)
        x, y = _centroid(masks[len(masks) // 2])  # the poster frame
        assert abs(x - 0.5) < 0.2 and abs(y - 0.5) < 0.2, (movement, x, y)
