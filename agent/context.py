"""Context: the dependencies a graph run receives at invoke time (never read from the environment)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agent.director.base import Director
from agent.revise import Reviser, RuleReviser
from generator.base import CancelToken
from generator.errors import Failure
from generator.families import ModelFamily
from tools.critique import Critique, Expectation
from tools.renderer import Renderer

if TYPE_CHECKING:
    from agent.state import ThreadOptions

# The critic as the agent calls it: sync and CPU-bound, so always run on a worker thread.
CriticFn = Callable[[str, Expectation | None], Critique]


@dataclass(frozen=True)
class Target:
    """Where a thread's renders go: the renderer, the model family it compiles for, and what it accepts."""

    renderer: Renderer
    family: ModelFamily
    model: str | None = None
    queue_events: bool = False  # the renderer accepts on_queue(position, eta_s)
    job_ids: bool = False  # the renderer accepts job_id= (a re-run node re-attaches to its job)


# Picks the Target of a thread's backend/model options, or says why it cannot be served.
Router = Callable[["ThreadOptions"], "Target | Failure"]


@dataclass
class Context:
    """What nodes use: the director, the renderer, the critic, the reviser, where media goes and the loop's budget."""

    thread_id: str
    director: Director
    renderer: Renderer
    critic: CriticFn
    family: ModelFamily
    media_dir: Path
    model: str | None = None
    attempt_budget: int = 3
    approve_final: bool = True
    guild: str | None = None
    cancel: CancelToken | None = None
    queue_events: bool = False  # the renderer accepts on_queue(position, eta_s)
    job_ids: bool = False  # the renderer accepts job_id= (a re-run node re-attaches to its job)
    router: Router | None = None
    reviser: Reviser = field(default_factory=RuleReviser)  # the LLM reviser where an LLM is configured

    def target(self, options: ThreadOptions | None) -> Target | Failure:
        """The thread's render target: the default one unless its options pick a backend or model."""
        if options is None or not options.picks_backend or self.router is None:
            return Target(self.renderer, self.family, self.model, self.queue_events, self.job_ids)
        return self.router(options)

    def approves_final(self, options: ThreadOptions | None) -> bool:
        """Whether a final render waits for a person: the thread's choice, else the Studio's."""
        if options is not None and options.approve_final is not None:
            return options.approve_final
        return self.approve_final
