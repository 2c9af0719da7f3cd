"""The LLM director against the dialects of the servers people run: the structured-output ladder, remembered per
endpoint, bounded answers, and the server's own reason when it fails."""

from __future__ import annotations

from typing import Any

import pytest

from agent.director.llm import LLMDirector
from agent.director.patch import PATCH_TEXT
from tools.testing.openai_server import ScriptedOpenAI, error, reply, runaway

ANSWER = {"subject": "a heron", "setting": "a marsh", "time_of_day": "dawn"}


def director_for(server: ScriptedOpenAI, timeout_s: float = 5.0) -> LLMDirector:
    return LLMDirector(base_url=server.base_url, model="test-model", api_key="k", timeout_s=timeout_s)


def kinds(server: ScriptedOpenAI) -> list[str | None]:
    return [(r.get("response_format") or {}).get("type") for r in server.requests]


async def test_llama_cpp_python_refuses_json_schema_then_answers_json_object_with_the_schema() -> None:
    with ScriptedOpenAI([reply(ANSWER), reply(ANSWER)], dialect="llama-cpp-python") as server:
        director = director_for(server)
        first = await director.direct("a heron in a marsh at dawn", author="ana")
        second = await director.direct("a heron in a marsh at dawn", author="ana")
    assert first.director == second.director == "llm"
    assert first.spec.subject == "a heron" and first.spec.time_of_day == "dawn"
    # json_schema is refused once (HTTP 500); json_object + schema answers and is remembered for this endpoint.
    assert kinds(server) == ["json_schema", "json_object", "json_object"]
    sent = server.requests[1]["response_format"]
    assert sent["schema"]["properties"]["subject"]["anyOf"][0]["maxLength"] == PATCH_TEXT
    # Without strict mode the fields with a default may be left out: the grammar lets the model write only what
    # it sets, not every key with null.
    assert "subject" not in sent["schema"].get("required", [])
    assert '"default"' not in str(sent["schema"]).replace("'", '"')
    # The schema is in the prompt too, outlined (a tenth of its JSON's tokens: the grammar enforces it anyway).
    prompt = server.requests[1]["messages"][0]["content"]
    assert "subject?: text;" in prompt and "time_of_day?: dawn|morning|" in prompt and '"anyOf"' not in prompt
    # The server's reason, readable: the validation message out of the traceback FastAPI pastes into the error.
    assert "json_schema refused: HTTP 500: Input should be 'text' or 'json_object'" in first.notes
    assert not any("refused" in n for n in second.notes)


async def test_lm_studio_takes_json_schema_at_once() -> None:
    with ScriptedOpenAI([reply(ANSWER)], dialect="lm-studio") as server:
        result = await director_for(server).direct("a heron in a marsh at dawn", author="ana")
    assert result.director == "llm" and kinds(server) == ["json_schema"]


async def test_a_server_without_structured_output_gets_plain_json_found_in_prose() -> None:
    prose = 'Here is the patch:\n```json\n{"subject": "a heron", "setting": "a marsh"}\n```\nHope it helps!'
    with ScriptedOpenAI([reply(prose)], dialect="no-structured-output") as server:
        result = await director_for(server).direct("a heron in a marsh", author="ana")
    assert result.director == "llm" and result.spec.subject == "a heron" and result.spec.setting == "a marsh"
    assert kinds(server) == ["json_schema", "json_object", None]
    assert "response_format" not in server.requests[2]
    assert "camera_movement?: static|pan_left|" in server.requests[2]["messages"][0]["content"]


async def test_strict_mode_refusing_the_limits_gets_the_schema_without_them() -> None:
    def openai_strict(request: dict[str, Any]) -> Any:
        schema = str(request.get("response_format"))
        if "maxLength" in schema:
            return error(400, "Invalid schema for response_format 'SpecPatch': 'maxLength' is not permitted.")
        return reply(ANSWER)

    with ScriptedOpenAI(openai_strict) as server:
        result = await director_for(server).direct("a heron in a marsh at dawn", author="ana")
    assert result.director == "llm"
    # The patch's own schema (refused: strict mode wants every property required), every property required
    # (refused: maxLength), every property required without limits.
    assert kinds(server) == ["json_schema", "json_schema", "json_schema"]
    last = server.requests[2]["response_format"]["json_schema"]["schema"]
    assert "maxLength" not in str(last) and set(last["required"]) == set(last["properties"])


