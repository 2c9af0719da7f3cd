"""Extending a previz take: the extension starts where the source ended and the camera keeps moving."""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest

from generator.errors import InvalidRequest
from generator.previz import PrevizGenerator
from generator.request import CameraPath, ConditionClip, LookHints, RenderRequest
from tools.critic.critic import critique_clip
from tools.encode import encode_mp4

cv2.setNumThreads(1)
W, H, FPS, FRAMES = 224, 128, 12, 18


def _request(movement: str, *, condition: Path | None = None, tod: str = "day") -> RenderRequest:
    return RenderRequest(
        prompt="a red fox in a forest",
        width=W,
        height=H,
        num_frames=FRAMES,
        fps=FPS,
        seed=11,
        camera=CameraPath(movement=movement, speed="medium"),
        look=LookHints(subject="a red fox", setting="a forest", time_of_day=tod, shot_size="wide"),
        condition=ConditionClip(path=str(condition)) if condition else None,
    )


def _take(path: Path, movement: str, source: Path | None = None) -> np.ndarray:
    frames = PrevizGenerator().render(_request(movement, condition=source)).frames
    encode_mp4(frames, FPS, path)
    return frames


def _mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(cv2.absdiff(a, b).mean())


def _pan_dx(frames: np.ndarray) -> float:
    """Median horizontal content shift per frame (phase correlation on grey frames, caption rows left out)."""
    grey = [cv2.cvtColor(f[: H * 3 // 4], cv2.COLOR_RGB2GRAY).astype(np.float32) for f in frames]
    return float(np.median([cv2.phaseCorrelate(a, b)[0][0] for a, b in itertools.pairwise(grey)]))


@pytest.mark.parametrize("movement", ["pan_left", "dolly_in", "crane_up", "handheld"])
def test_extension_starts_at_the_source_end_and_differs_from_it(tmp_path: Path, movement: str) -> None:
    source = _take(tmp_path / "a.mp4", movement)
    result = PrevizGenerator().render(_request(movement, condition=tmp_path / "a.mp4"))
    ext = result.frames
    assert ext.shape == source.shape
    step = np.median([_mad(a, b) for a, b in itertools.pairwise(source)])  # one frame of motion
    join = _mad(source[-1], ext[0])
    assert join < max(3.0, 2.0 * step), (join, step)  # about one frame's change (and the encoder's loss)
    assert _mad(source, ext) > 1.5  # a continuation, not a copy of the source
    if movement != "handheld":  # a wobble comes back near where it started; a move does not
        assert _mad(source[0], ext[0]) > 2.0 * join
    assert any("continues a.mp4" in n for n in result.notes)


def test_the_camera_keeps_moving_the_same_way(tmp_path: Path) -> None:
    source = _take(tmp_path / "a.mp4", "pan_left")
    ext = _take(tmp_path / "b.mp4", "pan_left", source=tmp_path / "a.mp4")
    before, after = _pan_dx(source), _pan_dx(ext)
    assert before > 0.5 and after > 0.5  # pan_left: content slides right, in both
    assert after == pytest.approx(before, rel=0.25)
    # The critic reads the extension as the same move.
    assert critique_clip(tmp_path / "b.mp4").camera_motion.detected == "pan_left"


def test_an_extension_of_an_extension_carries_on(tmp_path: Path) -> None:
    _take(tmp_path / "a.mp4", "truck_right")
    second = _take(tmp_path / "b.mp4", "truck_right", source=tmp_path / "a.mp4")
    result = PrevizGenerator().render(_request("truck_right", condition=tmp_path / "b.mp4"))
    assert _mad(second[-1], result.frames[0]) < 4.0
    assert any("extension 2 of a chain" in n for n in result.notes)


def test_an_unreadable_source_is_an_invalid_request(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="does not exist"):
        PrevizGenerator().render(_request("pan_left", condition=tmp_path / "missing.mp4"))
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(InvalidRequest, match="not a readable video"):
        PrevizGenerator().render(_request("pan_left", condition=text))
