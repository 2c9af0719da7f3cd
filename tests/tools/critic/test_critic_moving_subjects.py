"""The critic reads the camera from the background: a big subject moving before a locked-off camera is not a move."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from tools.critic import critique_clip
from tools.testing.footage import write_clip
from tools.testing.scenes import Shot
from tools.testing.staging import Mover, staged_clip

cv2.setNumThreads(1)


def _photo(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image[..., :3]


@pytest.mark.parametrize(("how", "share", "speed"), [("cross", 0.5, 0.3), ("walk", 0.4, 0.2), ("cross", 0.35, 0.5)])
def test_a_locked_off_camera_over_a_big_moving_subject_reads_static(tmp_path, how, share, speed) -> None:
    # A hand carrying a box across a table, a walker crossing the frame: the subject moves, the camera does not.
    rng = np.random.default_rng(7)
    shot = Shot("static", 0.0, (320, 192), 16, 2.5, seed=3)
    backdrop = _photo(data.astronaut())
    cutouts = [_photo(data.chelsea()), _photo(data.coffee()), _photo(data.rocket())]
    frames = staged_clip(shot, backdrop, cutouts, rng, movers=[Mover(how, share, speed)], middle=False)
    critique = critique_clip(write_clip(frames, tmp_path / "locked.mp4", fps=shot.fps))
    assert critique.camera_motion.detected == "static", critique.camera_motion
