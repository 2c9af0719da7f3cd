"""The critic reads the camera from the background: a big subject moving before a locked-off camera is not a move."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from tools.critic import critique_clip
from tools.critique import Expectation
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


def test_a_subject_coming_towards_a_locked_off_camera_while_another_crosses_reads_static(tmp_path) -> None:
    # One subject comes towards the camera, growing, while a smaller one crosses: the border band's lean swings
    # between the still background and the grower more than once, and summed it went to the grower (read
    # zoom_in). The background holds still over a good share of the band all along, where a zoom grows it all.
    rng = np.random.default_rng(1)
    shot = Shot("static", 0.0, (320, 192), 16, 3.0, seed=1)
    cutouts = [_photo(data.chelsea()), _photo(data.coffee()), _photo(data.rocket())]
    movers = [Mover("toward", 0.45, 0.3), Mover("cross", 0.12, 0.3)]
    frames = staged_clip(shot, _photo(data.astronaut()), cutouts, rng, movers=movers, middle=True)
    critique = critique_clip(write_clip(frames, tmp_path / "toward.mp4", fps=shot.fps, crf=23))
    assert critique.camera_motion.detected == "static", critique.camera_motion


def test_a_slow_dolly_whose_far_backdrop_hardly_grows_still_reads_the_dolly(tmp_path) -> None:
    # The backdrop, eight subject distances away, grows a fraction of a pixel a frame while the near cut-outs grow:
    # it holds still as a locked-off camera's background does, and is taken for the background; it drifts the near
    # layers' way, so the camera travels.
    rng = np.random.default_rng(3)
    shot = Shot("dolly_in", 0.06, (320, 192), 16, 2.5, seed=3)
    cutouts = [_photo(data.chelsea()), _photo(data.coffee()), _photo(data.rocket())]
    frames = staged_clip(
        shot, _photo(data.astronaut()), cutouts, rng, movers=[Mover("still", 0.35, 0.0)], middle=True, backdrop_zs=8.0
    )
    critique = critique_clip(write_clip(frames, tmp_path / "dolly.mp4", fps=shot.fps, crf=23))
    assert critique.camera_motion.detected == "dolly_in", critique.camera_motion


@pytest.mark.parametrize(("move", "backdrop_zs"), [("truck_right", 15.0), ("truck_right", 20.0), ("truck_left", 25.0)])
def test_a_truck_past_a_still_subject_before_a_far_background_reads_the_truck(tmp_path, move, backdrop_zs) -> None:
    # Trucking past parked cars: the car slides across the frame, the far hills hardly move, but they do move
    # the car's way; a locked-off camera watching a car drive by leaves them where they were. (Read static.)
    shot = Shot(move, 0.12, (320, 192), 16, 2.5, seed=3)
    cutouts = [_photo(data.chelsea()), _photo(data.coffee())]
    rng = np.random.default_rng(7)
    frames = staged_clip(
        shot,
        _photo(data.astronaut()),
        cutouts,
        rng,
        movers=[Mover("still", 0.4, 0.0)],
        middle=False,
        backdrop_zs=backdrop_zs,
    )
    critique = critique_clip(write_clip(frames, tmp_path / "truck.mp4", fps=shot.fps))
    assert critique.camera_motion.detected == move, critique.camera_motion


def test_a_fast_tracking_shot_is_not_graded_slow_by_its_far_background(tmp_path) -> None:
    # The camera keeps pace with a skateboarder: the subject holds its place, the far street slides past slower
    # than the camera travels. Only too fast fails a tracking shot's speed (it was graded slow and failed).
    shot = Shot("tracking", 0.25, (320, 192), 16, 2.5, seed=5)
    rng = np.random.default_rng(11)
    frames = staged_clip(
        shot,
        _photo(data.astronaut()),
        [_photo(data.chelsea()), _photo(data.coffee())],
        rng,
        movers=[Mover("follow", 0.3, 0.0)],
        middle=False,
        backdrop_zs=6.0,
    )
    path = write_clip(frames, tmp_path / "tracking.mp4", fps=shot.fps)
    critique = critique_clip(path, Expectation(camera_movement="tracking", camera_speed="fast"))
    speed = next(c for c in critique.checks if c.name == "camera_speed")
    assert speed.passed, speed
    assert speed.value < 0.173  # measured slower than asked: the test exercises the understated case


@pytest.mark.parametrize("share", [0.3, 0.5])
def test_a_big_subject_darting_about_before_a_locked_off_camera_is_not_flicker(tmp_path, share) -> None:
    # A butterfly in close-up darts about several times a second: a moving thing, not a change of light, and the
    # camera holds still. (Its residual covered more pixels than flicker left out: flagged as flicker.)
    shot = Shot("static", 0.0, (320, 320), 16, 2.5, seed=3)
    rng = np.random.default_rng(5)
    cutouts = [_photo(data.chelsea()), _photo(data.coffee())]
    frames = staged_clip(
        shot, _photo(data.astronaut()), cutouts, rng, movers=[Mover("flutter", share, 1.0)], middle=False
    )
    critique = critique_clip(write_clip(frames, tmp_path / "flutter.mp4", fps=shot.fps))
    assert critique.camera_motion.detected == "static", critique.camera_motion
    flicker = next(c for c in critique.checks if c.name == "flicker")
    assert flicker.passed, flicker
