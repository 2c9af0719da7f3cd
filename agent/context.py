"""Context: the dependencies a graph run receives at invoke time (never read from the environment)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.director.base import Director
from agent.state import ThreadOptions
from agent.targets import RenderTargets, Target
from generator.base import CancelToken
from generator.errors import Failure
from generator.guide import GuideChoice, parse_guide
from tools.critique import Critique, Expectation
from tools.long_take import DEFAULT_SEGMENT_S

# The critic as the agent calls it: sync and CPU-bound, so always run on a worker thread.
CriticFn = Callable[[str, Expectation | None], Critique]


def thread_folder(media_dir: Path, thread_id: str) -> Path:
    """Media of one thread in its own folder; the thread id made safe for a file name."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in thread_id)[:80] or "thread"
    return media_dir / safe


@dataclass
class Context:
    """What nodes use: the director, the render targets, the critic, where media goes and the loop's budget."""

    thread_id: str
    director: Director
    targets: RenderTargets
    critic: CriticFn
    media_dir: Path
    attempt_budget: int = 3
    approve_final: bool = True
    guild: str | None = None
    cancel: CancelToken | None = None
    segment_s: float | None = DEFAULT_SEGMENT_S  # longest pass; longer shots render as segments
    guide: str = "previz"  # the camera guide of threads that choose none
    animatic: bool = True  # the animatic first, in threads that choose neither way

    @property
    def folder(self) -> Path:
        """Where this thread's takes are written."""
        return thread_folder(self.media_dir, self.thread_id)

    def target(self, options: ThreadOptions | None) -> Target | Failure:
        """The thread's render target: the main one unless its options pick a backend or model."""
        return self.targets.route(options)

    def guide_choice(self, options: ThreadOptions | None) -> GuideChoice:
        """How the thread's model takes are guided: its own choice, else the Studio's."""
        return parse_guide(options.guide if options is not None and options.guide else self.guide)

    def shows_animatic(self, options: ThreadOptions | None) -> bool:
        """Whether a model-rendered new shot posts its animatic first: the thread's choice, else the Studio's."""
        if options is not None and options.animatic is not None:
            return options.animatic
        return self.animatic

    def approves_final(self, options: ThreadOptions | None) -> bool:
        """Whether a final render waits for a person: the thread's choice, else the Studio's."""
        if options is not None and options.approve_final is not None:
            return options.approve_final
        return self.approve_final
