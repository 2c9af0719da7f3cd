"""Offline readings creators hit: an overcast sky is light, pairs act together, "film of" is the medium."""

from __future__ import annotations

import pytest

from agent.director.offline import OfflineDirector
from agent.spec import ShotSpec


def _spec(message: str) -> ShotSpec:
    return OfflineDirector().direct_sync(message, author="ana", base=None).spec


@pytest.mark.parametrize(
    ("message", "lighting", "time_of_day"),
    [
        ("low angle shot of a skyscraper, tilt up, overcast", "overcast", None),
        ("a harbour on an overcast day", "overcast", "day"),
        ("a cat on a windowsill on a cloudy afternoon", "cloudy", "day"),
        ("a farmer in a field under grey skies, wide shot", "under grey skies", None),
        ("a lighthouse, overcast, warm light", "overcast, warm light", None),
    ],
)
def test_an_overcast_sky_is_the_light_of_the_shot(message: str, lighting: str, time_of_day: str | None) -> None:
    spec = _spec(message)
    assert (spec.lighting, spec.time_of_day) == (lighting, time_of_day), message


def test_a_sunny_day_is_still_only_the_time_of_day() -> None:
    spec = _spec("a dog on a beach on a sunny day")
    assert (spec.lighting, spec.time_of_day) == (None, "day")


@pytest.mark.parametrize(
    ("message", "subject", "action"),
    [
        ("a bride and groom kiss at the altar", "a bride and groom", "kiss"),
        ("the couple dance in the rain", "the couple", "dance"),
        ("a knight and a dragon fight on a cliff", "a knight and a dragon", "fight"),
        ("two dogs play in the snow", "two dogs", "play"),  # already read: must not change
        ("salt and pepper on a table", "salt and pepper", None),  # "and" alone makes no verb
        ("rock and roll band on stage", "rock and roll band", None),
    ],
)
def test_a_pair_or_a_couple_acts_together(message: str, subject: str, action: str | None) -> None:
    spec = _spec(message)
    assert (spec.subject, spec.action) == (subject, action), message


@pytest.mark.parametrize(
    ("message", "subject", "style"),
    [
        ("film of a cat sleeping", "a cat", None),
        ("noir film of a cat sleeping", "a cat", "noir"),
        ("a black and white film of a cat sleeping", "a cat", "black and white"),
        ("film a cat sleeping", "a cat", None),  # "film" as the verb still works
    ],
)
def test_a_film_of_something_is_the_medium_not_the_verb(message: str, subject: str, style: str | None) -> None:
    spec = _spec(message)
    assert (spec.subject, spec.action, spec.style) == (subject, "sleeping", style), message


def test_fireworks_overhead_are_the_effect_not_the_camera_angle() -> None:
    spec = _spec("a castle with fireworks overhead, wide shot, slow crane up")
    assert (spec.subject, spec.camera_angle, spec.effects) == ("a castle", None, ["fireworks"])


@pytest.mark.parametrize(
    ("message", "shot_size"),
    [
        ("an astronaut walks on mars, wide, orbit around him, golden hour", "wide"),
        ("wide, a river at dawn", "wide"),
        ("a wide river at dawn", None),  # a wide river is a river
    ],
)
def test_wide_said_as_a_clause_of_its_own_is_the_size(message: str, shot_size: str | None) -> None:
    assert _spec(message).shot_size == shot_size, message


@pytest.mark.parametrize(
    ("message", "subject", "action"),
    [
        ("a skateboarder does a kickflip in slow motion, low angle", "a skateboarder", "does a kickflip"),
        ("a girl has a red balloon", "a girl", "has a red balloon"),
    ],
)
def test_does_and_has_are_actions(message: str, subject: str, action: str) -> None:
    spec = _spec(message)
    assert (spec.subject, spec.action) == (subject, action), message


def test_a_bioluminescent_sea_is_its_light() -> None:
    assert _spec("a jellyfish drifting in the deep ocean, bioluminescent, slow push in").lighting == "bioluminescent"


@pytest.mark.parametrize(
    ("message", "subject", "setting"),
    [
        ("zoom out from a single raindrop to reveal a storm over a city", "a single raindrop", "a city"),
        ("slow zoom out from a single raindrop, revealing a storm over a city", "a single raindrop", "a city"),
        ("a curtain opens revealing a stage", "a curtain", "a stage"),
    ],
)
def test_what_a_move_reveals_is_not_the_subject(message: str, subject: str, setting: str) -> None:
    spec = _spec(message)
    assert (spec.subject, spec.setting) == (subject, setting), message


@pytest.mark.parametrize(
    ("message", "action"),
    [
        ("a sunflower field swaying in the wind at golden hour", "swaying in the wind"),
        ("a flag waves in the breeze", "waves in the breeze"),
    ],
)
def test_the_wind_is_not_a_place(message: str, action: str) -> None:
    spec = _spec(message)
    assert (spec.action, spec.setting) == (action, None), message


def test_a_spotlight_is_light_not_part_of_the_place() -> None:
    spec = _spec("a ballerina spins on a stage under a single spotlight, static, 9:16")
    assert (spec.setting, spec.lighting) == ("a stage", "under a single spotlight")
