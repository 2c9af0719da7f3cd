"""StudioConfig: what the agent needs from the operator's settings, handed down by the front end that read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agent.director.factory import DirectorConfig
from tools.queued_renderer import RenderSetup

if TYPE_CHECKING:
    from tools.critic.judge import VisionJudge


@dataclass(frozen=True)
class StudioConfig:
    """Where media and conversations live, where renders run, who directs, and the loop's budget."""

    media_dir: Path
    render: RenderSetup
    checkpoint_path: Path  # the SQLite checkpointer's file (unless checkpoint_url names Postgres)
    checkpoint_url: str | None = field(default=None, repr=False)  # postgresql://... to share conversations
    director: DirectorConfig = field(default_factory=DirectorConfig)
    judge: VisionJudge | None = None  # the optional vision-LLM judge in the critic
    attempt_budget: int = 3
    approve_final: bool = True
    guide: str = "previz"  # the camera guide of threads that choose none (generator.guide.parse_guide)
    animatic: bool = True  # with a model backend, a new shot's previz animatic first (threads may choose)

    @property
    def backend(self) -> str:
        return self.render.backend

    @property
    def model(self) -> str | None:
        return self.render.model

    @property
    def max_upload_bytes(self) -> int:
        return self.render.max_upload_bytes
