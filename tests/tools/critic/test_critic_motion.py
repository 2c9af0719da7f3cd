"""The camera-motion classifier on real photographs moved by a known camera, and on previz renders."""

from __future__ import annotations

import numpy as np
import pytest

from generator.previz import PrevizGenerator
from generator.request import CameraPath, LookHints, RenderRequest
from generator.vocabulary import CAMERA_MOVEMENTS, moves_compatible
from tools.critic import critique_clip
from tools.critic.camera import classify
from tools.critic.decode import read_clip
from tools.critic.motion import estimate_motion, pair_motion
from tools.critic.speed import grade
from tools.critique import Expectation
from tools.testing.footage import MOVES, camera_clip, with_sky

# (photo, size, speed, fps, frames, noise, crf, sky): plain; big flat sky, noisy, vertical; heavy compression.
VARIANTS = {
    "plain": ("astronaut", (256, 144), 0.1, 16, 24, 0.0, 18, False),
    "sky-noise-vertical": ("rocket", (180, 320), 0.05, 24, 36, 6.0, 28, True),
    "compressed-fast": ("coffee", (320, 240), 0.25, 8, 16, 0.0, 38, False),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("move", sorted(MOVES))
def test_photograph_moves_are_classified(photo, encode, move: str, variant: str) -> None:
    name, size, speed, fps, count, noise, crf, sky = VARIANTS[variant]
    image = with_sky(photo(name), 0.6) if sky else photo(name)
    rng = np.random.default_rng(len(move) * 7 + len(variant))
    frames = camera_clip(image, move, size=size, frames=count, fps=fps, speed=speed, noise=noise, rng=rng)
    critique = critique_clip(encode(frames, f"move-{move}-{variant}", fps=fps, crf=crf))
    assert critique.camera_motion.detected == move
    assert critique.camera_motion.confidence > 0.5


def test_direction_convention_follows_the_camera(photo) -> None:
    frames = camera_clip(photo("chelsea"), "pan_left", size=(200, 120), frames=3, fps=8, speed=0.2)
    grey = frames.mean(axis=3).astype(np.uint8)
    moved = pair_motion(grey[0], grey[2], gap=2)
    assert moved.dx > 0.5 and abs(moved.dy) < 0.2  # a camera panning left slides the content right


SPEEDS = [
    ("pan_right", 0.05, "slow"),
    ("pan_right", 0.12, "medium"),
    ("tilt_up", 0.25, "fast"),
    ("zoom_in", 0.08, "slow"),
    ("zoom_out", 0.18, "medium"),
    ("zoom_in", 0.35, "fast"),
]


@pytest.mark.parametrize(("move", "speed", "word"), SPEEDS)
def test_speed_is_graded_against_the_previz_speeds(photo, encode, move, speed, word) -> None:
    # Previz speeds are fractions of the frame's longer side; the synthetic tilt moves by frame heights.
    per_axis = speed * 256 / 144 if move.startswith("tilt") else speed
    frames = camera_clip(photo("coffee"), move, size=(256, 144), frames=32, fps=16, speed=per_axis)
    clip = read_clip(encode(frames, f"speed-{move}-{speed}"))
    reading = classify(estimate_motion(clip.frames, clip.indices, clip.fps), 256, 144, clip.fps)
    assert reading.move == move
    kind = "zoom" if move.startswith("zoom") else "translate"
    assert grade(reading.speed, kind) == word


def test_speed_check_fails_a_slow_move_asked_fast(photo, encode) -> None:
    frames = camera_clip(photo("astronaut"), "pan_left", size=(256, 144), frames=32, fps=16, speed=0.05)
    critique = critique_clip(
        encode(frames, "speed-check"), Expectation(camera_movement="pan_left", camera_speed="fast")
    )
    speed = next(c for c in critique.checks if c.name == "camera_speed")
    assert not speed.passed and speed.detail == "measured slow"
    assert any("add 'fast camera movement' to the prompt" in s for s in critique.suggestions)


def test_shaky_camera_reads_as_handheld(photo, encode) -> None:
    rng = np.random.default_rng(5)
    frames = camera_clip(photo("astronaut"), "static", size=(256, 144), frames=32, fps=16, shake=0.006, rng=rng)
    assert critique_clip(encode(frames, "handheld")).camera_motion.detected == "handheld"


@pytest.mark.slow
@pytest.mark.parametrize("speed", ["medium"])
def test_every_previz_move_is_recognised_as_itself_or_a_compatible_move(tmp_path, encode, speed) -> None:
    generator = PrevizGenerator()
    wrong: list[str] = []
    for move in CAMERA_MOVEMENTS:
        request = RenderRequest(
            prompt="a red fox trots through a birch forest",
            width=256,
            height=144,
            num_frames=25,
            fps=12,
            seed=11,
            camera=CameraPath(movement=move, speed=speed),
            look=LookHints(subject="a red fox", setting="a birch forest", time_of_day="day"),
        )
        result = generator.render(request)
        critique = critique_clip(encode(result.frames, f"previz-{move}", fps=12), Expectation(camera_movement=move))
        if not moves_compatible(move, critique.camera_motion.detected):
            wrong.append(f"{move} -> {critique.camera_motion.detected}")
        assert next(c for c in critique.checks if c.name == "flicker").passed, move
    assert not wrong


def test_an_orbit_read_as_a_pan_or_truck_passes_only_in_its_own_direction() -> None:
    # Orbiting right, the camera travels right and turns left to hold the subject: the world beyond slides
    # right, as in a pan left. A reading the other way is a reversed orbit and must fail.
    assert moves_compatible("orbit_right", "pan_left") and moves_compatible("orbit_right", "truck_left")
    assert moves_compatible("orbit_left", "pan_right") and moves_compatible("orbit_left", "truck_right")
    for asked, reversed_reading in [
        ("orbit_right", "pan_right"),
        ("orbit_right", "truck_right"),
        ("orbit_left", "pan_left"),
        ("orbit_left", "truck_left"),
    ]:
        assert not moves_compatible(asked, reversed_reading), (asked, reversed_reading)


def test_a_pan_or_truck_read_as_an_orbit_passes_only_as_the_orbit_that_slides_the_world_its_way() -> None:
    # The look-alikes go both ways: a pan left slides the world right, as an orbit right does beyond its subject.
    for asked, alike, reversed_reading in [
        ("pan_left", "orbit_right", "orbit_left"),
        ("truck_left", "orbit_right", "orbit_left"),
        ("pan_right", "orbit_left", "orbit_right"),
        ("truck_right", "orbit_left", "orbit_right"),
    ]:
        assert moves_compatible(asked, alike) and moves_compatible(alike, asked), (asked, alike)
        assert not moves_compatible(asked, reversed_reading), (asked, reversed_reading)


def test_a_tracking_shot_read_as_an_orbit_passes_as_a_look_alike() -> None:
    # Over a backdrop without depth, a tracked subject holding its place is an orbit's still subject.
    assert moves_compatible("tracking", "orbit_left") and moves_compatible("tracking", "orbit_right")
