"""The loop uses the LLM where one is configured: a clarifying question pauses the run until the next message,
and the LLM reviser rewrites a failed take's prompt (the rule strategies answer when it cannot)."""

from __future__ import annotations

from typing import Any

from agent.compile import compile_shot
from agent.director.patch import SpecPatch
from agent.llm_reviser import MAX_REWRITE, LLMReviser
from agent.revise import fingerprint
from agent.spec import ShotSpec
from generator.families import PREVIZ
from tests.agent.test_graph import FOX, Events, WrongCamera, studio_for
from tests.agent.test_graph_revise import wrong_camera
from tools.testing.openai_server import ScriptedOpenAI, error, reply


def patch(**fields: Any) -> dict[str, Any]:
    return {name: fields.get(name) for name in SpecPatch.model_fields} | fields


async def test_a_question_pauses_the_run_and_the_next_message_resumes_it() -> None:
    events = Events()
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        asked = await studio.send("t1", "ana", "make a video", events)
        rendered_before_the_answer = len(generator.requests)
        waiting = await studio.pending("t1")
        run_id = (await studio.state("t1")).job.run_id
        answered = await studio.send("t1", "ben", FOX, events)
        state = await studio.state("t1")
        after = await studio.pending("t1")
    assert asked.kind == "question" and rendered_before_the_answer == 0
    assert waiting is not None and waiting.question == asked.question and waiting.approval is None
    assert waiting.nodes == ["await_answer"]
    assert answered.kind == "take" and len(generator.requests) == 1
    assert state.job.run_id == run_id and state.job.author == "ben"  # the same run went on, with the answer
    assert [t.author for t in state.conversation] == ["ana", "dailies", "ben"]
    assert after is None
    assert answered.spec is not None and answered.spec.camera_movement == "pan_left"


async def test_a_question_waits_across_a_restart() -> None:
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        asked = await studio.send("t1", "ana", "make a video")
    async with studio_for(generator) as studio:
        pending = await studio.pending("t1")
        assert pending is not None and pending.question == asked.question
        assert await studio.recover("t1") is None  # nothing to finish: it waits for the creator
        answered = await studio.send("t1", "ana", FOX)
    assert answered.kind == "take" and len(generator.requests) == 1


def rewrite_or_patch(request: dict[str, Any]) -> Any:
    """The scripted model: a director's patch, or a reviser's rewrite (told apart by the schema's name)."""
    name = request["response_format"]["json_schema"]["name"]
    if name == "PromptRewrite":
        return reply(
            {
                "prompt": "the camera pans left steadily, a red fox trots through a birch forest",
                "negative_prompt": None,
                "reason": "the camera turned right; the pan left now leads the prompt",
            }
        )
    return reply(patch(subject="a red fox", action="trots", setting="a birch forest"))


async def test_the_llm_reviser_rewrites_the_prompt_of_a_failed_take() -> None:
    events = Events()
    generator = WrongCamera(wrong=1)
    with ScriptedOpenAI(rewrite_or_patch) as server:
        async with studio_for(generator, director="llm", llm_base_url=server.base_url, llm_model="m") as studio:
            result = await studio.send("t1", "ana", FOX, events)
    assert result.kind == "take" and [a.passed for a in result.attempts] == [False, True]
    revision = next(e for e in events if e.kind == "revision")
    assert revision.strategy == "llm_rewrite"
    assert revision.changes[0].startswith("prompt rewritten by the model: the camera turned right")
    assert generator.requests[1].prompt == "the camera pans left steadily, a red fox trots through a birch forest"
    names = [r["response_format"]["json_schema"]["name"] for r in server.requests]
    # OpenAI's strict mode refuses the patch's own schema once (a property left out of `required`); the
    # every-property-required rung that answered is remembered for the reviser's question on the same endpoint.
    assert names == ["SpecPatch", "SpecPatch", "PromptRewrite"]
    sent = server.requests[2]
    system = sent["messages"][0]["content"]
    assert generator.requests[0].prompt in system and "instead of pan_left" in system  # the request and critique
    assert sent["max_tokens"] <= 2048 and sent["temperature"] <= 0.3


async def test_the_rule_strategies_answer_when_the_llm_reviser_fails() -> None:
    def script(request: dict[str, Any]) -> Any:
        if request["response_format"]["json_schema"]["name"] == "PromptRewrite":
            return error(503, "overloaded")
        return rewrite_or_patch(request)

    events = Events()
    generator = WrongCamera(wrong=1)
    with ScriptedOpenAI(script) as server:
        async with studio_for(generator, director="llm", llm_base_url=server.base_url, llm_model="m") as studio:
            result = await studio.send("t1", "ana", FOX, events)
    revision = next(e for e in events if e.kind == "revision")
    assert revision.strategy == "reseed"
    assert revision.changes[0] == "the LLM reviser failed (HTTP 503: overloaded); used the reseed strategy"
    assert result.kind == "take" and [a.passed for a in result.attempts] == [False, True]


async def test_the_offline_studio_revises_by_the_rules_without_any_endpoint() -> None:
    events = Events()
    async with studio_for(WrongCamera(wrong=1)) as studio:
        assert studio.reviser.name == "rules"
        await studio.send("t1", "ana", FOX, events)
    assert next(e for e in events if e.kind == "revision").strategy == "reseed"


async def test_a_prompt_too_long_to_rewrite_goes_to_the_rules_without_asking() -> None:
    # A grammar server builds one rule per character of a bound: the model is asked only for prompts it can answer.
    spec = ShotSpec(subject="a red fox " + "in a very detailed birch forest " * 40, camera_movement="pan_left")
    previous = compile_shot(spec, PREVIZ).request
    assert len(previous.prompt) > MAX_REWRITE
    with ScriptedOpenAI([]) as server:
        reviser = LLMReviser(base_url=server.base_url, model="m", timeout_s=5)
        plan = await reviser.revise(
            previous, wrong_camera(), attempt=2, seen=[fingerprint(previous)], family=PREVIZ, camera_movement="pan_left"
        )
    assert server.requests == []
    assert plan.strategy == "reseed"
    assert plan.changes[0] == (
        f"the LLM reviser failed (the prompt is longer than the {MAX_REWRITE} characters the model rewrites); "
        "used the reseed strategy"
    )


async def test_the_studio_closes_the_llm_clients_it_made() -> None:
    with ScriptedOpenAI(rewrite_or_patch) as server:
        async with studio_for(
            WrongCamera(wrong=0), director="llm", llm_base_url=server.base_url, llm_model="m"
        ) as studio:
            director, reviser = studio.director, studio.reviser
            assert (director.name, reviser.name) == ("llm", "llm")
            assert not director.client.is_closed() and not reviser.client.is_closed()
    assert director.client.is_closed() and reviser.client.is_closed()  # none is left to the garbage collector
