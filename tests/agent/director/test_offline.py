"""The offline director against a table of phrasings, multi-turn refinements and the VBench-2.0 camera prompts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.director.base import Director
from agent.director.offline import OfflineDirector
from agent.spec import ShotSpec
from agent.testing.phrasings import CONVERSATIONS, PHRASINGS

EXACT_FIELDS = (
    "shot_size",
    "camera_angle",
    "camera_movement",
    "camera_speed",
    "time_of_day",
    "aspect_ratio",
    "duration_s",
    "fps",
)
VBENCH = Path(__file__).resolve().parents[2] / "data" / "vbench" / "Camera_Motion.json"  # README.md beside it


def check(spec: ShotSpec, question: str | None, expected: dict[str, object], *, base: ShotSpec | None) -> list[str]:
    """Every way the spec differs from what was expected (empty when right)."""
    problems = []
    for name in EXACT_FIELDS:
        unchanged = getattr(base, name) if base is not None else None  # not named: as before, nothing invented
        want = expected.get(name, unchanged)
        got = getattr(spec, name)
        ok = abs(want - got) < 0.01 if isinstance(want, float) and isinstance(got, float) else got == want
        if not ok:
            problems.append(f"{name}: {got!r} != {want!r}")
    for name, want in expected.items():
        if name in EXACT_FIELDS:
            continue
        if name == "question":
            if bool(question) != want:
                problems.append(f"question: {question!r}")
            continue
        got = getattr(spec, name)
        if want is None:
            if got is not None:
                problems.append(f"{name}: {got!r} != None")
        elif str(want).lower() not in str(got or "").lower():
            problems.append(f"{name}: {got!r} lacks {want!r}")
    return problems


def test_offline_director_is_a_director() -> None:
    assert isinstance(OfflineDirector(), Director)


@pytest.mark.parametrize(("message", "expected"), PHRASINGS, ids=[m[:40] for m, _ in PHRASINGS])
def test_phrasing(message: str, expected: dict[str, object]) -> None:
    reply = OfflineDirector().direct_sync(message, author="ana")
    assert check(reply.spec, reply.question, expected, base=None) == []


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c[0][0][:40] for c in CONVERSATIONS])
async def test_conversation(conversation: list[tuple[str, dict[str, object]]]) -> None:
    director = OfflineDirector()
    base: ShotSpec | None = None
    for turn, (message, expected) in enumerate(conversation):
        reply = await director.direct(message, author=f"user{turn}", base=base)
        assert check(reply.spec, reply.question, expected, base=base) == [], message
        assert all(change.author == f"user{turn}" for change in reply.changes)
        base = reply.spec


def test_table_sizes() -> None:
    assert len(PHRASINGS) >= 80
    assert len(CONVERSATIONS) >= 15


def test_vbench_camera_motion_prompts_read_as_their_move() -> None:
    entries = [e for e in json.loads(VBENCH.read_text()) if e["auxiliary_info"] != "oblique"]
    accepted = {
        "zoom_in": {"zoom_in", "dolly_in"},
        "zoom_out": {"zoom_out", "dolly_out"},
        "orbits": {"orbit_left", "orbit_right"},
    }
    director = OfflineDirector()
    misses = []
    for entry in entries:
        label = entry["auxiliary_info"]
        move = director.direct_sync(entry["prompt_en"], author="vbench").spec.camera_movement
        if move not in accepted.get(label, {label}):
            misses.append((entry["prompt_en"], label, move))
    assert len(entries) >= 90
    assert 1 - len(misses) / len(entries) >= 0.95, misses


def test_changes_are_attributed_and_notes_explain_snaps() -> None:
    director = OfflineDirector()
    first = director.direct_sync("a heron in a marsh, 90 seconds, 240 fps", author="ana")
    assert first.spec.duration_s == 60.0 and first.spec.fps == 60
    assert any("duration snapped" in n for n in first.notes) and any("frame rate snapped" in n for n in first.notes)
    second = director.direct_sync("make it night", author="ben", base=first.spec)
    assert [(c.field, c.old, c.new, c.author) for c in second.changes] == [("time_of_day", None, "night", "ben")]


@pytest.mark.parametrize(
    "message",
    ["make it snow instead", "make it snow", "snow instead of rain", "swap the rain for snow", "no rain, snow instead"],
)
def test_new_weather_replaces_the_old(message: str) -> None:
    director = OfflineDirector()
    rainy = director.direct_sync("a fox in a rainy street at night", author="ana").spec
    assert rainy.effects == ["rain"] and rainy.setting == "a rainy street"
    snowy = director.direct_sync(message, author="ben", base=rainy).spec
    assert snowy.effects == ["snow"], message
    assert snowy.setting == "a snowy street" and snowy.subject == "a fox" and snowy.time_of_day == "night", message


@pytest.mark.parametrize(
    ("message", "size"),
    [("close-up on his face, handheld", "close_up"), ("extreme close-up on the samurai", "extreme_close_up")],
)
def test_what_a_shot_size_points_at_is_not_a_new_setting(message: str, size: str) -> None:
    director = OfflineDirector()
    shot = director.direct_sync("a samurai walking through a neon alley at night, dolly in", author="ana").spec
    closer = director.direct_sync(message, author="ben", base=shot).spec
    assert closer.shot_size == size
    assert (closer.subject, closer.setting, closer.action) == (shot.subject, shot.setting, shot.action), message


def test_only_an_effect_of_the_same_kind_is_replaced_and_an_added_one_joins() -> None:
    director = OfflineDirector()
    rainy = director.direct_sync("a fox in a rainy street, slow motion", author="ana").spec
    assert director.direct_sync("lens flares", author="a", base=rainy).spec.effects == [
        "rain",
        "slow motion",
        "lens flare",
    ]
    assert director.direct_sync("make it snow as well", author="a", base=rainy).spec.effects == [
        "rain",
        "slow motion",
        "snow",
    ]
    assert director.direct_sync("time-lapse instead", author="a", base=rainy).spec.effects == ["rain", "time-lapse"]


def test_vague_request_asks_and_invents_nothing() -> None:
    for message in ("make a video", "something cool", "can you make me a clip?", "surprise me"):
        reply = OfflineDirector().direct_sync(message, author="ana")
        assert reply.question, message
        assert reply.spec == ShotSpec(), message


def test_one_move_per_shot_and_corrections() -> None:
    director = OfflineDirector()
    assert director.direct_sync("pan left, no wait, pan right", author="a").spec.camera_movement == "pan_right"
    reply = director.direct_sync("dolly in then tilt up on a tower", author="a")
    assert reply.spec.camera_movement == "dolly_in"
    assert any("one camera move" in n for n in reply.notes)
    assert director.direct_sync("not a pan, a slow zoom out", author="a").spec.camera_movement == "zoom_out"


def test_nouns_that_look_like_moves_are_not_moves() -> None:
    director = OfflineDirector()
    for message in (
        "a red truck driving down a highway",
        "a truck in the desert at noon",
        "deer tracks in the snow",
        "a chef tossing vegetables in a frying pan",
        "a crane standing in a pond",
        "a train on the tracks in the snow",
        "a moon orbiting a planet",
        "a hawk circles above a field",
        "a girl pulls out a sword",
    ):
        assert director.direct_sync(message, author="a").spec.camera_movement is None, message
