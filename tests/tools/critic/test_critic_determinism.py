"""The same frames give the same Critique: encoded again, critiqued again, with any number of OpenCV threads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from agent.compile import compile_shot
from agent.expect import expectation_from
from agent.spec import ShotSpec
from generator.families import PREVIZ
from generator.previz import PrevizGenerator
from tools.critic import critique_clip
from tools.critique import Expectation
from tools.encode import encode_mp4


@pytest.fixture(scope="module")
def take() -> tuple[np.ndarray, int, Expectation]:
    """A grainy previz pan at 320x180 (x264 split such frames across threads before it was pinned to one)."""
    spec = ShotSpec(subject="a lighthouse on a cliff", camera_movement="pan_left", style="35mm film", duration_s=1.5)
    request = compile_shot(spec, PREVIZ).request.model_copy(update={"width": 320, "height": 180, "fps": 24})
    request = request.model_copy(update={"num_frames": 36})
    frames = PrevizGenerator().render(request).frames
    return frames, request.fps, expectation_from(spec, request)


def test_the_same_frames_encoded_and_critiqued_again_give_the_same_critique(take, tmp_path: Path) -> None:
    frames, fps, expectation = take
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        paths = [Path(encode_mp4(frames, fps, tmp_path / f"{k}.mp4").path) for k in range(3)]
        critiques = [critique_clip(path, expectation).model_dump_json() for path in paths + paths[:1]]
    finally:
        busy.kill()
        busy.wait()
    assert len({path.read_bytes() for path in paths}) == 1
    assert len(set(critiques)) == 1, critiques


def test_the_critique_does_not_depend_on_opencv_threads(take, tmp_path: Path) -> None:
    frames, fps, expectation = take
    path = Path(encode_mp4(frames, fps, tmp_path / "take.mp4").path)
    before = cv2.getNumThreads()
    try:
        readings = []
        for threads in (1, 2, 4):
            cv2.setNumThreads(threads)
            readings.append(critique_clip(path, expectation).model_dump_json())
    finally:
        cv2.setNumThreads(before)
    assert len(set(readings)) == 1
