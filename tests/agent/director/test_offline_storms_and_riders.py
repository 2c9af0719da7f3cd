"""Offline readings creators hit: storms are weather, riders keep their ride, a path move beats handheld."""

from __future__ import annotations

import pytest

from agent.director.offline import OfflineDirector
from agent.spec import ShotSpec


def _reply(message: str):
    return OfflineDirector().direct_sync(message, author="ana", base=None)


def _spec(message: str) -> ShotSpec:
    return _reply(message).spec


def test_a_handheld_tracking_shot_follows_the_rider_through_the_village() -> None:
    spec = _spec("handheld tracking shot following a boy on a bike through a village")
    assert (spec.subject, spec.setting, spec.camera_movement) == ("a boy on a bike", "a village", "tracking")


def test_a_correction_to_handheld_still_wins() -> None:
    assert _spec("a dog in a park, slow pan left, actually handheld").camera_movement == "handheld"


@pytest.mark.parametrize(
    ("message", "subject", "action", "setting"),
    [
        ("a snowy owl landing on a branch in a blizzard", "a snowy owl", "landing", "a branch"),
        ("a girl sitting on a bench in a park", "a girl", "sitting on a bench", "a park"),
        ("a man in a bike shop", "a man", None, "a bike shop"),
        ("a woman on horseback along a beach", "a woman on horseback", None, "a beach"),
    ],
)
def test_who_what_and_where(message: str, subject: str, action: str | None, setting: str) -> None:
    spec = _spec(message)
    assert (spec.subject, spec.action, spec.setting) == (subject, action, setting), message


@pytest.mark.parametrize(
    ("message", "setting", "effect"),
    [
        ("a lighthouse in a storm at night", None, "rain"),
        ("rain during a funeral", "a funeral", "rain"),
        ("a snowy owl landing on a branch in a blizzard", "a branch", "snow"),
        ("a snow storm in the mountains", "the mountains", "snow"),
    ],
)
def test_weather_is_an_effect_never_the_setting_or_subject(message: str, setting: str | None, effect: str) -> None:
    spec = _spec(message)
    assert spec.setting == setting and effect in spec.effects, message
    assert spec.subject not in {"rain", "a storm", "snow"}, message
    assert not ({"rain", "snow"} - {effect}) & set(spec.effects), message


@pytest.mark.parametrize("message", ["dolly zoom on a detective in a hallway", "vertigo shot of a man on a staircase"])
def test_a_dolly_zoom_says_what_was_kept(message: str) -> None:
    reply = _reply(message)
    assert reply.spec.camera_movement == "dolly_in"
    notes = " ".join(reply.notes)
    assert "dolly zoom" in notes and "dropped" not in notes and "no direction" not in notes


@pytest.mark.parametrize(
    ("message", "effects"),
    [
        ("make it night with a dust storm", ["dust"]),
        ("a camel crossing the desert in a sandstorm, slow truck right", ["dust"]),
        ("make it night with fireworks", ["fireworks"]),
        ("a ferris wheel at night, fireworks behind", ["fireworks"]),
        ("a dusty road at noon, heat haze", ["fog"]),
        ("a storm at sea", ["rain"]),
    ],
)
def test_dust_storms_fireworks_and_heat_haze_are_effects_not_subjects(message: str, effects: list[str]) -> None:
    spec = _spec(message)
    assert spec.effects == effects, message
    assert not (spec.subject or "").startswith(("with ", "heat")), spec.subject


@pytest.mark.parametrize(
    "message", ["a knight rides, vertical 8 seconds", "a knight rides in portrait", "a knight rides, vertical 5s"]
)
def test_vertical_before_a_duration_and_in_portrait_are_the_frame(message: str) -> None:
    spec = _spec(message)
    assert (spec.subject, spec.aspect_ratio) == ("a knight", "9:16"), message


def test_a_portrait_of_someone_is_not_the_frame() -> None:
    assert _spec("a portrait of a woman by a window").aspect_ratio is None


@pytest.mark.parametrize(
    ("message", "subject", "angle"),
    [
        ("a wide aerial shot of the harbour at dawn in the fog, drone rising", None, "aerial"),
        ("a wide low angle shot of a tower", "a tower", "low_angle"),
        ("a wide establishing shot of a castle", "a castle", None),
    ],
)
def test_wide_before_the_shot_s_other_words_is_the_size_not_the_subject(
    message: str, subject: str | None, angle: str | None
) -> None:
    spec = _spec(message)
    assert (spec.subject, spec.shot_size, spec.camera_angle) == (subject, "wide", angle), message


def test_a_wide_river_is_a_place_not_a_size() -> None:
    assert _spec("a wide river at dawn").shot_size is None


@pytest.mark.parametrize(
    ("message", "subject", "action", "setting"),
    [
        ("POV shot running through a forest at night with a flashlight", None, "running", "a forest"),
        ("drone shot flying over a waterfall, moving forward", None, "flying", "a waterfall"),
        ("underwater shot of a sea turtle swimming past coral", "a sea turtle", "swimming", "coral"),
        ("a cat knocks a glass off a table in slow motion", "a cat", "knocks a glass off a table", None),
        ("a dragon breathes fire over a medieval village", "a dragon", "breathes fire", "a medieval village"),
        ("a knight with a sword walks through a forest", "a knight with a sword", "walks", "a forest"),
    ],
)
def test_an_action_or_a_prop_alone_is_never_the_subject(
    message: str, subject: str | None, action: str, setting: str | None
) -> None:
    spec = _spec(message)
    assert (spec.subject, spec.action, spec.setting) == (subject, action, setting), message


@pytest.mark.parametrize(
    ("message", "move"), [("slow dolly left", "truck_left"), ("the camera dollies right", "truck_right")]
)
def test_a_dolly_moved_sideways_is_a_truck(message: str, move: str) -> None:
    reply = _reply(f"a dinner for two, {message}")
    assert reply.spec.camera_movement == move
    assert not any("no direction" in note for note in reply.notes)
