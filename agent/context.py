"""Context: the dependencies a graph run receives at invoke time (never read from the environment)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent.director.base import Director
from agent.revise import Reviser, RuleReviser
from agent.state import ThreadOptions
from agent.targets import RenderTargets, Target
from generator.base import CancelToken
from generator.errors import Failure
from generator.guide import GuideChoice, parse_guide
from tools.critique import Critique, Expectation
from tools.long_take import DEFAULT_SEGMENT_S

# The critic as the agent calls it: sync and CPU-bound, so always run on a worker thread.
CriticFn = Callable[[str, Expectation | None], Critique]
# Called before each render a run submits: None to go ahead, or the one line saying why not (over quota).
Charge = Callable[[], Awaitable[str | None]]


@dataclass(frozen=True)
class Requester:
    """Who a run works for, as a front end knows them: a stable user id (never a changeable name), the server
    it runs in (None in DMs and the terminal), and what each render costs them (`charge`; None: free)."""

    user: str
    guild: str | None = None
    charge: Charge | None = None


def thread_folder(media_dir: Path, thread_id: str) -> Path:
    """Media of one thread in its own folder inside `media_dir`: the thread id made safe for a file name
    (no separators, never "." or ".." or a hidden name, so no thread writes beside or above the others)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in thread_id)[:80] or "thread"
    if safe.startswith("."):
        safe = "_" + safe[1:]
    return media_dir / safe


@dataclass
class Context:
    """What nodes use: the director, the render targets, the critic, the reviser, where media goes and the budget."""

    thread_id: str
    director: Director
    targets: RenderTargets
    critic: CriticFn
    media_dir: Path
    attempt_budget: int = 3
    approve_final: bool = True
    guild: str | None = None  # the server the run is for: the queue's per-server caps and fairness key on it
    user: str | None = None  # the stable id of who the run is for: the queue's per-user caps key on it
    charge: Charge | None = None
    cancel: CancelToken | None = None
    reviser: Reviser = field(default_factory=RuleReviser)  # the LLM reviser where an LLM is configured
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
