"""Moves that look alike, told apart by parallax: an orbit turns the scene about its still subject, a pan slides
everything alike, a truck slides near things faster."""

from __future__ import annotations

import asyncio

import cv2
import numpy as np
import pytest
from skimage import data

from agent.compile import compile_shot
from agent.director.offline import OfflineDirector
from agent.expect import expectation_from
from agent.spec import ShotSpec
from generator.families import PREVIZ
from generator.previz import PrevizGenerator
from tools.critic import critique_clip
from tools.critic.parallax import SideSlides, orbit_vote
from tools.testing.footage import camera_clip, write_clip
from tools.testing.moving_set import held_out_photos, moving_subject_clip
from tools.testing.scenes import Shot
from tools.testing.staging import Mover, staged_clip

cv2.setNumThreads(1)


def _photo(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image[..., :3]


def _staged(tmp_path, move: str, seed: int) -> str:
    shot = Shot(move, 0.12, (320, 192), 16, 2.0, seed=seed)
    cutouts = [_photo(data.chelsea()), _photo(data.coffee()), _photo(data.rocket())]
    frames = staged_clip(
        shot,
        _photo(data.astronaut()),
        cutouts,
        np.random.default_rng(seed),
        movers=[Mover("still", 0.3, 0.0)],
        foreground=True,
    )
    critique = critique_clip(write_clip(frames, tmp_path / f"{move}.mp4", fps=shot.fps))
    return critique.camera_motion.detected


@pytest.mark.parametrize("move", ["orbit_left", "orbit_right"])
@pytest.mark.parametrize("seed", [1, 3])
def test_an_orbit_about_a_still_subject_reads_the_orbit(tmp_path, move, seed) -> None:
    # The subject holds the centre, the backdrop slides one way, the foreground the other. (Read as a pan.)
    assert _staged(tmp_path, move, seed) == move


@pytest.mark.parametrize("move", ["pan_left", "pan_right", "truck_left", "truck_right"])
def test_a_pan_or_truck_past_the_same_scene_is_no_orbit(tmp_path, move) -> None:
    assert _staged(tmp_path, move, 3) == move


@pytest.mark.parametrize("move", ["dolly_in", "dolly_out", "zoom_in", "zoom_out"])
@pytest.mark.parametrize("seed", [1, 3])
def test_a_dolly_grows_near_things_faster_and_a_zoom_grows_all_alike(tmp_path, move, seed) -> None:
    # Photos at several depths: the dolly's spread of growth rates marks it. (A dolly in read as a zoom in.)
    assert _staged(tmp_path, move, seed) == move


def test_the_orbit_vote_wants_a_still_subject_or_near_things_going_the_other_way() -> None:
    least = 0.3
    assert orbit_vote(SideSlides(held=6, sides=1.2, far=1.4, near=1.0), least) > 0  # a still subject
    assert orbit_vote(SideSlides(held=0, sides=-1.0, far=-1.5, near=0.8), least) < 0  # near against far
    assert orbit_vote(SideSlides(held=0, sides=1.2, far=1.2, near=1.2), least) == 0  # a pan: nothing holds
    assert orbit_vote(SideSlides(held=6, sides=1.2, far=0.4, near=1.6), least) == 0  # a tracking shot's parallax
    assert orbit_vote(SideSlides(held=6, sides=0.1, far=0.1, near=0.1), least) == 0  # too slow to tell


@pytest.mark.parametrize("move", ["orbit_left", "orbit_right"])
def test_a_previz_orbit_around_a_plain_subject_reads_the_orbit(tmp_path, move) -> None:
    # "The camera circles around a conference room": a sign fills the middle, the walls beside it are plain and
    # the subject's strong corners leave them none. (Read static.)
    spec = ShotSpec(subject="a conference room", camera_movement=move, duration_s=1.5, fps=16)
    request = compile_shot(spec, PREVIZ).request.model_copy(update={"width": 320, "height": 180})
    path = write_clip(PrevizGenerator().render(request).frames, tmp_path / f"{move}.mp4", fps=16)
    critique = critique_clip(path, expectation_from(spec, request))
    assert critique.camera_motion.detected == move
    assert all(check.passed for check in critique.checks), critique.checks


def test_fireflies_drifting_past_a_locked_off_camera_are_no_orbit(tmp_path) -> None:
    # "fireflies over a pond at dusk, static, wide": the fireflies drift one way on both sides of a still
    # placard, each at its own pace; an orbit's background slides as one. (Read orbit_left.)
    spec = asyncio.run(OfflineDirector().direct("fireflies over a pond at dusk, static, wide", author="test")).spec
    request = compile_shot(spec, PREVIZ).request.model_copy(update={"width": 424, "height": 240})
    path = write_clip(PrevizGenerator().render(request).frames, tmp_path / "fireflies.mp4", fps=request.fps)
    assert critique_clip(path, expectation_from(spec, request)).camera_motion.detected == "static"


@pytest.mark.parametrize(("move", "number"), [("pan_left", 0), ("pan_left", 36), ("pan_right", 109)])
def test_a_pan_that_keeps_a_subject_still_is_no_orbit(tmp_path, move, number) -> None:
    # A pan following a walker (or over a subject that holds still in the frame) slides every depth alike: no
    # parallax, so no orbit. (Read orbit_right / orbit_left.)
    staged = moving_subject_clip(move, 10, number)
    path = write_clip(staged.render(), tmp_path / "pan.mp4", fps=staged.fps, crf=staged.crf)
    assert critique_clip(path).camera_motion.detected == move


@pytest.mark.parametrize(
    ("move", "size", "frames", "fps", "speed", "crf"),
    [("zoom_in", (832, 480), 48, 16, 0.17, 30), ("zoom_out", (640, 360), 70, 24, 0.26, 36)],
)
def test_a_zoom_over_a_flat_photo_reads_zoom_not_dolly(tmp_path, move, size, frames, fps, speed, crf) -> None:
    # A photograph has no depth, so no parallax: a slow, grainy, heavily compressed zoom over it moves some pairs'
    # points a fraction of a pixel, and tracking noise relative to so small a growth spread it like a dolly's.
    # (The still-photo set's #107 and #72, replayed: read dolly_in / dolly_out.)
    clip = camera_clip(
        held_out_photos()["clock"],
        move,
        size=size,
        frames=frames,
        fps=fps,
        speed=speed,
        noise=8.0,
        rng=np.random.default_rng(0),
    )
    path = write_clip(clip, tmp_path / f"{move}.mp4", fps=fps, crf=crf)
    assert critique_clip(path).camera_motion.detected == move
