"""The agent with a real tiny WanVACEPipeline: the animatic first, and a wrong camera fixed by the previz guide.

Random weights draw noise, whose camera no critic can read; the critic double therefore reads the move from
the guide each take was rendered with (a firm enough guide moves the camera as asked, anything less leaves it
static), while the file itself is measured for real (frame count, duration, fps, size). A take passes on those
merits: no fault is injected anywhere, so none can be dropped on the way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch", reason="the gpu extra (torch) is not installed: pip install -e '.[gpu]'")
pytest.importorskip("diffusers", reason="the gpu extra (diffusers) is not installed: pip install -e '.[gpu]'")

from agent.events import EVENT_ADAPTER, AnimaticReady, Event, Revision, TakeReady
from agent.state import ThreadOptions
from agent.studio import Studio
from bots.settings import Settings
from generator.diffusers.backend import DiffusersGenerator
from generator.diffusers.tiny import make_tiny
from generator.request import CameraGuide, RenderRequest
from tools.critic.checks import score
from tools.critic.critic import assemble, observe
from tools.critic.decode import read_clip
from tools.critique import Critique, Expectation
from tools.renderer import LocalRenderer, RenderTicket
from tools.take import Take

pytestmark = pytest.mark.slow

FOX = "a red fox trots through the snow, the camera pans left, 1 second, 8fps"
FIRM = 0.75  # the double's camera follows a guide at least this firm
MEASURED = {"camera_move", "complete", "duration", "fps", "frame_size"}


class RecordingRenderer(LocalRenderer):
    """A LocalRenderer that remembers the request behind every take it wrote."""

    def __init__(self, generator: Any, *, max_bytes: int) -> None:
        super().__init__(generator, max_bytes=max_bytes)
        self.requests: dict[str, RenderRequest] = {}

    async def render(self, request: RenderRequest, ticket: RenderTicket, **kwargs: Any) -> Any:
        outcome = await super().render(request, ticket, **kwargs)
        if isinstance(outcome, Take):
            self.requests[outcome.path] = request
        return outcome


class GuideReadingCritic:
    """Critic double: the real measurements of the clip, with the camera read from the take's guide strength."""

    def __init__(self, renderer: RecordingRenderer) -> None:
        self.renderer = renderer
        self.read: list[float | None] = []

    def __call__(self, path: str, expectation: Expectation | None) -> Critique:
        assert expectation is not None and expectation.camera_movement is not None
        guide = self.renderer.requests[path].guide
        self.read.append(guide.strength if guide else None)
        follows = guide is not None and guide.strength >= FIRM
        move = expectation.camera_movement if follows else "static"
        measured = observe(read_clip(path))
        observed = dataclasses.replace(measured, camera=dataclasses.replace(measured.camera, move=move, confidence=0.9))
        whole = assemble(observed, expectation)
        checks = [check for check in whole.checks if check.name in MEASURED]
        return whole.model_copy(
            update={"checks": checks, "passed": all(c.passed for c in checks), "score": score(checks)}
        )


class Events(list):
    def __call__(self, event: Event) -> None:
        EVENT_ADAPTER.validate_json(EVENT_ADAPTER.dump_json(event))  # every event survives JSON
        self.append(event)

    def kinds(self) -> list[str]:
        return [e.kind for e in self if e.kind not in ("progress", "spec_changed")]


@pytest.fixture(scope="module")
def vace_folder(tmp_path_factory) -> Path:
    import torch

    torch.set_num_threads(1)
    return make_tiny("wan-vace", tmp_path_factory.mktemp("vace") / "wan-vace")


@pytest.fixture(scope="module")
def vace(vace_folder) -> DiffusersGenerator:
    generator = DiffusersGenerator(str(vace_folder))
    generator.load()
    return generator


@asynccontextmanager
async def guided_studio(vace: DiffusersGenerator, folder: Path, **settings: Any) -> AsyncIterator[Any]:
    settings = {"attempt_budget": 3, **settings}
    config = Settings(director="offline", backend="diffusers", model=str(folder), **settings)
    renderer = RecordingRenderer(vace, max_bytes=config.max_upload_bytes)
    critic = GuideReadingCritic(renderer)
    async with Studio.open(config.studio_config(), renderer=renderer, critic=critic, family=vace.family) as studio:
        yield studio, critic, renderer