async def test_runaway_output_is_bounded_by_max_tokens_and_its_complete_fields_kept() -> None:
    prefix = '{"subject": "a heron", "setting": "a marsh", "mood": "'
    with ScriptedOpenAI([runaway("calm and ", prefix=prefix)], dialect="llama-server") as server:
        result = await director_for(server).direct("a heron in a marsh, calm", author="ana")
    sent = server.requests[0]
    assert 128 <= sent["max_tokens"] <= 1024  # sized from the schema, far below a 4096-token context
    assert result.director == "llm" and result.spec.subject == "a heron" and result.spec.setting == "a marsh"
    assert any("cut off at its token limit" in n for n in result.notes)


def test_the_llama_server_dialect_refuses_an_unbounded_runaway() -> None:
    import openai

    async def unbounded() -> None:
        with ScriptedOpenAI([runaway()], dialect="llama-server") as server:
            await server.client().chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])

    import asyncio

    with pytest.raises(openai.InternalServerError, match="exceeds the available context size"):
        asyncio.run(unbounded())


@pytest.mark.parametrize("dialect", ["openai", "llama-cpp-python", "llama-server", "lm-studio", "no-structured-output"])
async def test_every_dialect_ends_in_the_models_answer(dialect: str) -> None:
    with ScriptedOpenAI([reply(ANSWER)] * 3, dialect=dialect) as server:
        result = await director_for(server).direct("a heron in a marsh at dawn", author="ana")
    assert result.director == "llm", result.notes
    assert (result.spec.subject, result.spec.setting, result.spec.time_of_day) == ("a heron", "a marsh", "dawn")
    assert all(r["max_tokens"] <= 1024 and r["temperature"] <= 0.3 for r in server.requests)


async def test_an_unrelated_server_error_is_not_taken_for_a_dialect() -> None:
    with ScriptedOpenAI([error(500, "CUDA out of memory")], dialect="llama-server") as server:
        result = await director_for(server).direct("a heron in a marsh", author="ana")
    assert result.director == "offline" and kinds(server) == ["json_schema"]
    assert result.notes[0].startswith("the LLM director failed (HTTP 500: CUDA out of memory)")


async def test_the_whole_answer_has_one_time_budget() -> None:
    with ScriptedOpenAI([reply("no json here", delay_s=0.4), reply(ANSWER, delay_s=5)]) as server:
        result = await director_for(server, timeout_s=1.0).direct("a heron in a marsh", author="ana")
    assert result.director == "offline" and "no answer within 1 s" in result.notes[0]
    assert result.usage.calls == 1  # the first answer's tokens still count


async def test_the_unchanging_part_of_the_prompt_comes_first_so_a_server_cache_can_reuse_it() -> None:
    # llama.cpp reuses the longest common prefix of the last prompt: the schema and instructions must precede the
    # author, the shot and the conversation, which change from one request to the next.
    with ScriptedOpenAI([reply(ANSWER), reply(ANSWER)], dialect="llama-cpp-python") as server:
        director = director_for(server)
        await director.direct("a heron in a marsh at dawn", author="ana")
        await director.direct("a fox in the snow", author="ben")
    first, second = (r["messages"][0]["content"] for r in server.requests[1:])
    assert first.index("JSON object of this shape") < first.index("## This request") < first.index("author: ana")
    shared = next(i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b)
    assert shared > first.index("## This request")


async def test_a_grammar_server_gets_a_schema_where_the_model_writes_only_what_it_changes() -> None:
    # llama-server builds a grammar from json_schema: with every property required, SmolLM2 wrote all ~20 keys
    # (400 tokens, 20-90 s on 2 cores). The patch's own schema lets it write the two or three it changes.
    with ScriptedOpenAI([reply(ANSWER)], dialect="llama-server") as server:
        result = await director_for(server).direct("a heron in a marsh at dawn", author="ana")
    assert result.director == "llm" and kinds(server) == ["json_schema"]
    (sent,) = server.requests
    schema = sent["response_format"]["json_schema"]["schema"]
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert not schema.get("required") and schema["additionalProperties"] is False
    assert sent["max_tokens"] <= 200  # what a patch of a few fields needs, not every key
    # A small model repeats list items until its tokens run out: every list is bounded in the grammar.
    lists = [p for p in schema["properties"].values() if any(o.get("type") == "array" for o in p.get("anyOf", []))]
    assert lists and all(o["maxItems"] <= 4 for p in lists for o in p["anyOf"] if o.get("type") == "array")


async def test_the_prompt_with_the_schema_stays_short() -> None:
    # llama-cpp-python reads the schema in the prompt: its JSON was 1,484 tokens of a 2,155-token cold prompt.
    with ScriptedOpenAI([reply(ANSWER)], dialect="llama-cpp-python") as server:
        await director_for(server).direct("a heron in a marsh at dawn", author="ana")
    system = server.requests[1]["messages"][0]["content"]
    assert len(system) < 3600, len(system)  # about 900 tokens of SmolLM2's tokenizer
