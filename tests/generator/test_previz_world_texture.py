"""Previz's world looks like footage to a motion tracker: the ground has grit, and weather catches the scene's light."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from generator.previz import PrevizGenerator, compositor
from generator.previz.ground import GroundLook, band_layer
from generator.previz.layers import Shading
from generator.previz.palette import SKIES
from generator.request import CameraPath, LookHints, RenderRequest

GROUNDS = {
    "city": (92, 92, 98),
    "desert": (212, 178, 122),
    "snow": (228, 232, 240),
    "forest": (70, 100, 52),
}


@pytest.mark.parametrize("kind", sorted(GROUNDS))
def test_the_ground_has_grit_down_to_the_finest_scale(kind: str) -> None:
    # A real ground (gravel, asphalt, leaf litter, snow crust) is textured at every scale a lens resolves. Smooth
    # blobs tens of texels wide gave a travelling camera's nearest world nothing to track: a slow truck beside a
    # walker and a slow pedestal over snow read static (agreement sweep).
    look = GroundLook(kind=kind, ground=GROUNDS[kind], objects=(90, 90, 90), night=False, birch=False)
    shading = Shading(SKIES["day"], haze_distance=1e6, haze_colour=(200, 200, 200))
    layer = band_layer(np.random.default_rng(3), "band", 10.0, 0.01, 640, look, shading, 3.0, False, 0.0, clear_x_m=0.0)
    rgba = layer.texture
    luma = cv2.cvtColor(np.ascontiguousarray(rgba[..., :3]), cv2.COLOR_RGB2GRAY).astype(np.float32)
    ground = rgba[..., 3] == 255
    detail = np.abs(luma - cv2.GaussianBlur(luma, (0, 0), 2.0))[ground]
    # Fine detail of at least 3 grey levels on average (smooth noise alone: ~0.5), relative to a mid-grey ground.
    assert detail.mean() * 128 / max(float(luma[ground].mean()), 1.0) > 3.0, detail.mean()


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