def guides(renderer: RecordingRenderer) -> list[CameraGuide | None]:
    return [r.guide for r in renderer.requests.values() if r.family != "previz"]


async def test_auto_renders_from_the_words_then_the_reviser_guides_the_camera_until_it_passes(vace, vace_folder):
    events = Events()
    async with guided_studio(vace, vace_folder) as (studio, critic, renderer):
        result = await studio.send("t1", "ana", FOX, events, options=ThreadOptions(guide="auto"))
        takes = await studio.takes("t1")
    assert result.kind == "take" and result.critique is not None and result.critique.passed
    assert result.critique.camera_motion.detected == "pan_left"
    assert critic.read == [None, 0.6, 0.75]
    assert guides(renderer) == [None, CameraGuide(strength=0.6), CameraGuide(strength=0.75)]
    revisions = [e for e in events if isinstance(e, Revision)]
    assert [r.strategy for r in revisions] == ["guide", "guide"]
    assert all(r.reason == "camera moved static instead of pan_left" for r in revisions)
    assert revisions[0].changes[0].startswith("camera guide on: the previz animatic at strength 0.6")
    assert revisions[1].changes[0].startswith("camera guide 0.6 -> 0.75")
    assert all(t.request.faults == () for t in takes)  # nothing injected, nothing dropped
    assert [t.request.seed for t in takes] == [takes[0].request.seed] * 3  # same words and seed: only the guide
    guided_notes = [n for t in takes[1:] for n in t.take.notes if n.startswith("camera guide:")]
    assert guided_notes == [
        "camera guide: VACE control video (the animatic's edges), conditioning_scale 0.6",
        "camera guide: VACE control video (the animatic's edges), conditioning_scale 0.75",
    ]


async def test_the_default_guides_the_first_take_and_the_reviser_holds_it_firmer(vace, vace_folder):
    events = Events()
    async with guided_studio(vace, vace_folder) as (studio, critic, _):
        result = await studio.send("t1", "ana", FOX, events)
    assert result.critique is not None and result.critique.passed
    assert critic.read == [0.6, 0.75]
    assert [e.strategy for e in events if isinstance(e, Revision)] == ["guide"]
    assert any(n.startswith("camera guide: the previz animatic of this shot") for n in result.notes)


async def test_guide_off_is_respected_the_rule_strategies_revise_and_no_take_is_guided(vace, vace_folder):
    events = Events()
    async with guided_studio(vace, vace_folder, guide="previz:0.8") as (studio, critic, _):
        result = await studio.send("t1", "ana", FOX, events, options=ThreadOptions(guide="off"))
    assert critic.read == [None, None, None] and result.critique is not None and not result.critique.passed
    assert [e.strategy for e in events if isinstance(e, Revision)] == ["reseed", "suggestions"]


async def test_the_animatic_comes_first_at_the_takes_size_and_length_and_a_setting_turns_it_off(vace, vace_folder):
    events = Events()
    async with guided_studio(vace, vace_folder) as (studio, _, _):
        result = await studio.send("t1", "ana", FOX, events)
        quiet = Events()
        await studio.send("t2", "ana", FOX, quiet, options=ThreadOptions(animatic=False))
    assert events.kinds()[:2] == ["animatic", "take_ready"]
    animatic = next(e for e in events if isinstance(e, AnimaticReady))
    take = next(e for e in events if isinstance(e, TakeReady)).take
    assert animatic.guided and animatic.take.backend == "previz" and Path(animatic.take.path).is_file()
    shape = ("width", "height", "num_frames", "fps", "seed")
    assert [getattr(animatic.take, k) for k in shape] == [getattr(take, k) for k in shape]
    assert result.animatic == animatic.take
    assert "animatic" not in quiet.kinds() and quiet.kinds()[0] == "take_ready"


async def test_the_operator_turns_the_animatic_off_and_a_thread_turns_it_back_on(vace, vace_folder):
    quiet, shown = Events(), Events()
    async with guided_studio(vace, vace_folder, animatic=False, attempt_budget=1) as (studio, _, _):
        result = await studio.send("t1", "ana", FOX, quiet)
        await studio.send("t2", "ana", FOX, shown, options=ThreadOptions(animatic=True))
    assert "animatic" not in quiet.kinds() and result.animatic is None
    assert shown.kinds()[0] == "animatic"
