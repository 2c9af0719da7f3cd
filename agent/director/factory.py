"""make_director(config): the offline director by default, the LLM director when an endpoint is configured."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from agent.director.base import Director
from agent.director.llm import LLMDirector
from agent.director.offline import OfflineDirector

DIRECTORS = ("offline", "llm")


class DirectorConfigError(ValueError):
    """The chosen director cannot start with this configuration."""


@dataclass(frozen=True)
class DirectorConfig:
    """Which director answers, and the OpenAI-compatible endpoint of the LLM one."""

    kind: Literal["offline", "llm"] = "offline"
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 30.0


def make_director(config: DirectorConfig, kind: Literal["offline", "llm"] | None = None) -> Director:
    """The director `kind` (default: the configuration's)."""
    kind = kind or config.kind
    if kind == "offline":
        return OfflineDirector()
    if kind != "llm":
        raise DirectorConfigError(f"unknown director {kind!r}; choose one of: {', '.join(DIRECTORS)}")
    if not config.base_url:
        raise DirectorConfigError("the llm director needs DAILIES_LLM_BASE_URL (an OpenAI-compatible endpoint)")
    if not config.model:
        raise DirectorConfigError("the llm director needs DAILIES_LLM_MODEL (the model name the endpoint serves)")
    return LLMDirector(base_url=config.base_url, model=config.model, api_key=config.api_key, timeout_s=config.timeout_s)
