"""Quality checks on clips with injected faults, spec checks, score and suggestions."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from tools.critic import critique_clip
from tools.critique import Critique, Expectation
from tools.testing.footage import (
    black_frame,
    boiling,
    camera_clip,
    freeze,
    hard_cut,
    snowfall,
    strobe,
    write_clip,
)

# The forms the agent's reviser applies mechanically.
ACTIONABLE = re.compile(r"put '[^']+' first|add '[^']+' to the (prompt|negative)|render|encode", re.IGNORECASE)


def check(critique: Critique, name: str):
    return next(c for c in critique.checks if c.name == name)


def failed(critique: Critique) -> set[str]:
    return {c.name for c in critique.failed_checks}


@pytest.fixture(scope="module")
def pan(photo) -> np.ndarray:
    return camera_clip(photo("astronaut"), "pan_right", size=(256, 144), frames=32, fps=16, speed=0.2)


@pytest.fixture(scope="module")
def zoom(photo) -> np.ndarray:
    return camera_clip(photo("rocket"), "zoom_out", size=(256, 144), frames=32, fps=16, speed=0.25)


@pytest.fixture(scope="module")
def still(photo) -> np.ndarray:
    return camera_clip(photo("coffee"), "static", size=(256, 144), frames=32, fps=16, noise=4)


@pytest.mark.parametrize("source", ["pan", "zoom", "still"])
def test_clean_clips_pass_every_quality_check(request, encode, source: str) -> None:
    critique = critique_clip(encode(request.getfixturevalue(source), f"clean-{source}"))
    assert critique.passed, critique.failed_checks
    assert critique.score == 1.0 and not critique.suggestions
    assert check(critique, "flicker").value > 0.99


@pytest.mark.parametrize("source", ["pan", "zoom", "still"])
@pytest.mark.parametrize("amplitude", [10, 30])
def test_strobing_is_flagged_as_flicker_on_moving_and_static_shots(request, encode, source, amplitude) -> None:
    frames = strobe(request.getfixturevalue(source), amplitude)
    critique = critique_clip(encode(frames, f"strobe-{source}-{amplitude}"))
    assert failed(critique) == {"flicker"}
    assert any("add 'flicker, strobing, flashing' to the negative prompt" in s for s in critique.suggestions)


@pytest.mark.parametrize("source", ["pan", "zoom", "still"])
def test_falling_snow_is_not_flicker(request, encode, source: str) -> None:
    """Flakes move between frames: a moving thing, not a change of light. A steady snowfall (150 small flakes in
    view) passes; a blizzard (400) still reads as flicker (docs/critic.md, known limits)."""
    critique = critique_clip(encode(snowfall(request.getfixturevalue(source), flakes=150), f"snow-{source}"))
    assert check(critique, "flicker").passed, check(critique, "flicker")


@pytest.mark.parametrize("source", ["pan", "still"])
def test_boiling_texture_is_flicker(request, encode, source: str) -> None:
    critique = critique_clip(encode(boiling(request.getfixturevalue(source)), f"boil-{source}"))
    assert not check(critique, "flicker").passed, check(critique, "flicker")


def test_frozen_frames_are_found(pan, encode) -> None:
    critique = critique_clip(encode(freeze(pan, 12, 3), "frozen"))
    assert failed(critique) == {"frozen_frames"}
    assert check(critique, "frozen_frames").value == 3 and "13, 14, 15" in check(critique, "frozen_frames").detail


def test_a_still_shot_repeating_itself_is_not_frozen(photo, encode) -> None:
    frames = camera_clip(photo("coffee"), "static", size=(256, 144), frames=24, fps=16)
    assert check(critique_clip(encode(frames, "still-exact")), "frozen_frames").passed


def _swaying(photo: np.ndarray, frames: int, fps: int = 16, hz: float = 2.0, turn: float = 2.5) -> np.ndarray:
    """The picture swinging side to side, sampled symmetrically about each turn (a gallop, a swing)."""
    width, height = 256, 144
    scale = 1.3 * width / photo.shape[1]
    out = []
    for k in range(frames):
        x = 0.04 * width * np.cos(2 * np.pi * hz * (k - turn) / fps)
        matrix = np.array([[scale, 0, x - 0.15 * width], [0, scale, -0.1 * height]])
        out.append(cv2.warpAffine(photo, matrix, (width, height), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT))
    return np.array(out)


def test_a_motion_turning_back_between_two_frames_is_not_frozen(photo, encode) -> None:
    # A galloping horse's legs or a swing, sampled either side of its turn: the two frames nearly match, and
    # the frames before and after mirror each other. A stall would leave them a step or more apart. (Flagged
    # ten frozen frames.)
    critique = critique_clip(encode(_swaying(photo("astronaut"), 39), "swaying"))
    assert check(critique, "frozen_frames").passed, check(critique, "frozen_frames")


def test_a_stall_in_a_swing_is_still_frozen(photo, encode) -> None:
    frames = freeze(_swaying(photo("astronaut"), 39, turn=0.0), 13, 1)  # frames 12-14 move steadily; 14 repeats 13
    critique = critique_clip(encode(frames, "swaying-stalled"))
    assert check(critique, "frozen_frames").value == 1 and "14" in check(critique, "frozen_frames").detail


def test_a_black_frame_and_a_blown_out_frame_fail_exposure_only(zoom, encode) -> None:
    frames = black_frame(zoom, 10)
    frames[20] = 255
    critique = critique_clip(encode(frames, "exposure"))
    assert failed(critique) == {"exposure"}
    exposure = check(critique, "exposure")
    assert exposure.value == 2 and "black: 10" in exposure.detail and "blown out: 20" in exposure.detail


def test_a_hard_cut_is_one_cut(pan, photo, encode) -> None:
    other = camera_clip(photo("chelsea"), "pan_right", size=(256, 144), frames=32, fps=16, speed=0.2)
    critique = critique_clip(encode(hard_cut(pan, other, 16), "cut"))
    assert failed(critique) == {"scene_cuts"}
    assert check(critique, "scene_cuts").value == 1 and "16" in check(critique, "scene_cuts").detail


def test_a_blurred_frame_fails_sharpness(pan, encode) -> None:
    frames = pan.copy()
    frames[14] = cv2.GaussianBlur(frames[14], (0, 0), 3)
    critique = critique_clip(encode(frames, "blur"))
    assert "sharpness" in failed(critique)
    assert "14" in check(critique, "sharpness").detail


def test_spec_checks_pass_on_a_matching_clip(pan, encode) -> None:
    wanted = Expectation(
        camera_movement="pan_right", camera_speed="fast", duration_s=2.0, fps=16, width=256, height=144
    )
    critique = critique_clip(encode(pan, "spec-match"), wanted)
    assert critique.passed, critique.failed_checks
    names = {c.name for c in critique.checks}
    assert {"camera_move", "camera_speed", "duration", "fps", "frame_size"} <= names
    assert critique.camera_motion.expected == "pan_right" and critique.camera_motion.detected == "pan_right"


def test_spec_mismatches_fail_with_actionable_suggestions(pan, encode) -> None:
    wanted = Expectation(camera_movement="pan_left", duration_s=4.0, fps=24, width=480, height=480, action="walks")
    critique = critique_clip(encode(pan, "spec-mismatch"), wanted)
    assert failed(critique) == {"camera_move", "duration", "fps", "frame_size"}
    assert critique.suggestions[0].startswith("camera moved pan right instead of pan left: put 'the camera pans left'")
    assert "add 'the camera pans right' to the negative prompt" in critique.suggestions[0]
    assert len(critique.suggestions) == len(critique.failed_checks)
    assert all(ACTIONABLE.search(s) for s in critique.suggestions)
    assert 0 < critique.score < 1 and not critique.passed


def test_compatible_move_passes_and_says_why(photo, encode) -> None:
    frames = camera_clip(photo("coffee"), "zoom_in", size=(256, 144), frames=24, fps=16, speed=0.2)
    critique = critique_clip(encode(frames, "compatible"), Expectation(camera_movement="dolly_in"))
    move = check(critique, "camera_move")
    assert move.passed and move.value == "zoom_in" and "cannot tell" in move.detail
    # A look-alike passes at half credit: it never scores 1.00, and the exact move wins the best take.
    assert critique.passed and move.credit == 0.5 and critique.score < 1.0
    exact = critique_clip(encode(frames, "exact"), Expectation(camera_movement="zoom_in"))
    assert check(exact, "camera_move").credit == 1.0 and exact.score > critique.score


def test_almost_static_when_motion_was_asked(still, encode) -> None:
    critique = critique_clip(encode(still, "almost-static"), Expectation(camera_movement="tilt_up"))
    assert {"camera_move", "motion_amount"} <= failed(critique)
    assert any(s.startswith("almost static") for s in critique.suggestions)


def test_a_truncated_file_is_not_complete(pan, tmp_path) -> None:
    data = write_clip(pan, tmp_path / "whole.mp4", faststart=True).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 2 // 3])
    critique = critique_clip(cut)
    assert "complete" in failed(critique)
