"""make_director(settings): the offline director by default, the LLM director when an endpoint is configured."""

from __future__ import annotations

from typing import Literal

from dailies.agent.director.base import Director
from dailies.agent.director.llm import LLMDirector
from dailies.agent.director.offline import OfflineDirector
from dailies.settings import Settings

DIRECTORS = ("offline", "llm")


class DirectorConfigError(ValueError):
    """The chosen director cannot start with these settings."""


def make_director(settings: Settings, kind: Literal["offline", "llm"] | None = None) -> Director:
    """The director `kind` (default: the settings' choice; 'auto' means llm when DAILIES_LLM_BASE_URL is set)."""
    kind = kind or settings.director_kind
    if kind == "offline":
        return OfflineDirector()
    if kind != "llm":
        raise DirectorConfigError(f"unknown director {kind!r}; choose one of: {', '.join(DIRECTORS)}")
    if not settings.llm_base_url:
        raise DirectorConfigError("the llm director needs DAILIES_LLM_BASE_URL (an OpenAI-compatible endpoint)")
    if not settings.llm_model:
        raise DirectorConfigError("the llm director needs DAILIES_LLM_MODEL (the model name the endpoint serves)")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return LLMDirector(
        base_url=settings.llm_base_url, model=settings.llm_model, api_key=key, timeout_s=settings.llm_timeout_s
    )
