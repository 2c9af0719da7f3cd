"""The scripted OpenAI-compatible server behaves like the real API for the openai client."""

from __future__ import annotations

import time

import openai
import pytest
from pydantic import BaseModel

from tests.fakes.fixtures import openai_server  # noqa: F401  (fixture)
from tests.patience import patient
from tools.testing.openai_server import ScriptedOpenAI, error, raw, refusal, reply, tool_call

MESSAGES = [{"role": "user", "content": "a fox in the snow"}]


class Patch(BaseModel):
    subject: str | None = None
    question: str | None = None


async def test_parse_structured_output_records_request_and_usage() -> None:
    with ScriptedOpenAI([reply({"subject": "a fox", "question": None}, usage=(120, 15))]) as server:
        result = await server.client().chat.completions.parse(model="m", messages=MESSAGES, response_format=Patch)
    assert result.choices[0].message.parsed == Patch(subject="a fox")
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (120, 15)
    sent = server.requests[0]
    assert sent["messages"] == MESSAGES
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert server.paths == ["/v1/chat/completions"]


async def test_refusal_error_and_exhausted_script() -> None:
    with ScriptedOpenAI([refusal("no"), error(503, "overloaded")]) as server:
        client = server.client()
        refused = await client.chat.completions.parse(model="m", messages=MESSAGES, response_format=Patch)
        assert refused.choices[0].message.refusal == "no"
        assert refused.choices[0].message.parsed is None
        with pytest.raises(openai.InternalServerError, match="overloaded"):
            await client.chat.completions.create(model="m", messages=MESSAGES)
        with pytest.raises(openai.InternalServerError, match="script exhausted"):
            await client.chat.completions.create(model="m", messages=MESSAGES)
    assert len(server.requests) == 3


async def test_delay_times_out_the_client_and_close_is_prompt() -> None:
    # A close that waited for the delayed reply would take all of `delay`; a prompt one takes a fraction of a
    # second, and a busy machine's few seconds stay far below the bound.
    delay = patient(60)
    server = ScriptedOpenAI([reply("late", delay_s=delay)]).start()
    try:
        with pytest.raises(openai.APITimeoutError):
            await server.client(timeout=0.3).chat.completions.create(model="m", messages=MESSAGES)
    finally:
        started = time.monotonic()
        server.close()
    assert time.monotonic() - started < delay / 4


async def test_stream_sends_chunks_and_usage(openai_server: ScriptedOpenAI) -> None:  # noqa: F811
    openai_server.push(reply("a long enough answer to need several chunks", usage=(7, 9)))
    stream = await openai_server.client().chat.completions.create(
        model="m", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    text, usage, finish = "", None, None
    async for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    assert text == "a long enough answer to need several chunks"
    assert finish == "stop"
    assert (usage.prompt_tokens, usage.completion_tokens) == (7, 9)


async def test_callable_script_tool_calls_and_raw() -> None:
    def script(request: dict) -> object:
        if request.get("tools"):
            return tool_call("set_subject", {"subject": request["messages"][-1]["content"]})
        return raw({"not": "a completion"}, status=418)

    tool = openai.pydantic_function_tool(Patch, name="set_subject")
    with ScriptedOpenAI(script) as server:
        client = server.client()
        result = await client.chat.completions.parse(model="m", messages=MESSAGES, tools=[tool])
        call = result.choices[0].message.tool_calls[0]
        assert call.function.parsed_arguments == Patch(subject="a fox in the snow")
        with pytest.raises(openai.APIStatusError) as caught:
            await client.chat.completions.create(model="m", messages=MESSAGES)
        assert caught.value.status_code == 418


def test_base_url_needs_a_running_server() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        _ = ScriptedOpenAI().base_url


async def test_the_openai_dialect_refuses_a_strict_schema_that_leaves_a_property_out_of_required() -> None:
    class Maybe(BaseModel):
        subject: str | None = None
        mood: str | None = None

    loose = {"type": "object", "properties": {"subject": {"type": "string"}}, "additionalProperties": False}
    fine = {**loose, "required": ["subject"]}
    with ScriptedOpenAI([reply({"subject": "a fox"})] * 2) as server:
        client = server.client(timeout=5.0)
        with pytest.raises(openai.BadRequestError, match="'required' is required to be supplied") as refused:
            await client.chat.completions.create(
                model="test-model",
                messages=[{"role": "user", "content": "hi"}],
                response_format={"type": "json_schema", "json_schema": {"name": "P", "strict": True, "schema": loose}},
            )
        assert "Missing 'subject'" in str(refused.value)
        # openai's own `.parse()` sends every property required: the real server takes it, and so does the double.
        parsed = await client.chat.completions.parse(
            model="test-model", messages=[{"role": "user", "content": "hi"}], response_format=Maybe
        )
        assert parsed.choices[0].message.parsed == Maybe(subject="a fox")
        done = await client.chat.completions.create(
            model="test-model",
            messages=[{"role": "user", "content": "hi"}],
            response_format={"type": "json_schema", "json_schema": {"name": "P", "strict": True, "schema": fine}},
        )
        assert done.choices[0].message.content == '{"subject": "a fox"}'
