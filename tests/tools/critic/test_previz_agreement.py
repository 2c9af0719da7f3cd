"""Previz and the critic agree: a take previz rendered right passes the critic judged against its own spec."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
import torch

from agent.compile import compile_shot
from agent.expect import expectation_from
from agent.spec import ShotSpec
from generator.families import PREVIZ
from generator.previz import PrevizGenerator
from generator.vocabulary import CAMERA_MOVEMENTS
from tools.critic.critic import critique_clip
from tools.critique import Critique
from tools.testing.footage import write_clip

pytestmark = pytest.mark.slow

WIDTH, HEIGHT, FPS, SECONDS = 320, 192, 16, 1.5
# "tracking" names no direction (the camera follows the subject either way), so reversing it is no fault.
DIRECTIONAL = [m for m in CAMERA_MOVEMENTS if m not in {"static", "handheld", "tracking"}]
# (camera speed, time of day, shot size): every move in each.
SAMPLES = [("medium", "day", "wide"), ("slow", "night", "close_up")]
# Single cases outside the full matrix: (camera speed, time of day, shot size, move).
EXTRA = [("medium", "night", "wide", "dolly_in")]
# Open disagreements (docs/critic.md, known limits). Fixed since the first list: slow night close-up
# tracking and handheld no longer flag a frozen frame; the medium wide dolly at night reads the dolly (the
# caption strip burnt into previz frames is gone); the medium wide orbits by day read the orbit (its parallax
# about the still subject, tools/critic/parallax.py). Still open: when the subject fills a slow close-up at
# night, it covers the frame's sides too, leaving no background to show the orbit, which reads static (previz
# draws a lighthouse as a flat sign 2 m wide, which a close-up frames past the frame's edges; the slow orbit turns
# 5 degrees in 1.5 s, seen only in the strips of night sky beside the sign, and a flat sprite does not turn as
# the camera circles it: a tower-shaped subject, or a sprite drawn in perspective, would show it). Each is a
# strict expected failure: a case that starts passing fails the run (remove it here), and a case failing any
# check not listed for it fails outright.
KNOWN: dict[tuple[str, str, str, str], set[str]] = {
    ("slow", "night", "close_up", "orbit_left"): {"camera_move", "camera_speed", "motion_amount"},
    ("slow", "night", "close_up", "orbit_right"): {"camera_move", "camera_speed", "motion_amount"},
}


class KnownDisagreement(Exception):
    """A case listed in KNOWN failed only checks listed for it."""


def _case(speed: str, tod: str, size: str, move: str) -> object:
    known = KNOWN.get((speed, tod, size, move))
    marks = []
    if known:
        reason = f"known disagreement: {', '.join(sorted(known))}"
        marks.append(pytest.mark.xfail(strict=True, raises=KnownDisagreement, reason=reason))
    return pytest.param(speed, tod, size, move, marks=marks, id=f"{speed}-{tod}-{size}-{move}")


CASES = [_case(*sample, move) for sample in SAMPLES for move in CAMERA_MOVEMENTS] + [_case(*c) for c in EXTRA]


def _take(tmp: Path, move: str, speed: str, tod: str, size: str, faults: tuple[str, ...] = ()) -> Critique:
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    spec = ShotSpec(
        subject="a lighthouse on a cliff",
        camera_movement=move,
        camera_speed=speed,
        time_of_day=tod,
        shot_size=size,
        duration_s=SECONDS,
        fps=FPS,
    )
    request = compile_shot(spec, PREVIZ).request.model_copy(update={"width": WIDTH, "height": HEIGHT, "faults": faults})
    frames = PrevizGenerator().render(request).frames
    path = write_clip(frames, tmp / f"{move}-{speed}-{tod}-{size}-{'-'.join(faults)}.mp4", fps=FPS)
    return critique_clip(path, expectation_from(spec, request))


def _failed(critique: Critique) -> list[str]:
    return [f"{c.name}={c.value} (expected {c.expected}; {c.detail})" for c in critique.checks if not c.passed]


@pytest.mark.parametrize(("speed", "tod", "size", "move"), CASES)
def test_a_previz_take_passes_the_critic_against_its_own_spec(tmp_path, speed, tod, size, move) -> None:
    critique = _take(tmp_path, move, speed, tod, size)
    failed = {c.name for c in critique.checks if not c.passed}
    known = KNOWN.get((speed, tod, size, move), set())
    assert failed <= known, (critique.camera_motion.detected, _failed(critique))
    if failed:
        raise KnownDisagreement(_failed(critique))


def test_a_reversed_camera_fails_for_every_directional_move(tmp_path) -> None:
    passed = {}
    for move in DIRECTIONAL:
        critique = _take(tmp_path, move, "medium", "dusk", "medium", faults=("camera_reversed",))
        if critique.passed or all(c.passed for c in critique.checks if c.name == "camera_move"):
            passed[move] = critique.camera_motion.detected
    assert not passed, passed


def test_a_static_take_fails_when_a_slow_move_was_asked(tmp_path) -> None:
    # The speed-scaled motion expectation must not let a still clip through.
    spec_move, speed = "dolly_in", "slow"
    critique = _take(tmp_path, "static", speed, "night", "close_up")
    assert critique.passed  # static as itself is fine
    still = critique_clip(
        next(tmp_path.glob("static-*.mp4")),
        expectation_from(
            ShotSpec(subject="a lighthouse on a cliff", camera_movement=spec_move, camera_speed=speed, fps=FPS)
        ),
    )
    names = {c.name for c in still.checks if not c.passed}
    assert {"camera_move", "motion_amount"} <= names, _failed(still)


# Creator threads that failed in `dailies chat`: (words of the spec, frame width, height).
CHAT_VERTICAL = (480, 848)  # the chat's 9:16 size: previz snow was denser the bigger the frame
THREADS = {
    "anime-night-pan": (
        {"subject": "a lighthouse", "setting": "a storm", "time_of_day": "night", "shot_size": "wide"}
        | {"style": "anime", "camera_movement": "pan_left"},
        WIDTH,
        HEIGHT,
    ),
    "snow-night-dolly": (
        {"subject": "a samurai", "action": "walking", "setting": "a neon alley", "lighting": "neon"}
        | {"time_of_day": "night", "camera_movement": "dolly_in", "camera_speed": "slow", "effects": ["snow"]},
        *CHAT_VERTICAL,
    ),
    "snow-close-handheld": (
        {"subject": "a samurai", "setting": "a neon alley", "time_of_day": "night", "shot_size": "close_up"}
        | {"camera_movement": "handheld", "effects": ["snow"]},
        *CHAT_VERTICAL,
    ),
    "snow-night-crane": (
        {"subject": "a samurai", "setting": "a neon alley", "time_of_day": "night", "effects": ["snow"]}
        | {"camera_movement": "crane_up"},
        *CHAT_VERTICAL,
    ),
    # A butterfly drawn as a placard filled the close-up and flapped the whole frame: handheld, and flicker.
    "butterfly-close-static": (
        {"subject": "a butterfly", "action": "flutters", "setting": "a meadow", "shot_size": "close_up"}
        | {"camera_movement": "static", "aspect_ratio": "1:1"},
        WIDTH,
        WIDTH,
    ),
    # The tracked horse only bobbed: at the top and bottom of each bob a frame repeated (a frozen frame).
    "gallop-tracking": (
        {"subject": "a horse", "action": "galloping", "setting": "a beach", "time_of_day": "golden_hour"}
        | {"camera_movement": "tracking", "fps": 24, "duration_s": 2.0},
        WIDTH,
        HEIGHT,
    ),
    # A fast tracking shot moves the world at the subject's depth at the fast rate; the buildings behind it, which
    # the critic tracks, slide a quarter as fast: graded slow.
    "fast-tracking-rain": (
        {"subject": "a skateboarder", "action": "rolls down a street", "setting": "a street", "effects": ["rain"]}
        | {"camera_movement": "tracking", "camera_speed": "fast"},
        WIDTH,
        HEIGHT,
    ),
    # An aerial crane looks steeply down on a soft ground: it read static until weak still texture stopped
    # counting as a held camera (tools/critic/pinned.py); pedestal_up now, a look-alike (docs/critic.md).
    "aerial-crane": (
        {"subject": "misty mountains", "setting": "misty mountains", "time_of_day": "dawn", "shot_size": "wide"}
        | {"camera_angle": "aerial", "camera_movement": "crane_up"},
        WIDTH,
        HEIGHT,
    ),
}
OPEN_THREADS: set[str] = set()  # strict: a thread that starts passing fails the run (remove it here)
# Still open: a slow dolly in on a vertical night alley reads static over 1.5 s, snow or not (docs/critic.md).
OPEN_IN_THREADS = {"snow-night-dolly": {"camera_move", "camera_speed"}}


def _thread(name: str) -> object:
    marks = [pytest.mark.xfail(strict=True, reason="known disagreement")] if name in OPEN_THREADS else []
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("thread", [_thread(name) for name in sorted(THREADS)])
def test_a_creators_thread_passes_the_critic(tmp_path, thread: str) -> None:
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    fields, width, height = THREADS[thread]
    spec = ShotSpec(**({"duration_s": SECONDS, "fps": FPS} | fields))
    request = compile_shot(spec, PREVIZ).request.model_copy(update={"width": width, "height": height})
    frames = PrevizGenerator().render(request).frames
    clip = write_clip(frames, tmp_path / f"{thread}.mp4", fps=spec.fps)
    critique = critique_clip(clip, expectation_from(spec, request))
    failed = {c.name for c in critique.checks if not c.passed}
    assert failed <= OPEN_IN_THREADS.get(thread, set()), (critique.camera_motion.detected, _failed(critique))
