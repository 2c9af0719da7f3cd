"""The LLM director against the scripted OpenAI-compatible server: parse, retry, refusal, errors, explicit words."""

from __future__ import annotations

from typing import Any

import pytest

from agent.director.base import Director, Turn
from agent.director.llm import LLMDirector
from agent.director.patch import SpecPatch
from agent.spec import Character, ShotSpec, Storyboard
from tools.testing.openai_server import ScriptedOpenAI, error, refusal, reply


def patch(**fields: Any) -> dict[str, Any]:
    """A full patch as a strict-mode model sends it: every property present, null when unchanged."""
    return {name: fields.get(name) for name in SpecPatch.model_fields} | fields


def scripted(script: Any) -> ScriptedOpenAI:
    """A grammar server (llama-server) that takes the patch's own schema at once: one request per answer, so the
    tests below count the director's calls, not the ladder's (tests/agent/director/test_llm_dialects.py)."""
    return ScriptedOpenAI(script, dialect="llama-server")


def director_for(server: ScriptedOpenAI, timeout_s: float = 5.0) -> LLMDirector:
    return LLMDirector(base_url=server.base_url, model="test-model", api_key="k", timeout_s=timeout_s)


async def test_structured_patch_is_applied_with_usage_and_strict_schema() -> None:
    base = ShotSpec(subject="a knight", setting="a forest", time_of_day="dawn")
    answer = patch(subject="a red fox", mood="serene", effects=["snow"])
    with ScriptedOpenAI([reply(answer, usage=(812, 40))], dialect="openai") as server:
        director = director_for(server)
        assert isinstance(director, Director)
        result = await director.direct(
            "swap the knight for a red fox, make it serene with falling snow",
            author="ana",
            base=base,
            history=[Turn(author="ben", text="a knight in a forest at dawn")],
        )
    assert result.director == "llm"
    assert (
        result.spec.subject == "a red fox" and result.spec.setting == "a forest" and result.spec.time_of_day == "dawn"
    )
    assert result.spec.mood == "serene" and result.spec.effects == ["snow"]
    assert {c.field for c in result.changes} == {"subject", "mood", "effects"}
    assert all(c.author == "ana" for c in result.changes)
    assert (result.usage.calls, result.usage.prompt_tokens, result.usage.completion_tokens) == (1, 812, 40)
    # First the patch's own schema, where a model writes only what it sets (grammar servers take it); OpenAI's
    # strict mode refuses a property left out of `required`, so the second call requires every one, nullable.
    short, sent = server.requests
    assert short["response_format"]["json_schema"]["strict"] is True
    assert "required" not in short["response_format"]["json_schema"]["schema"]
    assert short["max_tokens"] < sent["max_tokens"]  # the keys it must write are counted in
    assert sent["model"] == "test-model"
    schema = sent["response_format"]["json_schema"]
    assert sent["response_format"]["type"] == "json_schema" and schema["strict"] is True
    assert set(schema["schema"]["required"]) == set(SpecPatch.model_fields)
    assert schema["schema"]["additionalProperties"] is False
    assert sent["max_tokens"] > 0 and sent["temperature"] <= 0.3  # bounded, and low
    system, user = sent["messages"]
    assert system["role"] == "system" and '"subject": "a knight"' in system["content"]
    assert "- ben: a knight in a forest at dawn" in system["content"]
    # The author travels beside the text (a labelled line the prompt explains), never inside it.
    assert "author: ana (a chat name" in system["content"]
    assert user == {"role": "user", "content": "swap the knight for a red fox, make it serene with falling snow"}


async def test_invalid_output_is_retried_once_with_a_short_correction() -> None:
    invalid = "Sure! Here is the shot: a heron standing in a marsh. " * 20
    with scripted([reply(invalid), reply(patch(subject="a heron"))]) as server:
        result = await director_for(server).direct("a heron in a marsh", author="ana")
    assert result.director == "llm" and result.spec.subject == "a heron"
    assert result.usage.calls == 2
    first, retry = (request["messages"] for request in server.requests)
    # The retry says what was wrong in one short line; it does not paste the invalid answer back.
    assert retry[:-1] == first and all(m["role"] != "assistant" for m in retry)
    assert "no JSON object" in retry[-1]["content"] and len(retry[-1]["content"]) < 200


async def test_an_invalid_enum_is_repaired_not_retried() -> None:
    with scripted([reply({"subject": "a heron", "camera_movement": "Pan Left", "shot_size": "sideways"})]) as server:
        result = await director_for(server).direct("a heron in a marsh", author="ana")
    assert result.director == "llm" and len(server.requests) == 1
    assert result.spec.camera_movement == "pan_left" and result.spec.shot_size is None
    assert any("dropped the model's invalid shot_size" in n for n in result.notes)


