"""A travelling camera's speed: read on the near layer where it was seen, graded on the span of its layers' rates."""

from __future__ import annotations

import pytest

from tools.critic.camera import CameraReading, classify
from tools.critic.checks import speed_check
from tools.critic.motion import PairMotion
from tools.critic.speed import grade, meets
from tools.critique import Check

SIDE, FPS = 256, 16.0


def _pair(k: int, background: float, layer: float | None) -> PairMotion:
    """A pair 2 frames apart: the background slides `background` (frame/s), a second layer `layer` when seen."""
    to_px = SIDE / FPS
    return PairMotion(
        start=2 * k,
        gap=2,
        dx=background * to_px,
        dy=0.0,
        log_scale=0.0,
        rotation=0.0,
        parallax=0.0 if layer is None else abs(layer - background) * to_px,
        layer_dx=0.0 if layer is None else layer * to_px,
        layer_dy=0.0,
        layer_log_scale=0.0,
        points=80,
        inliers=0.85 if layer is not None else 1.0,
        method="features",
        anchored=layer is not None,
    )


def test_a_slow_truck_seen_past_a_near_layer_in_some_pairs_reads_the_truck_at_the_near_layers_rate() -> None:
    # A slow truck right: the far background drifts left at 0.008 frame/s (below the static threshold), the near
    # layer (dust, the near ground) at 0.06 in the five pairs that saw it. Over all eleven pairs the median was the
    # background's, and the truck read static.
    layers = [-0.06, None, -0.055, None, -0.065, None, -0.06, None, -0.058, None, None]
    reading = classify([_pair(k, -0.008, layer) for k, layer in enumerate(layers)], SIDE, 144, FPS)
    assert reading.move == "truck_right", reading
    assert reading.pan_rate == pytest.approx(-0.06, abs=0.005)
    assert reading.background[0] == pytest.approx(-0.008, abs=0.001)


def _reading(move: str, chosen: float, background: float, layer: float) -> CameraReading:
    return CameraReading(
        move=move,
        confidence=0.9,
        pan_rate=0.0,
        tilt_rate=0.0,
        zoom_rate=chosen,
        roll_rate=0.0,
        parallax=2.0,
        jitter=0.0,
        reliable_pairs=11,
        pairs=11,
        background=(0.0, 0.0, background),
        layer=(0.0, 0.0, layer),
    )


def _speed(reading: CameraReading, move: str, speed: str) -> Check:
    return speed_check(reading, move, speed, move_ok=True)


def test_a_dolly_out_is_graded_on_the_span_between_its_far_and_near_layers() -> None:
    # A vertical wide dolly out in fog: the near ground fills the border and shrinks at 0.77 ln-scale/s, the far
    # layer (the car, the fog) at 0.03; the subject, between them, at previz's medium 0.18. It failed "too fast".
    speed = _speed(_reading("dolly_out", -0.77, -0.77, -0.03), "dolly_out", "medium")
    assert speed.passed, speed
    assert "layers 0.03-0.77" in speed.detail


def test_a_travelling_move_whose_every_layer_is_too_fast_still_fails() -> None:
    speed = _speed(_reading("dolly_out", -0.9, -0.9, -0.6), "dolly_out", "slow")
    assert not speed.passed, speed


def test_a_layer_going_against_the_camera_is_not_in_the_span() -> None:
    # A subject walking towards a dolly out grows while the world shrinks: its rate says nothing of the camera's.
    speed = _speed(_reading("dolly_out", -0.9, -0.9, 0.05), "dolly_out", "slow")
    assert not speed.passed, speed


def test_a_turn_is_still_graded_on_one_rate() -> None:
    # A pan turns the camera: every depth slides alike, so there is no span to grade on.
    reading = CameraReading("pan_left", 0.9, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 11, 11, (0.3, 0.0, 0.0), (0.05, 0.0, 0.0))
    assert not _speed(reading, "pan_left", "slow").passed


@pytest.mark.parametrize(
    ("low", "high", "wanted", "ok"),
    [
        (0.01, 0.2, "slow", True),
        (0.01, 0.2, "medium", True),
        (0.01, 0.2, "fast", True),
        (0.01, 0.05, "medium", False),
        (0.2, 0.5, "slow", False),
        (0.1, 0.12, "medium", True),
    ],
)
def test_a_span_meets_a_band_when_they_overlap(low: float, high: float, wanted: str, ok: bool) -> None:
    assert meets(low, high, wanted, "translate") is ok


@pytest.mark.parametrize("rate", [0.0, 0.03, 0.07, 0.09, 0.1, 0.15, 0.2, 0.4])
def test_one_rate_meets_its_own_band_and_not_one_two_bands_away(rate: float) -> None:
    word = grade(rate, "translate")
    assert meets(rate, rate, word, "translate")
    far = {"slow": "fast", "fast": "slow"}.get(word)
    if far is not None:
        assert not meets(rate, rate, far, "translate")
