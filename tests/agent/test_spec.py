"""ShotSpec validation: the design's fields and enums, creator-friendly bounds, nulls not invented."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from agent.spec import Character, ShotSpec, Storyboard
from generator.vocabulary import CAMERA_MOVEMENTS

CONTRACT_FIELDS = {
    "subject",
    "action",
    "setting",
    "style",
    "lighting",
    "mood",
    "shot_size",
    "camera_angle",
    "camera_movement",
    "camera_speed",
    "time_of_day",
    "aspect_ratio",
    "duration_s",
    "fps",
    "seed",
    "negative_prompt",
    "characters",
    "effects",
    "continue_previous",  # issue 17: start from the previous storyboard shot's last frame (continuous action)
}


def test_fields_are_exactly_the_contract():
    assert set(ShotSpec.model_fields) == CONTRACT_FIELDS


def test_empty_spec_is_all_null():
    data = ShotSpec().model_dump()
    assert all(data[name] is None for name in CONTRACT_FIELDS - {"characters", "effects"})
    assert data["characters"] == [] and data["effects"] == []


def test_nineteen_camera_moves():
    assert len(CAMERA_MOVEMENTS) == 19
    for move in CAMERA_MOVEMENTS:
        assert ShotSpec(camera_movement=move).camera_movement == move


def test_round_trip_json():
    spec = ShotSpec(
        subject="a knight",
        camera_movement="orbit_left",
        aspect_ratio="2.39:1",
        duration_s=8,
        fps=24,
        seed=3,
        characters=[Character(name="Ana", description="a tall woman in a yellow raincoat")],
        effects=["rain", "rain"],
    )
    again = ShotSpec.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert again.effects == ["rain"]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("duration_s", 90, "between 0.5 and 60 seconds"),
        ("duration_s", 0.1, "between 0.5 and 60 seconds"),
        ("fps", 120, "between 8 and 60 fps"),
        ("fps", 4, "between 8 and 60 fps"),
        ("seed", -1, "from 0 upwards"),
        ("subject", "x" * 2001, "at most 2000"),
        ("camera_movement", "barrel_roll", "camera_movement"),
        ("aspect_ratio", "21:9", "aspect_ratio"),
    ],
)
def test_bad_values_are_refused_clearly(field, value, words):
    with pytest.raises(ValidationError) as info:
        ShotSpec(**{field: value})
    assert words in str(info.value)


def test_unknown_field_is_refused():
    with pytest.raises(ValidationError):
        ShotSpec.model_validate(json.loads('{"subjekt": "typo"}'))


def test_storyboard_finds_characters_case_insensitively():
    board = Storyboard(characters=[Character(name="Ana", description="yellow raincoat")])
    assert board.character("ana").description == "yellow raincoat"
    assert board.character("Bo") is None
