"""Render targets: each backend/model choice goes to the renderer that serves it, or is refused in one line;
renderers get the optional keywords of the features they declare, never guessed from their signatures."""

from __future__ import annotations

from pathlib import Path

from agent.state import ThreadOptions
from agent.targets import RenderTargets, Target
from generator.errors import Failure
from generator.families import PREVIZ
from generator.previz import PrevizGenerator
from generator.request import RenderRequest
from tests.agent.test_graph import FOX, SMALL, Events, settings
from tools.renderer import LocalRenderer, RenderFeature, RenderTicket, previz_renderer
from tools.take import Take

MAX_BYTES = 10 * 1024 * 1024


def local() -> LocalRenderer:
    return LocalRenderer(PrevizGenerator(), max_bytes=MAX_BYTES)


class Factory:
    """Builds previz renderers and counts how often it was asked."""

    def __init__(self) -> None:
        self.built: list[LocalRenderer] = []

    def __call__(self) -> LocalRenderer:
        self.built.append(local())
        return self.built[-1]


def diffusers_studio(factory: Factory, **renderers: LocalRenderer) -> RenderTargets:
    main = Target(local(), PREVIZ, "wan2.1-1.3b")  # stands in for a diffusers worker; only identity matters here
    return RenderTargets(main, "diffusers", renderers=renderers, make_previz=factory)


def test_the_main_target_serves_its_own_backend_and_model() -> None:
    targets = diffusers_studio(Factory())
    for options in (None, ThreadOptions(), ThreadOptions(critique=False), ThreadOptions(backend="diffusers")):
        assert targets.route(options) is targets.main
    assert targets.route(ThreadOptions(model="wan2.1-1.3b")) is targets.main


def test_previz_is_built_once_on_first_use_by_the_factory() -> None:
    factory = Factory()
    targets = diffusers_studio(factory)
    assert factory.built == []  # nothing built until a thread asks for previz
    first = targets.route(ThreadOptions(backend="previz"))
    again = targets.route(ThreadOptions(backend="previz", model="anything"))  # previz has one model
    assert isinstance(first, Target) and first is again
    assert first.renderer is factory.built[0] and len(factory.built) == 1
    assert first.family.name == "previz" and first.model is None
    assert targets.served() == ["diffusers:wan2.1-1.3b", "previz"]


def test_renderers_serve_their_backend_or_backend_and_model() -> None:
    wan, ltx = local(), local()
    targets = diffusers_studio(Factory(), **{"diffusers:ltx-video": ltx, "diffusers:wan2.1-14b": wan})
    routed = targets.route(ThreadOptions(model="ltx-video"))
    assert isinstance(routed, Target) and routed.renderer is ltx and routed.model == "ltx-video"
    assert routed.family.name == "ltx-video"
    assert targets.served() == ["diffusers:wan2.1-1.3b", "diffusers:ltx-video", "diffusers:wan2.1-14b", "previz"]


def test_choices_nobody_serves_are_refused_in_one_line() -> None:
    targets = diffusers_studio(Factory(), sora=local(), diffusers=local())
    unknown = targets.route(ThreadOptions(model="cogvideox-5b"))
    assert isinstance(unknown, Failure) and unknown.kind == "model_unavailable"
    assert unknown.message.startswith("diffusers (cogvideox-5b) isn't served here; this studio renders with: ")
    assert "previz" in unknown.message and "\n" not in unknown.message
    not_a_backend = targets.route(ThreadOptions(backend="sora"))  # a renderer alone does not make a backend
    assert isinstance(not_a_backend, Failure) and not_a_backend.kind == "model_unavailable"
    default_model = RenderTargets(
        Target(local(), PREVIZ), "previz", renderers={"diffusers": local()}, make_previz=Factory()
    )
    needs_a_model = default_model.route(ThreadOptions(backend="diffusers"))
    assert isinstance(needs_a_model, Failure) and "needs --model" in needs_a_model.message


def test_the_tools_factory_builds_a_local_previz_worker() -> None:
    renderer = previz_renderer(MAX_BYTES)
    assert isinstance(renderer, LocalRenderer) and renderer.features == frozenset({"retake"})


class Recording(LocalRenderer):
    """A local renderer whose render() takes the optional keywords; it records what it was given."""

    def __init__(self, features: frozenset[RenderFeature]) -> None:
        super().__init__(PrevizGenerator(), max_bytes=MAX_BYTES)
        self.features = features
        self.given: list[dict[str, object]] = []

    async def render(  # type: ignore[override]
        self,
        request: RenderRequest,
        ticket: RenderTicket,
        *,
        out_dir: Path,
        on_progress=None,  # type: ignore[no-untyped-def]
        cancel=None,  # type: ignore[no-untyped-def]
        on_queue=None,  # type: ignore[no-untyped-def]
        job_id: str | None = None,
    ) -> Take:
        self.given.append({"on_queue": on_queue, "job_id": job_id})
        if on_queue is not None:
            on_queue(2, 9.5)
        return await super().render(request, ticket, out_dir=out_dir, on_progress=on_progress, cancel=cancel)


async def studio_with(renderer: Recording) -> tuple[Recording, Events]:
    from agent.studio import Studio

    events = Events()
    config = settings().studio_config()
    async with Studio.open(config, renderer=renderer, family=SMALL) as studio:
        result = await studio.send("t1", "ana", FOX, events, options=ThreadOptions(critique=False))
    assert result.kind == "take"
    return renderer, events


async def test_a_renderer_that_declares_no_features_gets_no_optional_keywords() -> None:
    renderer, events = await studio_with(Recording(frozenset()))
    assert renderer.given == [{"on_queue": None, "job_id": None}]  # its signature takes them: not a reason
    assert "queued" not in events.kinds()


async def test_declared_features_get_their_keywords() -> None:
    renderer, events = await studio_with(Recording(frozenset({"queue_events", "job_ids"})))
    (given,) = renderer.given
    assert callable(given["on_queue"]) and isinstance(given["job_id"], str) and given["job_id"].endswith("-a1")
    queued = [e for e in events if e.kind == "queued"]
    assert [(e.position, e.eta_s) for e in queued] == [(2, 9.5)]
