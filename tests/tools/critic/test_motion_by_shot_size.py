"""A static wide shot's small subject moves few pixels: motion_amount asks less of it, never of a frozen take."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from agent.testing.agreement import Case, failed_checks, judge_case
from tools.critic.critic import critique_clip
from tools.critique import Expectation
from tools.testing.footage import write_clip


@pytest.mark.parametrize("size", ["wide", "extreme_wide"])
@pytest.mark.parametrize("subject", ["walker", "fox"])
def test_a_static_wide_shot_of_a_subject_doing_its_action_has_motion(tmp_path, size: str, subject: str) -> None:
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    critique = judge_case(Case("static", "medium", size, "night", "16:9", "none", subject), tmp_path)
    assert "motion_amount" not in failed_checks(critique), failed_checks(critique)


@pytest.mark.parametrize("size", ["wide", "extreme_wide"])
def test_a_frozen_wide_take_is_still_almost_static(tmp_path, size: str) -> None:
    rng = np.random.default_rng(3)
    still = rng.integers(0, 255, (90, 160, 3), dtype=np.uint8).repeat(2, 0).repeat(2, 1)
    path = write_clip(np.stack([still] * 24), tmp_path / "frozen.mp4", fps=16, crf=28)
    critique = critique_clip(path, Expectation(camera_movement="static", action="howls", shot_size=size))
    assert "motion_amount" in failed_checks(critique)
