"""Messages the offline director misread in `dailies chat`: aerial shots, a move across a new place, added snow."""

from __future__ import annotations

import pytest

from agent.director.offline import OfflineDirector
from agent.spec import ShotSpec


def _spec(message: str, base: ShotSpec | None = None) -> ShotSpec:
    return OfflineDirector().direct_sync(message, author="ana", base=base).spec


@pytest.mark.parametrize(
    ("message", "setting", "move"),
    [
        ("aerial drone shot rising over misty mountains at sunrise, 16:9, 6 seconds", "misty mountains", "crane_up"),
        ("aerial shot over a coastline at dawn", "a coastline", None),
        ("drone shot over a city at night", "a city", None),
        ("an aerial view of a coastline", "a coastline", None),
    ],
)
def test_aerial_and_drone_describe_the_camera_not_the_subject(message: str, setting: str, move: str | None) -> None:
    spec = _spec(message)
    assert spec.subject is None, message
    assert spec.setting == setting, message
    assert spec.camera_angle == "aerial" and spec.camera_movement == move, message


def test_the_aerial_drone_shot_keeps_its_other_fields() -> None:
    spec = _spec("aerial drone shot rising over misty mountains at sunrise, 16:9, 6 seconds")
    assert (spec.time_of_day, spec.aspect_ratio, spec.duration_s) == ("dawn", "16:9", 6.0)


LIGHTHOUSE = "static wide shot of a lighthouse in a storm at night"


@pytest.mark.parametrize(
    ("message", "setting", "move"),
    [
        ("pan left across a busy market, anime style", "a busy market", "pan_left"),
        ("truck right along a crowded beach", "a crowded beach", "truck_right"),
        ("drone shot rising over a snowy valley", "a snowy valley", "crane_up"),
        ("track him through a crowded train station", "a crowded train station", "tracking"),
        ("crane up over the rooftops", "the rooftops", "crane_up"),
    ],
)
def test_a_move_across_a_new_place_makes_it_the_setting(message: str, setting: str, move: str) -> None:
    base = _spec(LIGHTHOUSE)
    spec = _spec(message, base)
    assert spec.camera_movement == move and spec.setting == setting, message
    assert spec.subject == base.subject and spec.time_of_day == "night", message


@pytest.mark.parametrize(
    "message", ["push in on the knight", "pan left across the forest", "orbit around the knight", "zoom in on his face"]
)
def test_a_move_pointing_at_the_shot_keeps_its_content(message: str) -> None:
    base = _spec("a knight rides through a misty forest at dawn")
    spec = _spec(message, base)
    assert (spec.subject, spec.action, spec.setting) == (base.subject, base.action, base.setting), message


def test_the_new_market_keeps_the_style_said_with_it() -> None:
    spec = _spec("pan left across a busy market, anime style", _spec(LIGHTHOUSE))
    assert spec.style == "anime" and spec.shot_size == "wide"


@pytest.mark.parametrize("message", ["add some snow", "add snow", "add some snow please", "add falling snow"])
def test_adding_snow_adds_the_effect(message: str) -> None:
    fox = _spec("a fox in a field at dusk")
    spec = _spec(message, fox)
    assert spec.effects == ["snow"], message
    assert (spec.subject, spec.setting) == ("a fox", "a field"), message


def test_adding_snow_to_rain_keeps_both() -> None:
    rainy = _spec("a fox in a rainy street at night")
    assert _spec("add some snow", rainy).effects == ["rain", "snow"]


@pytest.mark.parametrize("message", ["instead of rain, snow", "instead of the rain, snow", "instead of rain snow"])
def test_instead_of_rain_then_snow_swaps_the_effect(message: str) -> None:
    rainy = _spec("a fox in a rainy street at night")
    snowy = _spec(message, rainy)
    assert snowy.effects == ["snow"], message
    assert snowy.setting == "a snowy street" and snowy.subject == "a fox", message
    assert snowy.negative_prompt is None, message


def test_adding_a_thing_still_joins_the_subject() -> None:
    fox = _spec("a fox in a field at dusk")
    assert _spec("add a red collar", fox).subject == "a fox with a red collar"


@pytest.mark.parametrize(
    ("message", "field", "value"),
    [
        ("night instead of dawn", "time_of_day", "night"),
        ("instead of dawn, night", "time_of_day", "night"),
        ("vertical instead of square", "aspect_ratio", "9:16"),
    ],
)
def test_a_swap_to_another_fields_word_leaves_the_subject(message: str, field: str, value: str) -> None:
    fox = _spec("a fox in a rainy street at dawn")
    spec = _spec(message, fox)
    assert getattr(spec, field) == value, message
    assert (spec.subject, spec.setting, spec.effects) == ("a fox", "a rainy street", ["rain"]), message


def test_a_move_from_one_thing_to_another_ends_on_the_subject() -> None:
    spec = _spec("tilt down from the sky to a girl reading on a bench")
    assert (spec.subject, spec.action, spec.setting) == ("a girl", "reading", "a bench")


@pytest.mark.parametrize("message", ["no neon", "without the neon", "no neon lights please"])
def test_removing_the_lighting_clears_it_and_keeps_it_out(message: str) -> None:
    samurai = _spec("a samurai walking through a neon alley at night, dolly in")
    assert samurai.lighting == "neon"
    spec = _spec(message, samurai)
    assert spec.lighting is None and "neon" in (spec.negative_prompt or ""), message
    assert (spec.subject, spec.setting) == (samurai.subject, samurai.setting), message


def test_a_lighting_said_with_no_is_kept_out_of_a_new_shot() -> None:
    spec = _spec("a diner with no neon, warm light")
    assert (spec.setting, spec.lighting, spec.negative_prompt) == ("a diner", "warm light", "neon")
