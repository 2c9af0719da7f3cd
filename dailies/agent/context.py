"""Context: the dependencies a graph run receives at invoke time (never read from the environment)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dailies.agent.director.base import Director
from dailies.generator.base import CancelToken
from dailies.generator.families import ModelFamily
from dailies.tools.critique import Critique, Expectation
from dailies.tools.renderer import Renderer

# The critic as the agent calls it: sync and CPU-bound, so always run on a worker thread.
CriticFn = Callable[[str, Expectation | None], Critique]


@dataclass
class Context:
    """What nodes use: the director, the renderer, the critic, where media goes and the loop's budget."""

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
