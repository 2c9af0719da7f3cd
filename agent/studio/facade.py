"""The Studio itself: opened on the configured checkpointer, renderer, director and critic, and assembled."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from langgraph.graph.state import CompiledStateGraph

from agent.checkpoint import open_checkpointer
from agent.config import StudioConfig
from agent.context import Context, CriticFn, Requester
from agent.director.base import Director
from agent.graph import build_graph
from agent.revise import Reviser, RuleReviser
from agent.state import ThreadOptions
from agent.studio.conversation import ConversationCalls
from agent.studio.results import StudioError
from agent.studio.runs import GraphRuns
from agent.studio.storyboard import StoryboardCalls
from agent.targets import RenderTargets, Target
from generator.backends import resolve_family
from generator.base import CancelToken
from generator.errors import Failure
from generator.families import ModelFamily
from tools.renderer import Renderer, previz_renderer

if TYPE_CHECKING:
    from tools.critic.judge import VisionJudge


def default_critic(judge: VisionJudge | None = None) -> CriticFn:
    """The critic, with the vision-LLM judge when one is configured."""
    from tools.critic import critique_clip

    if judge is None:
        return critique_clip
    return functools.partial(critique_clip, judge=judge)


class Studio(ConversationCalls, StoryboardCalls):
    """The agent for many conversation threads: one checkpointer, one director, one critic, its render targets.

    Its calls live by concern: conversation.py (send, reroll, variations, pick, extend, final_render, resume,
    cancel), storyboard.py (approve, reorder, remove, reel, delete_take, contact_sheet), reads.py (state, storyboard,
    spec, takes, take, pending, recover); runs.py runs the graph for all of them, agent/targets.py routes renders.
    """

    def __init__(
        self,
        config: StudioConfig,
        graph: CompiledStateGraph,
        *,
        renderer: Renderer,
        director: Director,
        critic: CriticFn,
        family: ModelFamily,
        media_dir: Path,
        approve_final: bool,
        renderers: dict[str, Renderer] | None = None,
        reviser: Reviser | None = None,
    ) -> None:
        self.config = config
        self.graph = graph
        self.renderer = renderer
        self.director = director
        self.critic = critic
        self.family = family
        self.media_dir = media_dir
        self.approve_final = approve_final
        self.reviser = reviser or RuleReviser()
        self.targets = RenderTargets(
            Target(renderer, family, config.model),
            config.backend,
            renderers=renderers,
            make_previz=functools.partial(previz_renderer, config.max_upload_bytes, config.render.segment_s),
        )
        self._runs = GraphRuns(graph, context=self._context, check_options=self.check_options)
        self._reels = asyncio.Semaphore(config.reel_concurrency)
        self._reel_locks: dict[str, asyncio.Lock] = {}

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        config: StudioConfig,
        *,
        renderer: Renderer | None = None,
        director: Director | None = None,
        critic: CriticFn | None = None,
        media_dir: Path | None = None,
        approve_final: bool | None = None,
        family: ModelFamily | None = None,
        renderers: dict[str, Renderer] | None = None,
        reviser: Reviser | None = None,
    ) -> AsyncIterator[Studio]:
        """A ready Studio on the configured checkpointer; defaults: the job queue, the configured director, critic.

        `family` overrides the model family the configuration names (tests and benchmarks use a smaller previz frame).
        `renderers` serve threads whose options pick another backend: keyed "backend" (its default model) or
        "backend:model". Previz is always served (a local worker, built on first use); any other backend or
        model that neither the main renderer nor `renderers` serves is refused with a friendly line.
        """
        family = family or resolve_family(config.backend, config.model)
        owned_queue = None
        if renderer is None:  # the embedded default: the fair job queue with in-process warm workers
            from tools.queued_renderer import open_queued_renderer

            renderer = owned_queue = await asyncio.to_thread(open_queued_renderer, config.render)
        built: list[object] = []  # what this call made and closes (an LLM director's or reviser's HTTP client)
        if director is None:
            from agent.director import make_director

            director = make_director(config.director)
            built.append(director)
        if reviser is None:  # the LLM reviser when the director is the LLM one, else the rule strategies
            from agent.llm_reviser import make_reviser

            reviser = make_reviser(config.director)
            built.append(reviser)
        if critic is None:
            critic = default_critic(config.judge)
        try:
            async with open_checkpointer(config.checkpoint_url, config.checkpoint_path) as saver:
                yield cls(
                    config,
                    build_graph(saver),
                    renderer=renderer,
                    director=director,
                    critic=critic,
                    family=family,
                    media_dir=media_dir or config.media_dir,
                    approve_final=config.approve_final if approve_final is None else approve_final,
                    renderers=renderers,
                    reviser=reviser,
                )
        finally:
            for part in built:
                if (aclose := getattr(part, "aclose", None)) is not None:
                    await aclose()
            if owned_queue is not None:
                await asyncio.to_thread(owned_queue.queue.close)

    def backends(self) -> list[str]:
        """What threads may pick: "backend" or "backend:model", the main one first."""
        return self.targets.served()

    def check_options(self, options: ThreadOptions) -> None:
        """Raise StudioError (one friendly line) when the options pick a backend or model not served here."""
        if isinstance(failure := self.targets.route(options), Failure):
            raise StudioError(failure.message)

    def _context(self, thread_id: str, cancel: CancelToken | None, requester: Requester | None = None) -> Context:
        return Context(
            thread_id=thread_id,
            director=self.director,
            targets=self.targets,
            critic=self.critic,
            media_dir=self.media_dir,
            attempt_budget=self.config.attempt_budget,
            approve_final=self.approve_final,
            guild=requester.guild if requester is not None else None,
            user=requester.user if requester is not None else None,
            charge=requester.charge if requester is not None else None,
            cancel=cancel,
            segment_s=self.config.render.segment_s,
            guide=self.config.guide,
            animatic=self.config.animatic,
            reviser=self.reviser,
        )
