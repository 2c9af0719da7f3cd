"""What the Discord front end needs from the agent: the part of agent.studio.Studio the bot calls."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from agent.events import EventSink
    from agent.spec import ShotSpec, Storyboard
    from agent.state import TakeRecord, ThreadOptions


class StudioPort(Protocol):
    """A conversation per project thread: turns that may render, the takes and storyboard they left."""

    async def send(
        self,
        thread_id: str,
        author: str,
        text: str,
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
    ) -> Any: ...

    async def reroll(
        self,
        thread_id: str,
        take_id: str | None = None,
        author: str = "",
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
    ) -> Any: ...

    async def variations(
        self,
        thread_id: str,
        n: int = 3,
        author: str = "",
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
    ) -> Any: ...

    async def extend(
        self,
        thread_id: str,
        take_id: str | None = None,
        author: str = "",
        text: str | None = None,
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
    ) -> Any: ...

    async def final_render(
        self,
        thread_id: str,
        take_id: str | None = None,
        author: str = "",
        on_event: EventSink | None = None,
        *,
        options: ThreadOptions | None = None,
    ) -> Any: ...

    async def resume(
        self, thread_id: str, approved: bool, author: str = "", on_event: EventSink | None = None
    ) -> Any: ...

    async def recover(self, thread_id: str, on_event: EventSink | None = None) -> Any: ...

    async def cancel(self, thread_id: str) -> bool: ...

    async def approve(self, thread_id: str, take_id: str | None = None, author: str = "") -> Storyboard: ...

    async def reel(
        self, thread_id: str, crossfade: bool = False, *, out: Path | None = None, max_bytes: int | None = None
    ) -> Path: ...

    async def storyboard(self, thread_id: str) -> Storyboard: ...

    async def spec(self, thread_id: str) -> ShotSpec | None: ...

    async def takes(self, thread_id: str) -> list[TakeRecord]: ...

    async def take(self, thread_id: str, take_id: str) -> TakeRecord | None: ...

    def check_options(self, options: ThreadOptions) -> None:
        """Raise StudioError when these options name a backend or model this studio does not serve."""
