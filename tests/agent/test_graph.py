"""The whole agent graph on the embedded defaults: offline director, previz, the real critic, SQLite checkpoints."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from agent.events import EVENT_ADAPTER, Event
from agent.revise import fingerprint
from agent.studio import Studio
from bots.settings import Settings
from generator.base import CancelToken, ProgressCallback, RenderResult
from generator.families import PREVIZ
from generator.previz import PrevizGenerator
from generator.request import RenderRequest
from generator.vocabulary import moves_compatible
from tests.patience import patient
from tools.renderer import LocalRenderer

# A smaller previz frame keeps each render well under a second on a busy 2-core box.
SMALL = dataclasses.replace(PREVIZ, native_width=320, native_height=180)
FOX = "a red fox trots through a birch forest, the camera pans left, 1.5 seconds, 12fps"


class WrongCamera:
    """Generator double: previz, but the camera turns the wrong way on the first `wrong` renders."""

    name = "previz"

    def __init__(self, wrong: int = 1) -> None:
        self.inner = PrevizGenerator()
        self.wrong = wrong
        self.requests: list[RenderRequest] = []

    def render(
        self, request: RenderRequest, progress: ProgressCallback | None = None, cancel: CancelToken | None = None
    ) -> RenderResult:
        self.requests.append(request)
        if len(self.requests) <= self.wrong:
            request = request.model_copy(update={"faults": ("camera_reversed",)})
        return self.inner.render(request, progress, cancel)


def settings(**overrides: object) -> Settings:
    return Settings(**{"director": "offline", "backend": "previz", **overrides})


@asynccontextmanager
async def studio_for(generator: object, **overrides: object) -> AsyncIterator[Studio]:
    config = settings(**overrides)
    renderer = LocalRenderer(generator, max_bytes=config.max_upload_bytes)  # type: ignore[arg-type]
    async with Studio.open(config.studio_config(), renderer=renderer, family=SMALL) as studio:
        yield studio


class Events(list):
    def __call__(self, event: Event) -> None:
        EVENT_ADAPTER.validate_json(EVENT_ADAPTER.dump_json(event))  # every event survives JSON
        self.append(event)

    def kinds(self) -> list[str]:
        return [e.kind for e in self if e.kind != "progress"]


async def test_a_message_becomes_a_passing_take() -> None:
    events = Events()
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        result = await studio.send("t1", "ana", FOX, events)
    assert result.kind == "take", result
    assert events.kinds() == ["spec_changed", "take_ready", "critique", "done"]
    assert any(e.kind == "progress" for e in events)
    assert result.critique is not None and result.critique.passed
    assert moves_compatible("pan_left", result.critique.camera_motion.detected)
    assert result.take is not None and Path(result.take.path).is_file()
    assert result.take.num_frames == 18 and result.take.fps == 12
    assert result.spec is not None and result.spec.camera_movement == "pan_left"
    assert {c.field for c in result.changes} >= {"subject", "camera_movement", "duration_s", "fps"}
    assert all(c.author == "ana" for c in result.changes)
    assert len(generator.requests) == 1


async def test_wrong_camera_is_caught_revised_and_the_second_attempt_passes() -> None:
    events = Events()
    generator = WrongCamera(wrong=1)
    async with studio_for(generator) as studio:
        result = await studio.send("t1", "ana", FOX, events)
        takes = await studio.takes("t1")
    assert events.kinds() == [
        "spec_changed",
        "take_ready",
        "critique",
        "revision",
        "take_ready",
        "critique",
        "done",
    ]
    first, second = result.attempts
    assert first.passed is False and second.passed is True
    critiques = [e for e in events if e.kind == "critique"]
    assert not moves_compatible("pan_left", critiques[0].critique.camera_motion.detected)
    revision = next(e for e in events if e.kind == "revision")
    assert "instead of pan_left" in revision.reason and revision.strategy == "reseed"
    assert fingerprint(generator.requests[0]) != fingerprint(generator.requests[1])
    assert result.take_id == takes[1].take_id == second.take_id
    assert [t.attempt for t in takes] == [1, 2]


async def test_the_budget_stops_the_loop_and_delivers_the_best_take() -> None:
    events = Events()
    generator = WrongCamera(wrong=99)
    async with studio_for(generator, attempt_budget=2) as studio:
        result = await studio.send("t1", "ana", FOX, events)
        takes = await studio.takes("t1")
    assert len(generator.requests) == 2 and len(takes) == 2
    assert len({fingerprint(r) for r in generator.requests}) == 2
    assert not any(t.critique.passed for t in takes if t.critique)
    best = max(takes, key=lambda t: t.critique.score if t.critique else 0)
    assert result.kind == "take" and result.take_id == best.take_id
    assert any("attempt budget (2)" in note for note in result.notes)
    assert events[-1].kind == "done" and len(events[-1].attempts) == 2


async def test_a_vague_request_gets_one_question_and_no_render() -> None:
    events = Events()
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        result = await studio.send("t1", "ana", "make a video", events)
        state = await studio.state("t1")
    assert result.kind == "question" and result.question
    assert events.kinds() == ["question"] or events.kinds() == ["spec_changed", "question"]
    assert generator.requests == []
    assert [turn.author for turn in state.conversation] == ["ana", "dailies"]


async def test_final_render_waits_for_approval_across_a_restart() -> None:
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        draft = await studio.send("t1", "ana", FOX)
        board = await studio.approve("t1", draft.take_id, "ben")
        waiting = await studio.final_render("t1", draft.take_id, "ana")
        assert waiting.kind == "approval" and waiting.take_id == draft.take_id
        assert len(generator.requests) == 1  # nothing rendered before the human says yes
    # A new process: a new checkpointer on the same file, the graph compiled again.
    events = Events()
    async with studio_for(generator) as studio:
        pending = await studio.pending("t1")
        assert pending is not None and pending.approval and pending.take_id == draft.take_id
        state = await studio.state("t1")
        assert state.storyboard == board and [t.take_id for t in state.takes] == [draft.take_id]
        assert state.takes[0].critique is not None  # real pydantic objects came back
        final = await studio.resume("t1", True, "ana", events)
        assert await studio.pending("t1") is None
    assert final.kind == "take" and final.take_id != draft.take_id
    assert generator.requests[-1].steps == 2 * generator.requests[0].steps
    assert generator.requests[-1].seed == generator.requests[0].seed
    assert events.kinds() == ["take_ready", "critique", "done"]


async def test_a_declined_final_render_renders_nothing() -> None:
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        draft = await studio.send("t1", "ana", FOX)
        await studio.final_render("t1", draft.take_id, "ana")
        declined = await studio.resume("t1", False, "ben")
        assert declined.kind == "declined"
        assert len(await studio.takes("t1")) == 1
    assert len(generator.requests) == 1


class StallOnce(WrongCamera):
    """Blocks the second render until released: the process 'dies' while it waits."""

    def __init__(self) -> None:
        super().__init__(wrong=0)
        self.started = asyncio.Event()
        self.release = CancelToken()
        self.loop = asyncio.get_running_loop()

    def render(self, request, progress=None, cancel=None):  # type: ignore[no-untyped-def]
        if len(self.requests) == 1:
            self.requests.append(request)
            self.loop.call_soon_threadsafe(self.started.set)
            while not self.release.cancelled:
                self.release._event.wait(0.05)
            raise RuntimeError("the process was killed")
        return super().render(request, progress, cancel)


@pytest.mark.slow
async def test_a_conversation_killed_mid_render_resumes_after_restart() -> None:
    stalling = StallOnce()
    async with studio_for(stalling) as studio:
        first = await studio.send("t1", "ana", FOX)
        board = await studio.approve("t1", first.take_id, "ana")
        task = asyncio.create_task(studio.send("t1", "ben", "an owl on a branch, the camera tilts up, 1 second"))
        await asyncio.wait_for(stalling.started.wait(), timeout=patient(60))
        spec_before = await studio.spec("t1")
        task.cancel()  # the process is killed mid-render
        with pytest.raises(asyncio.CancelledError):
            await task
        stalling.release.cancel()
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        pending = await studio.pending("t1")
        assert pending is not None and pending.nodes == ["render"] and pending.approval is None
        state = await studio.state("t1")
        assert state.spec == spec_before and state.spec is not None and state.spec.subject
        assert state.storyboard == board and [t.take_id for t in state.takes] == [first.take_id]
        recovered = await studio.recover("t1")
        assert recovered is not None and recovered.kind == "take"
        assert len(await studio.takes("t1")) == 2
        assert await studio.recover("t1") is None
    assert generator.requests[0].camera is not None and generator.requests[0].camera.movement == "tilt_up"


async def test_the_llm_director_drives_the_graph_with_the_conversation() -> None:
    from tools.testing.openai_server import ScriptedOpenAI, reply

    def patch(**fields: object) -> dict[str, object]:
        from agent.director.patch import SpecPatch

        return {name: fields.get(name) for name in SpecPatch.model_fields}

    first = patch(subject="a lighthouse keeper", action="climbs the stairs", setting="a lighthouse", mood="lonely")
    second = patch(lighting="a swinging lantern")
    events = Events()
    # llama-server takes the patch's own schema at once: one request per message.
    with ScriptedOpenAI(
        [reply(first, usage=(400, 30)), reply(second, usage=(450, 12))], dialect="llama-server"
    ) as server:
        async with studio_for(
            WrongCamera(wrong=0), director="llm", llm_base_url=server.base_url, llm_model="test-model"
        ) as studio:
            one = await studio.send("t1", "ana", "the old keeper goes up, the camera tilts up, 1 second, 12fps", events)
            two = await studio.send("t1", "ben", "give him a lantern that swings", events)
    assert one.kind == two.kind == "take"
    assert one.spec is not None and one.spec.subject == "a lighthouse keeper" and one.spec.mood == "lonely"
    assert one.spec.camera_movement == "tilt_up" and one.spec.duration_s == 1.0  # explicit words, read exactly
    assert two.spec is not None and two.spec.lighting == "a swinging lantern" and two.spec.subject == one.spec.subject
    assert [c.field for c in two.changes] == ["lighting"] and two.changes[0].author == "ben"
    assert len(server.requests) == 2
    later = " ".join(str(m.get("content")) for m in server.requests[1]["messages"])
    assert "the old keeper goes up" in later and "a lighthouse keeper" in later  # history and current spec
