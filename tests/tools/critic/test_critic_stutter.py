"""A stuttering clip: frames decoded twice (an encoder that dropped or repeated them) say nothing of the camera."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tools.critic import critique_clip
from tools.critic.motion import PairMotion
from tools.critic.stutter import changing
from tools.testing.footage import camera_clip, freeze


@pytest.mark.parametrize("name", ["astronaut", "coffee"])
def test_a_pan_frozen_for_its_first_30_frames_reads_the_pan(photo, encode, name: str) -> None:
    frames = camera_clip(photo(name), "pan_left", size=(320, 320), frames=52, fps=16, speed=0.03)
    clip = encode(freeze(frames, 0, 30), f"stutter-{name}", fps=16, crf=23)
    critique = critique_clip(clip)
    assert critique.camera_motion.detected == "pan_left"  # static before: most pairs were one picture twice


def test_a_subject_that_stops_before_a_locked_off_camera_leaves_it_still(photo, encode) -> None:
    backdrop = cv2.resize(photo("astronaut"), (320, 240), interpolation=cv2.INTER_AREA)
    subject = cv2.resize(photo("coffee"), (100, 80), interpolation=cv2.INTER_AREA)
    frames = np.empty((48, 240, 320, 3), np.uint8)
    for t in range(48):
        left = 20 + 6 * min(t, 16)  # crosses for a second, then stands still: the rest of the frames repeat
        frames[t] = backdrop
        frames[t, 80:160, left : left + 100] = subject
    assert critique_clip(encode(frames, "stutter-stops", fps=16)).camera_motion.detected == "static"


def test_a_held_camera_over_a_still_picture_reads_static(photo, encode) -> None:
    frames = camera_clip(photo("chelsea"), "static", size=(320, 240), frames=32, fps=16)
    assert critique_clip(encode(frames, "stutter-still", fps=16)).camera_motion.detected == "static"


def _pair(start: int) -> PairMotion:
    return PairMotion(start, 1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 50, 1.0, "features")


def test_frozen_pairs_go_only_when_enough_pairs_change() -> None:
    rng = np.random.default_rng(0)
    frames = np.repeat(rng.integers(0, 255, (1, 32, 32), dtype=np.uint8), 8, axis=0)
    indices = np.arange(8)
    pairs = [_pair(k) for k in range(7)]
    assert changing(pairs, frames, indices) == pairs  # all frozen: a still picture
    frames[5:] = rng.integers(0, 255, (3, 32, 32), dtype=np.uint8)  # the picture changes from frame 5 on
    assert [m.start for m in changing(pairs, frames, indices)] == [4, 5, 6]
    frames[6:] = frames[5]
    assert changing(pairs, frames, indices) == pairs  # only two pairs changed: too few to speak for the clip
