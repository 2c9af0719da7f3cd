"""The director: turns each creator message into a change to the current ShotSpec.

`make_director(DirectorConfig(...))` gives the offline director (default) or the LLM director; both implement
`Director.direct(message, author=..., base=..., history=..., storyboard=...) -> DirectorReply`.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Imported on first use, so that importing the light `base` module does not load the openai client.
    if name in ("make_director", "DirectorConfig"):
        from agent.director import factory

        return getattr(factory, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
