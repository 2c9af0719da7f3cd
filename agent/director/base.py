"""The director interface: message + current spec -> new spec, attributed changes, question, notes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from agent.spec import ShotSpec, Storyboard


class Change(BaseModel):
    """One field changed by one message, attributed to whoever asked (a record: frozen)."""

    model_config = ConfigDict(frozen=True)

    field: str
    old: Any = None
    new: Any = None
    author: str
    suggested: bool = Field(False, description="The LLM's suggestion (enrichment), not the creator's own words.")


class Turn(BaseModel):
    """One message of the conversation, as the director sees it (a record: frozen)."""

    model_config = ConfigDict(frozen=True)

    author: str
    text: str


class TokenUsage(BaseModel):
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class DirectorReply(BaseModel):
    """What the director made of one message."""

    spec: ShotSpec
    changes: list[Change] = Field(default_factory=list)
    question: str | None = Field(None, description="Asked when the request is too vague to render.")
    notes: list[str] = Field(default_factory=list)
    usage: TokenUsage = Field(default_factory=TokenUsage)
    director: str = "offline"

    @classmethod
    def diffed(
        cls, base: ShotSpec | None, spec: ShotSpec, author: str, *, suggested: Collection[str] = (), **fields: Any
    ) -> DirectorReply:
        """A reply for `spec` whose changes are its diff from `base`, attributed to `author`; the `suggested`
        fields are marked as the model's suggestion."""
        return cls(spec=spec, changes=diff_specs(base, spec, author, suggested), **fields)


@runtime_checkable
class Director(Protocol):
    name: str

    async def direct(
        self,
        message: str,
        *,
        author: str,
        base: ShotSpec | None = None,
        history: Sequence[Turn] = (),
        storyboard: Storyboard | None = None,
    ) -> DirectorReply: ...


def diff_specs(old: ShotSpec | None, new: ShotSpec, author: str, suggested: Collection[str] = ()) -> list[Change]:
    """The fields that differ between two specs, as attributed changes (in field order)."""
    before = (old or ShotSpec()).model_dump(mode="json")
    after = new.model_dump(mode="json")
    return [
        Change(field=name, old=before[name], new=after[name], author=author, suggested=name in suggested)
        for name in ShotSpec.model_fields
        if before[name] != after[name]
    ]
