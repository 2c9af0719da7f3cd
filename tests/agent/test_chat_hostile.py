"""Hostile text through the Studio and `dailies chat`: one friendly line, and the conversation goes on intact."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from agent.director.intake import MAX_MESSAGE_CHARS
from agent.studio import StudioError
from bots.cli.chat import chat_loop
from tests.agent.test_graph import WrongCamera, studio_for
from tests.agent.test_studio_cli import script

LONG = ("a red fox running through the snow " * 100)[:3000]


async def test_a_message_over_the_limit_is_one_line_in_chat_and_the_chat_goes_on() -> None:
    text = io.StringIO()
    async with studio_for(WrongCamera(wrong=0)) as studio:
        turns = await chat_loop(
            studio,
            "t",
            "you",
            Console(file=text, width=200),
            script("a red fox in the snow, 1 second", LONG, "make it night", "/spec"),
        )
        spec = await studio.spec("t")
    log = text.getvalue()
    assert turns == 4
    refusal = f"your description is {len(LONG)} characters; the limit is {MAX_MESSAGE_CHARS}"
    assert [line for line in log.splitlines() if "description is" in line] == [refusal]
    assert "Traceback" not in log and "ValidationError" not in log
    assert spec is not None and spec.subject == "a red fox" and spec.time_of_day == "night"


async def test_the_studio_refuses_before_running_and_keeps_the_thread_as_it_was() -> None:
    async with studio_for(WrongCamera(wrong=0)) as studio:
        await studio.send("t", "ana", "a red fox in the snow, 1 second")
        before = await studio.spec("t")
        takes = len(await studio.takes("t"))
        with pytest.raises(StudioError, match=f"the limit is {MAX_MESSAGE_CHARS}"):
            await studio.send("t", "ana", LONG)
        with pytest.raises(StudioError, match=f"the limit is {MAX_MESSAGE_CHARS}"):
            await studio.extend("t", None, "ana", LONG)
        with pytest.raises(StudioError, match="say what the shot should show"):
            await studio.send("t", "ana", "@everyone <@123456789012345678>")
        assert await studio.spec("t") == before and len(await studio.takes("t")) == takes
        assert await studio.pending("t") is None


async def test_mentions_are_gone_before_the_director_and_the_conversation_record() -> None:
    async with studio_for(WrongCamera(wrong=0)) as studio:
        result = await studio.send("t", "ana", "@everyone make a video of <@123> a red fox <:fox:9> in the snow @here")
        spec = await studio.spec("t")
        state = await studio.state("t")
    assert result.kind == "take" and spec is not None and spec.subject == "a red fox"
    dumped = spec.model_dump_json() + " ".join(turn.text for turn in state.conversation)
    for trace in ("@", "<", "everyone"):
        assert trace not in dumped
