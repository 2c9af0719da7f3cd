"""Previz behaves like footage: the subject performs its action; weather lives in the world, moving with the camera."""

from __future__ import annotations

import itertools
import math

import cv2
import numpy as np
import pytest

from generator.previz import PrevizGenerator, compositor
from generator.previz.performance import Performance, acted_action, action_of
from generator.previz.subject import subject_shape
from generator.request import CameraPath, LookHints, RenderRequest

cv2.setNumThreads(1)


def _render(
    movement: str,
    prompt: str,
    *,
    frames: int = 8,
    fps: int = 8,
    effects: tuple[str, ...] = (),
    action: str | None = None,
) -> np.ndarray:
    request = RenderRequest(
        prompt=prompt,
        width=256,
        height=144,
        num_frames=frames,
        fps=fps,
        seed=5,
        camera=CameraPath(movement=movement, speed="fast"),
        look=LookHints(
            subject=prompt,
            setting="a park",
            time_of_day="day",
            shot_size="medium",
            style="clean",
            effects=effects,
            action=action,
        ),
    )
    return PrevizGenerator().render(request).frames


@pytest.mark.parametrize(
    ("words", "action"),
    [
        ("a ballerina spins on an empty stage", "spin"),
        ("a cup of coffee steaming on a table", "steam"),
        ("a woman rises from a chair", "rise"),
        ("a dog runs across a park", "run"),
        ("a robot walks across a desert", "walk"),
        ("a butterfly flutters over a meadow", "flutter"),
        ("a chef tosses vegetables in a pan", "sway"),
        ("a lighthouse on a cliff", "idle"),
        ("", "idle"),
    ],
)
def test_the_words_name_the_subjects_action(words: str, action: str) -> None:
    assert action_of(words) == action


@pytest.mark.parametrize(
    ("subject", "action"),
    [
        ("a statue", "spins"),
        ("a statue", "rises from a chair"),
        ("a statue", "walks"),
        ("a wolf", "howls"),  # no gesture for these two: a sway
        ("a person", "making a snowman"),
    ],
)
def test_a_locked_off_shot_has_a_performing_subject(subject: str, action: str) -> None:
    # A real take's subject moves even when the camera does not: the critic's motion check must see it.
    def change(frames: np.ndarray) -> float:
        return max(float(np.abs(frame.astype(int) - frames[0].astype(int)).mean()) for frame in frames[1:])

    idle = change(_render("static", subject))  # breathing, and the clouds drifting
    acting = change(_render("static", subject, action=action))
    assert acting > 2 * idle + 1.0, (acting, idle)


def _weather_shift(movement: str, monkeypatch: pytest.MonkeyPatch) -> float:
    """Horizontal shift (pixels) of the snow alone between the first and last frame under `movement`."""
    snowy = _render(movement, "a statue", frames=6, fps=24, effects=("snow",))
    with monkeypatch.context() as patch:  # the same snowy scene and grade, without the flakes
        patch.setattr(compositor, "make_weather", lambda *args: [])
        plain = _render(movement, "a statue", frames=6, fps=24, effects=("snow",))
    flakes = [
        np.float32(cv2.cvtColor(cv2.absdiff(s, p), cv2.COLOR_RGB2GRAY)) for s, p in zip(snowy, plain, strict=True)
    ]
    assert all(f.mean() > 0.2 for f in flakes)  # snow is there to measure
    # Frame to frame (a flake moves a few pixels): over longer gaps the lattice of look-alike dots aliases.
    return float(np.median([cv2.phaseCorrelate(a, b)[0][0] for a, b in itertools.pairwise(flakes)]))


def test_weather_moves_with_the_camera(monkeypatch: pytest.MonkeyPatch) -> None:
    # Panning left slides the world right, the snow in it too; panning right slides it left; a locked-off
    # camera sees it fall with the wind alone (the seed's wind: a drift of a pixel or two a frame). Snow drawn
    # over the finished frame drifts the same way whatever the camera.
    left, right = _weather_shift("pan_left", monkeypatch), _weather_shift("pan_right", monkeypatch)
    still = _weather_shift("static", monkeypatch)
    assert left - still > 1.2 and right - still < -1.2 and abs(still) < 2.5, (left, right, still)