async def test_invalid_output_twice_falls_back_to_offline() -> None:
    with scripted([reply("not json at all"), reply("still {not json")]) as server:
        result = await director_for(server).direct("a heron in a marsh at dawn, pan left", author="ana")
    assert result.director == "offline"
    assert result.spec.camera_movement == "pan_left" and result.spec.time_of_day == "dawn"
    assert "invalid output twice" in result.notes[0] and "offline" in result.notes[0]
    assert result.usage.calls == 2


@pytest.mark.parametrize(
    ("canned", "why"),
    [
        (refusal("I can't help with that."), "refused"),
        (error(503, "overloaded"), "HTTP 503"),
        (error(500, "model failed to load"), "HTTP 500: model failed to load"),
        (reply("{}", delay_s=10), "no answer within"),
    ],
    ids=["refusal", "http-503", "http-500", "timeout"],
)
async def test_refusal_errors_and_timeout_fall_back_to_offline(canned: Any, why: str) -> None:
    with scripted([canned]) as server:
        result = await director_for(server, timeout_s=0.5).direct("a lighthouse at dusk, slow dolly in", author="ana")
    assert result.director == "offline"
    assert why in result.notes[0]  # the server's own reason, in the one line
    assert result.spec.camera_movement == "dolly_in" and result.spec.camera_speed == "slow"
    assert result.spec.time_of_day == "dusk" and "lighthouse" in (result.spec.subject or "")
    assert len(server.requests) == 1


async def test_explicit_words_win_over_the_model() -> None:
    wrong = patch(
        subject="a red fox",
        setting="deep snow",
        style="watercolor",
        camera_movement="tilt_up",
        aspect_ratio="16:9",
        duration_s=4.0,
        fps=30,
    )
    with scripted([reply(wrong)]) as server:
        result = await director_for(server).direct(
            "a red fox in deep snow, watercolor, pan left, 9:16, 6 seconds at 24fps", author="ana"
        )
    spec = result.spec
    assert (spec.camera_movement, spec.aspect_ratio, spec.duration_s, spec.fps) == ("pan_left", "9:16", 6.0, 24)
    assert (spec.subject, spec.setting, spec.style) == ("a red fox", "deep snow", "watercolor")
    assert sum("from your words over the model's" in n for n in result.notes) == 1  # the move
    # The patch has no aspect, duration or fps (the creator's to state): a model that writes them anyway is ignored.
    assert "ignored the model's unknown fields: aspect_ratio, duration_s, fps" in result.notes


async def test_model_value_kept_where_the_message_is_vague_about_it() -> None:
    with scripted([reply(patch(camera_movement="crane_up", subject="a castle"))]) as server:
        result = await director_for(server).direct("make it feel grand and reveal the castle", author="ana")
    assert result.spec.camera_movement == "crane_up" and result.spec.subject == "a castle"
    assert not any("from your words" in n for n in result.notes)
    assert {c.field for c in result.changes if c.suggested} >= {"camera_movement"}  # the model's idea, shown so


async def test_relative_duration_and_clear_follow_the_words() -> None:
    base = ShotSpec(subject="a tram", duration_s=5.0, time_of_day="night")
    with scripted([reply(patch(duration_s=20.0, clear=["time_of_day"]))]) as server:
        result = await director_for(server).direct("twice as long, and not at night", author="ana", base=base)
    assert result.spec.duration_s == 10.0 and result.spec.time_of_day is None


async def test_characters_keep_their_canonical_description() -> None:
    board = Storyboard(characters=[Character(name="Ana", description="a tall woman in a yellow raincoat")])
    answer = patch(subject="Ana", action="runs", characters=[{"name": "Ana", "description": "a woman"}])
    with scripted([reply(answer)]) as server:
        result = await director_for(server).direct("Ana runs across a bridge", author="ben", storyboard=board)
    assert result.spec.characters == board.characters
    assert "Ana: a tall woman in a yellow raincoat" in server.requests[0]["messages"][0]["content"]


async def test_question_for_a_vague_first_message() -> None:
    with scripted([reply(patch(question="What should the shot show?"))]) as server:
        result = await director_for(server).direct("make a video", author="ana")
    assert result.question == "What should the shot show?"
    assert result.spec == ShotSpec()


async def test_blank_text_from_the_model_leaves_the_field_as_it_was() -> None:
    """The spec refuses blank text (Discord refuses an empty card field): a model's "" means "unchanged"."""
    base = ShotSpec(subject="a knight", mood="tense")
    with scripted([reply(patch(subject="a red fox", mood="", style="  ", effects=["snow", " "]))]) as server:
        result = await director_for(server).direct("swap the knight for a red fox in the snow", author="ana", base=base)
    assert result.director == "llm" and len(server.requests) == 1  # accepted at once, no retry
    assert (result.spec.subject, result.spec.mood, result.spec.style) == ("a red fox", "tense", None)
    assert result.spec.effects == ["snow"]
