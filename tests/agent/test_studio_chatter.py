"""A message that changes nothing in a shot that has a take renders nothing; asking for another take still does."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from agent.events import Event
from agent.nodes.understanding import NOTHING_RENDERED
from bots.cli.chat import chat_loop
from tests.agent.test_graph import FOX, WrongCamera, studio_for
from tests.agent.test_studio_cli import script


@pytest.mark.parametrize("chatter", ["love it!", "thanks", "lol nice one"])
async def test_chatter_about_a_take_renders_nothing_and_is_kept(chatter: str) -> None:
    generator = WrongCamera(wrong=0)
    events: list[Event] = []
    async with studio_for(generator) as studio:
        first = await studio.send("t1", "ana", FOX)
        renders = len(generator.requests)
        result = await studio.send("t1", "ben", chatter, events.append)
        assert result.kind == "unchanged" and result.take_id is None
        assert NOTHING_RENDERED in result.notes
        assert len(generator.requests) == renders  # no GPU minutes spent on it
        said = [e for e in events if e.kind == "spec_changed"]
        assert said and NOTHING_RENDERED in said[-1].notes  # the front end shows why nothing came
        state = await studio.state("t1")
        assert state.current_take_id == first.take_id
        assert state.conversation[-1].text == chatter  # nothing is lost: the message is in the conversation
        changed = await studio.send("t1", "ana", "make it night")  # the thread goes on as before
        assert changed.kind == "take" and len(generator.requests) == renders + 1


@pytest.mark.parametrize("again", ["try again", "one more", "another take please", "reroll it"])
async def test_asking_for_another_take_renders_a_new_seed(again: str) -> None:
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        await studio.send("t1", "ana", FOX)
        result = await studio.send("t1", "ana", again)
        assert result.kind == "take"
        assert generator.requests[-1].seed != generator.requests[0].seed


async def test_a_first_message_that_reads_nothing_is_still_asked_about_not_dropped() -> None:
    async with studio_for(WrongCamera(wrong=0)) as studio:
        result = await studio.send("t1", "ana", "thanks")
        assert result.kind != "unchanged"  # no take yet: the old path (a question or a render) decides


async def test_quit_typed_without_a_slash_leaves_the_chat_and_chatter_is_said_each_time() -> None:
    text = io.StringIO()
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        turns = await chat_loop(
            studio,
            "t",
            "you",
            Console(file=text, width=200),
            script(FOX, "nice", "cool", "quit", "make it night"),
        )
    log = text.getvalue()
    assert turns == 3 and len(generator.requests) == 1  # "quit" left before "make it night"; chatter rendered nothing
    assert log.count("nothing rendered") == 2  # once for each message, not once per chat


@pytest.mark.parametrize("said", ["this looks amazing", "that is beautiful", "great job team"])
async def test_praise_is_chatter_not_a_new_subject(said: str) -> None:
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        await studio.send("t1", "ana", FOX)
        result = await studio.send("t1", "ben", said)
        spec = await studio.spec("t1")
    assert result.kind == "unchanged" and len(generator.requests) == 1
    assert spec is not None and spec.subject == "a red fox"


async def test_the_description_said_again_is_another_take() -> None:
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        await studio.send("t1", "ana", FOX)
        result = await studio.send("t1", "ana", FOX)
    assert result.kind == "take" and len({r.seed for r in generator.requests}) == 2