def _steps(performance: Performance, fps: int = 24) -> np.ndarray:
    """How far the subject's sprite moves (metres, sideways and up) from each frame to the next over the shot."""
    poses = [performance.pose(i / fps) for i in range(int(performance.duration * fps))]
    return np.array([math.hypot(b.dx - a.dx, b.dy - a.dy) for a, b in itertools.pairwise(poses)])


@pytest.mark.parametrize("gait", ["walk", "run", "ride"])
def test_a_tracked_gait_never_stops_dead(gait: str) -> None:
    # A gallop the camera tracks does not cross the frame: its bob alone moved it, and at the top and bottom
    # of each bob the frame repeated (the critic flagged a frozen frame). The stride's surge keeps it going.
    tracked = Performance(gait, 1.7, duration=4.0, frame_width=6.0, travels_with_camera=True)
    steps = _steps(tracked)
    assert steps.min() > 0.25 * np.median(steps), (steps.min(), np.median(steps))


@pytest.mark.parametrize("gait", ["walk", "run", "ride"])
def test_a_walker_crossing_the_frame_never_steps_back(gait: str) -> None:
    crossing = Performance(gait, 0.6, duration=4.0, frame_width=3.0)
    xs = np.array([crossing.pose(i / 24).dx for i in range(96)])
    assert (np.diff(xs) > 0.4 * crossing.speed / 24).all()


def test_a_close_shot_calms_the_acting_but_not_a_wide_one() -> None:
    # A close-up frames part of the subject: it acts within the frame as the body would within a medium shot.
    wide = Performance("flutter", 2.0, duration=2.0, frame_width=6.0, frame_height=4.0)
    close = Performance("flutter", 2.0, duration=2.0, frame_width=1.0, frame_height=0.5)
    assert wide.reach == 1.0 and close.reach == 0.25
    t = 0.2
    assert close.pose(t).dy == pytest.approx(wide.pose(t).dy * 0.25)
    assert 1 - close.pose(t).down == pytest.approx((1 - wide.pose(t).down) * 0.25)


@pytest.mark.parametrize("words", ["a butterfly", "two butterflies", "a bee", "a hummingbird", "a dragonfly"])
def test_small_flyers_are_drawn_with_wings(words: str) -> None:
    assert subject_shape(words).kind == "winged"
    assert subject_shape("a beekeeper").kind != "winged"


@pytest.mark.parametrize("words", ["a skateboarder", "a cyclist", "a surfer on a wave", "a ballerina", "a monk"])
def test_people_by_what_they_do_are_drawn_as_people(words: str) -> None:
    # They were placards: a sign on a post rolling down a street in a fast tracking shot.
    assert subject_shape(words).kind == "person"


def test_a_walker_crosses_a_short_shot_no_faster_than_a_slow_pan() -> None:
    # 40 % of the frame over a 1.5 s shot was 0.27 frame widths a second, faster than a fast pan: the critic read
    # a locked-off close-up of a car driving by as the camera panning.
    short = Performance("run", 0.6, duration=1.5, frame_width=4.0)
    long = Performance("run", 0.6, duration=20.0, frame_width=4.0)
    assert short.speed <= 0.06 * 4.0
    assert long.speed == pytest.approx(0.4 * 4.0 / 20.0)  # a long shot still crosses 40 % of the frame


@pytest.mark.parametrize(
    ("words", "action"),
    [("howls", "sway"), ("making snowman", "sway"), ("stands in the rain", "idle"), ("waits", "idle"), ("runs", "run")],
)
def test_a_named_action_without_a_gesture_is_acted_unless_it_holds_still(words: str, action: str) -> None:
    # A samurai who "stands in the rain" swayed in a close-up: the critic read the whole frame as handheld.
    assert acted_action(words, named=True) == action
    assert acted_action(words, named=False) == action_of(words)
    assert acted_action("crash on rocks", named=True, alive=False) == "idle"  # waves drawn as a placard
