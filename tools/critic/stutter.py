"""A stuttering clip: pairs of frames between which the picture did not change say nothing of the camera."""

from __future__ import annotations

import cv2
import numpy as np

from tools.critic.motion import PairMotion

# A pair whose frames differ by less than this (mean grey levels) is one picture decoded twice: an encoder that
# dropped or repeated frames, a render that stalled. Any real picture, even a held camera's, differs by more
# (sensor noise, a subject, a flicker); a clean still render repeats exactly, and then every pair is frozen.
FROZEN_GREY = 0.1
MIN_MOVING_PAIRS = 3  # the pairs where the picture changed must be at least this many to speak for the clip


def _frozen(m: PairMotion, frames: np.ndarray, indices: np.ndarray) -> bool:
    end = int(np.searchsorted(indices, indices[m.start] + m.gap))
    return float(cv2.absdiff(frames[m.start], frames[end]).mean()) < FROZEN_GREY


def changing(motions: list[PairMotion], frames: np.ndarray, indices: np.ndarray) -> list[PairMotion]:
    """The pairs whose picture changed, when enough did; else all of them.

    A pan whose first second the encoder froze reads, pair by pair, as a held camera and then a pan: the frozen
    pairs are no evidence that the camera held still, only that the picture did not advance. A still shot
    whose every pair is frozen keeps them all (and reads static).
    """
    moving = [m for m in motions if not _frozen(m, frames, indices)]
    return moving if len(moving) >= MIN_MOVING_PAIRS and len(moving) < len(motions) else motions
