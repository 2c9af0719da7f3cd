"""The storyboard calls: approve a take as the next shot, reorder or remove shots, cut the reel, draw the sheet."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

from agent.config import StudioConfig
from agent.context import thread_folder
from agent.spec import ShotSpec, Storyboard
from agent.studio.reads import ThreadReads

LABEL_CHARS = 60
log = logging.getLogger(__name__)


class StoryboardCalls(ThreadReads):
    """What a team does with the shots it keeps (mixed into Studio); edits are runs of the graph, cuts are not."""

    config: StudioConfig
    media_dir: Path

    async def approve(self, thread_id: str, take_id: str | None = None, author: str = "") -> Storyboard:
        """Put a take (default: the current one) on the storyboard as the next shot; the next shot inherits its look."""
        record = await self._require_take(thread_id, take_id)
        await self._runs.job(thread_id, "approve", author, None, None, take_id=record.take_id)
        return await self.storyboard(thread_id)

    async def reorder(self, thread_id: str, shot: int, to: int, author: str = "") -> Storyboard:
        """Move shot number `shot` to position `to` (both 1-based)."""
        await self._require_shots(thread_id, shot, to)
        await self._runs.job(thread_id, "reorder", author, None, None, shot=shot, to=to)
        return await self.storyboard(thread_id)

    async def remove(self, thread_id: str, shot: int, author: str = "") -> Storyboard:
        """Take shot number `shot` (1-based) off the storyboard."""
        await self._require_shots(thread_id, shot)
        await self._runs.job(thread_id, "remove", author, None, None, shot=shot)
        return await self.storyboard(thread_id)

    async def reel(
        self, thread_id: str, crossfade: bool = False, *, out: Path | None = None, max_bytes: int | None = None
    ) -> Path:
        """Cut the storyboard's takes together into one mp4 within the byte budget (hard cuts or crossfades)."""
        from tools.reel import DEFAULT_CROSSFADE_S, make_reel

        board = await self._require_board(thread_id)
        out = out or thread_folder(self.media_dir, thread_id) / f"reel-{uuid.uuid4().hex[:6]}.mp4"
        clips = [Path(shot.take_path or "") for shot in board.shots]
        result = await asyncio.to_thread(
            make_reel,
            clips,
            out,
            crossfade_s=DEFAULT_CROSSFADE_S if crossfade else 0.0,
            max_bytes=max_bytes or self.config.max_upload_bytes,
            continuous=[bool(shot.spec.continue_previous) for shot in board.shots],
        )
        for check in result.continuity:
            log.info("reel of %s: %s", thread_id, check.detail)
        return result.path

    async def contact_sheet(self, thread_id: str, *, out: Path | None = None) -> Path:
        """A PNG with one frame of every storyboard shot, numbered in order."""
        from tools.reel import storyboard_sheet

        board = await self._require_board(thread_id)
        out = out or thread_folder(self.media_dir, thread_id) / "storyboard.png"
        clips = [Path(shot.take_path or "") for shot in board.shots]
        labels = [f"{i}. {shot_label(shot.spec)}" for i, shot in enumerate(board.shots, 1)]
        return await asyncio.to_thread(storyboard_sheet, clips, labels, out)


def shot_label(spec: ShotSpec) -> str:
    """A short caption of a shot: its subject and camera move."""
    words = [spec.subject or "", (spec.camera_movement or "").replace("_", " ")]
    return ", ".join(w for w in words if w)[:LABEL_CHARS]
