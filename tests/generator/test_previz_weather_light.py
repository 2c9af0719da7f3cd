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


def _detail_behind_the_subject(shot_size: str) -> float:
    """Mean |Laplacian| of a foggy forest with its subject left out: how much of the world the fog lets through."""
    request = RenderRequest(
        prompt="a red fox",
        width=320,
        height=180,
        num_frames=1,
        fps=8,
        seed=3,
        camera=CameraPath(movement="static"),
        look=LookHints(subject="a red fox", setting="a birch forest", shot_size=shot_size, effects=("fog",)),
    )
    frame = next(PrevizGenerator().iter_frames(request, hidden=frozenset({"subject"})))
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F)).mean())


@pytest.mark.parametrize("shot_size", ["medium", "close_up"])
def test_fog_lets_a_close_shot_see_the_world_a_few_metres_behind_its_subject(shot_size: str) -> None:
    # Fog's visibility is a distance. Hazed at a few subject distances, a medium shot of a fox lost the trees a few
    # metres behind it: the fox was the only thing left to track, and a slow truck read as a pan at its trot.
    close, wide = _detail_behind_the_subject(shot_size), _detail_behind_the_subject("wide")
    assert close >= 0.8 * wide, (close, wide)
