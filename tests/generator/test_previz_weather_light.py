"""Previz's weather looks like footage: drops and flakes catch the scene's light."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generator.previz import PrevizGenerator, compositor
from generator.request import CameraPath, LookHints, RenderRequest


def _rain_alone(time_of_day: str, monkeypatch: pytest.MonkeyPatch) -> float:
    """Mean grey level the rain adds to a locked-off take at `time_of_day` (the same take without it subtracted)."""
    request = RenderRequest(
        prompt="a lighthouse",
        width=160,
        height=96,
        num_frames=4,
        fps=8,
        seed=2,
        camera=CameraPath(movement="static"),
        look=LookHints(subject="a lighthouse", setting="a rocky coast", time_of_day=time_of_day, effects=("rain",)),
    )
    rainy = PrevizGenerator().render(request).frames
    with monkeypatch.context() as patch:
        patch.setattr(compositor, "make_weather", lambda *args: [])
        dry = PrevizGenerator().render(request).frames
    return float(np.mean([cv2.absdiff(a, b).mean() for a, b in zip(rainy, dry, strict=True)]))


def test_rain_catches_the_scenes_light(monkeypatch: pytest.MonkeyPatch) -> None:
    # A drop shows the light it catches: at night its streak is dim. Streaks at day's grey over a dark frame
    # changed every pixel each frame, which the critic read as flicker (a night tilt in the rain, 0.983).
    day, night = _rain_alone("day", monkeypatch), _rain_alone("night", monkeypatch)
    assert day > 0.3 and night < 0.5 * day, (day, night)
