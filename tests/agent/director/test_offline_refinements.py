"""Refinements creators type about a take: exposure, the subject's size in frame, a steadier camera."""

from __future__ import annotations

import pytest

from agent.director.offline import OfflineDirector
from agent.spec import ShotSpec

BASE = "a red fox trots through fresh snow, handheld, medium shot"


def _refined(message: str) -> ShotSpec:
    director = OfflineDirector()
    base = director.direct_sync(BASE, author="ana").spec
    return director.direct_sync(message, author="ben", base=base).spec


@pytest.mark.parametrize(
    ("message", "lighting"),
    [
        ("this one is too dark", "bright light"),
        ("brighter", "bright light"),
        ("a bit darker", "dim light"),
        ("too bright, and slower", "dim light"),
    ],
)
def test_exposure_asks_for_the_light_wanted_not_the_words_said(message: str, lighting: str) -> None:
    spec = _refined(message)
    assert (spec.lighting, spec.mood, spec.subject) == (lighting, None, "a red fox"), message


@pytest.mark.parametrize(
    ("message", "size"),
    [("make the fox bigger in frame", "medium_close_up"), ("make him smaller in frame", "medium_wide")],
)
def test_bigger_in_frame_is_a_tighter_shot(message: str, size: str) -> None:
    spec = _refined(message)
    assert (spec.shot_size, spec.subject) == (size, "a red fox"), message


@pytest.mark.parametrize("message", ["less shaky please", "steadier camera", "stabilize it"])
def test_a_steadier_camera_locks_the_handheld_shot_off(message: str) -> None:
    assert _refined(message).camera_movement == "static", message


def test_dark_said_of_the_scene_is_still_its_mood() -> None:
    assert _refined("make it dark and eerie").mood is not None


def test_a_lighter_shade_is_no_exposure_edit() -> None:
    assert _refined("a lighter shade of blue sky").lighting is None
