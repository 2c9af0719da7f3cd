"""The storyboard calls: approve a take as the next shot, reorder or remove shots, cut the reel, draw the sheet."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from pathlib import Path

from agent.config import StudioConfig
from agent.context import Requester, thread_folder
from agent.spec import ShotSpec, Storyboard
from agent.studio.reads import ThreadReads
from agent.studio.results import StudioError, TurnResult
from tools.media_files import remove_files

LABEL_CHARS = 60
REEL_GLOB = "reel-*.mp4"
log = logging.getLogger(__name__)


class StoryboardCalls(ThreadReads):
    """What a team does with the shots it keeps (mixed into Studio); edits are runs of the graph, cuts are not."""

    config: StudioConfig
    media_dir: Path
    _reels: asyncio.Semaphore  # reels being cut at once, across threads (each holds its frames in memory)
    _reel_locks: dict[str, asyncio.Lock]

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
        self,
        thread_id: str,
        crossfade: bool = False,
        *,
        out: Path | None = None,
        max_bytes: int | None = None,
        requester: Requester | None = None,
    ) -> Path:
        """Cut the storyboard's takes together into one mp4 within the byte budget (hard cuts or crossfades).

        The thread's reel of an unchanged board is reused (not cut, not charged); a new cut is charged to
        `requester` like a render, waits its turn (`reel_concurrency` reels at once, one per thread) and
        replaces the thread's older reels."""
        board = await self._require_board(thread_id)
        budget = max_bytes or self.config.max_upload_bytes
        folder = thread_folder(self.media_dir, thread_id)
        async with self._reel_locks.setdefault(thread_id, asyncio.Lock()):
            target = out or folder / f"reel-{reel_key(board, crossfade, budget)}.mp4"
            if out is None and target.is_file():
                return target
            if requester is not None and requester.charge is not None and (why := await requester.charge()):
                raise StudioError(why)
            async with self._reels:
                path = await self._cut_reel(thread_id, board, target, crossfade, budget)
            if out is None:
                remove_files((old for old in folder.glob(REEL_GLOB) if old != target), self.media_dir)
            return path

    async def _cut_reel(self, thread_id: str, board: Storyboard, out: Path, crossfade: bool, max_bytes: int) -> Path:
        from tools.reel import DEFAULT_CROSSFADE_S, ReelError, make_reel

        clips = [Path(shot.take_path or "") for shot in board.shots]
        partial = out.with_name(f".{out.stem}.part.mp4")  # whole or not at all: a half-cut reel is never reused
        try:
            result = await asyncio.to_thread(
                make_reel,
                clips,
                partial,
                crossfade_s=DEFAULT_CROSSFADE_S if crossfade else 0.0,
                max_bytes=max_bytes,
                continuous=[bool(shot.spec.continue_previous) for shot in board.shots],
            )
        except BaseException as exc:
            partial.unlink(missing_ok=True)
            if isinstance(exc, ReelError):
                raise StudioError(str(exc)) from None
            raise
        partial.replace(out)
        for check in result.continuity:
            log.info("reel of %s: %s", thread_id, check.detail)
        return out

    async def delete_take(self, thread_id: str, take_id: str, author: str = "") -> TurnResult:
        """Delete a take: it leaves the thread's state (and the storyboard), then its files leave the disk."""
        record = await self._require_take(thread_id, take_id)
        result = await self._runs.job(thread_id, "delete", author, None, None, take_id=record.take_id)
        async with self._reel_locks.setdefault(thread_id, asyncio.Lock()):
            folder = thread_folder(self.media_dir, thread_id)
            paths = [record.take.path, record.take.poster, *folder.glob(REEL_GLOB), folder / "storyboard.png"]
            await asyncio.to_thread(remove_files, paths, self.media_dir)
        return result

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


def reel_key(board: Storyboard, crossfade: bool, max_bytes: int) -> str:
    """What a reel is cut from: its takes in order, the cut and the byte budget (same key, same reel)."""
    what = {"takes": [[s.take_id, s.take_path] for s in board.shots], "crossfade": crossfade, "max_bytes": max_bytes}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]
