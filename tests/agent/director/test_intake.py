"""Hostile text at the director's door: chat markup never reaches a spec or a prompt; length limits hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent.compile import compile_shot
from agent.director.base import Turn
from agent.director.intake import MAX_MESSAGE_CHARS, MessageTooLong, clean_message, clip_text
from agent.director.llm import LLMDirector
from agent.director.offline import OfflineDirector
from agent.director.patch import PATCH_TEXT, SpecPatch
from agent.markup import strip_markup
from agent.spec import MAX_TEXT, ShotSpec
from generator.families import PREVIZ
from generator.request import MAX_PROMPT_CHARS
from tools.testing.openai_server import ScriptedOpenAI, reply

# Every kind of Discord markup, and the words a creator might put around it.
MARKUP_SAMPLES = (
    "@everyone",
    "@here",
    "<@123>",
    "<@!123456789012345678>",
    "<@&42>",
    "<#900000000000000010>",
    "</shot:1234567890>",
    "</settings show:99>",
    "<:party_fox:1122334455>",
    "<a:dance:99>",
    "<t:1700000000:R>",
    "<id:browse>",
)
TRACES = ("@everyone", "@here", "<@", "<#", "</", "<:", "<a:", "<t:", "<id:", "everyone")


def assert_no_markup(text: str) -> None:
    lowered = text.casefold()
    for trace in TRACES:
        assert trace not in lowered, (trace, text)


@pytest.mark.parametrize("markup", MARKUP_SAMPLES)
def test_each_kind_of_markup_is_removed(markup: str) -> None:
    cleaned = strip_markup(f"{markup} a red fox, {markup}, trots through the snow {markup}")
    assert cleaned == "a red fox, trots through the snow"


@pytest.mark.parametrize(
    "text",
    [
        "a red fox trots through the snow",
        "mail me at ana@here.org about the <b>bold</b> title card",
        "a sign that reads 'free hugs' <3",
        "Ana (a tall woman in a yellow raincoat) walks\nthrough rain",
    ],
)
def test_text_without_markup_is_left_as_written(text: str) -> None:
    assert strip_markup(text) == text


def test_the_offline_director_reads_no_markup() -> None:
    reply_ = OfflineDirector().direct_sync("@everyone make a video of @here dancing", author="ana")
    assert_no_markup(reply_.spec.model_dump_json())
    every_kind = " ".join(MARKUP_SAMPLES)
    reply_ = OfflineDirector().direct_sync(f"{every_kind} a red fox in the snow {every_kind}", author="ana")
    assert reply_.spec.subject == "a red fox" and reply_.spec.setting == "the snow"
    assert_no_markup(reply_.spec.model_dump_json())


def test_a_message_over_the_limit_is_refused_with_one_line() -> None:
    with pytest.raises(MessageTooLong) as info:
        clean_message("a fox " * 1000)
    assert str(info.value) == f"your description is 5999 characters; the limit is {MAX_MESSAGE_CHARS}"
    with pytest.raises(MessageTooLong):
        OfflineDirector().direct_sync("a fox " * 1000, author="ana")
    # At the limit is fine, and markup does not count against it.
    at_limit = ("a fox running " * 200)[:MAX_MESSAGE_CHARS]
    assert clean_message(f"<@123> {at_limit} @everyone") == at_limit.strip()
    spec = OfflineDirector().direct_sync(at_limit, author="ana").spec
    assert all(len(getattr(spec, f) or "") <= MAX_TEXT for f in ("subject", "action", "setting"))


def test_a_refinement_that_would_pass_a_field_limit_leaves_it_and_says_so() -> None:
    base = ShotSpec(subject=("a grey fox " * 181).strip(), time_of_day="dawn")
    reply_ = OfflineDirector().direct_sync("add a hare, make it night", author="ben", base=base)
    assert reply_.spec.subject == base.subject and reply_.spec.time_of_day == "night"
    assert any("left the subject as it was" in n and "2000" in n for n in reply_.notes)


def test_clip_text_ends_on_a_word() -> None:
    assert clip_text("a red fox", 8) == "a red"
    assert clip_text("a red fox, a hare", 10) == "a red fox"
    assert clip_text("short", 13) == "short"
    assert clip_text("x" * 50, 13) == "x" * 13  # no word edge near: cut where the limit is


def test_spec_fields_never_hold_markup_from_a_file_and_the_prompt_has_none() -> None:
    spec = ShotSpec.model_validate(
        {
            "subject": "<@123> a red fox @everyone",
            "setting": "<#900000000000000010> snow",
            "effects": ["<:snow:1> snow"],
            "characters": [{"name": "Ana", "description": "a tall woman <@&4>"}],
        }
    )
    assert_no_markup(spec.model_dump_json())
    assert_no_markup(compile_shot(spec, PREVIZ).request.prompt)


def test_a_spec_with_every_field_at_its_limit_compiles_with_a_note() -> None:
    long = ("word " * 400)[:MAX_TEXT]
    spec = ShotSpec(**{f: long for f in ("subject", "action", "setting", "style", "lighting", "mood")})
    compiled = compile_shot(spec, PREVIZ)
    assert len(compiled.request.prompt) <= MAX_PROMPT_CHARS
    assert any(n.startswith("the prompt was ") for n in compiled.notes)


def patch(**fields: Any) -> dict[str, Any]:
    return {name: fields.get(name) for name in SpecPatch.model_fields} | fields


def director_for(server: ScriptedOpenAI) -> LLMDirector:
    return LLMDirector(base_url=server.base_url, model="test-model", api_key="k", timeout_s=5.0)


async def test_the_llm_prompt_holds_no_markup() -> None:
    with ScriptedOpenAI([reply(patch(subject="a red fox", action="dances"))]) as server:
        result = await director_for(server).direct(
            "@everyone make a video of <@123456789012345678> dancing <:party:55> in </shot:9> <#77>",
            author="ana",
            base=ShotSpec(subject="a red fox"),
            # A turn saved before markup was cleaned at the door (an older conversation).
            history=[Turn(author="<@99>", text="@here a red fox <@&800000000000000020>")],
        )
    assert result.director == "llm" and result.spec.action == "dances"
    sent = server.requests[0]["messages"]
    assert len(sent) == 2
    for message in sent:
        assert_no_markup(message["content"])
    assert sent[1]["content"] == "make a video of dancing in"
    assert "author: ana (a chat name" in sent[0]["content"]


async def test_an_llm_answer_over_a_field_limit_is_clipped_not_dropped() -> None:
    essay = "a fox with " + "very " * 1200 + "long fur"
    with ScriptedOpenAI([reply(patch(subject=essay, time_of_day="dusk"))]) as server:
        result = await director_for(server).direct("a fox at dusk", author="ana")
    assert result.director == "llm" and result.spec.time_of_day == "dusk"
    assert result.spec.subject is not None and len(result.spec.subject) <= MAX_TEXT
    assert result.spec.subject.startswith("a fox with very very")
    # The schema carries the limit (a grammar server cannot write the essay); one that does is clipped, and says so.
    assert (
        server.requests[0]["response_format"]["json_schema"]["schema"]["properties"]["subject"]["anyOf"][0]["maxLength"]
        == PATCH_TEXT
    )
    assert any(f"the subject was {len(essay)} characters" in n for n in result.notes)
    json.loads(result.spec.model_dump_json())  # and it is a valid spec through and through
