"""The retention policy: media older than the policy allows, or past the disk budget (oldest first), and the
queue's finished job rows, are deleted; only files inside the media folder are ever touched."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from generator.queue.job import FINISHED

DAY_S = 86400.0


@dataclass(frozen=True)
class RetentionPolicy:
    """How long media and finished jobs are kept (0 days: forever) and the most bytes of media kept (None: no cap)."""

    max_age_days: float = 30.0
    media_budget_bytes: int | None = None


@dataclass
class PruneReport:
    """What one prune removed (or, in a dry run, would remove)."""

    files: int = 0
    bytes: int = 0
    jobs: int = 0
    kept_bytes: int = 0


def _media_files(media_dir: Path) -> list[tuple[float, int, Path]]:
    """(modified time, size, path) of every regular file under the media folder; links are not followed."""
    found = []
    for root, _dirs, names in os.walk(media_dir):
        for name in names:
            path = Path(root) / name
            try:
                info = path.lstat()
            except OSError:
                continue
            if path.is_symlink() or not path.is_file():
                continue
            found.append((info.st_mtime, info.st_size, path))
    return sorted(found)


def doomed_media(media_dir: Path, policy: RetentionPolicy, now: float) -> tuple[list[tuple[int, Path]], int]:
    """The files to delete, oldest first, and the bytes that stay."""
    files = _media_files(media_dir)
    cutoff = now - policy.max_age_days * DAY_S if policy.max_age_days > 0 else None
    doomed = [(size, path) for mtime, size, path in files if cutoff is not None and mtime < cutoff]
    kept = [(size, path) for mtime, size, path in files if cutoff is None or mtime >= cutoff]
    total = sum(size for size, _ in kept)
    if policy.media_budget_bytes is not None:
        while kept and total > policy.media_budget_bytes:  # oldest first
            size, path = kept.pop(0)
            doomed.append((size, path))
            total -= size
    return doomed, total


def prune_media(
    media_dir: Path, policy: RetentionPolicy, *, now: float | None = None, dry_run: bool = False
) -> PruneReport:
    """Delete what the policy no longer keeps; empty thread folders go too."""
    report = PruneReport()
    if not media_dir.is_dir():
        return report
    doomed, report.kept_bytes = doomed_media(media_dir, policy, time.time() if now is None else now)
    for size, path in doomed:
        if not dry_run:
            try:
                path.unlink()
            except FileNotFoundError:
                continue
        report.files += 1
        report.bytes += size
    if not dry_run:
        for folder in sorted((p for p in media_dir.iterdir() if p.is_dir() and not p.is_symlink()), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty
    return report


def prune_jobs(jobs_path: Path, policy: RetentionPolicy, *, now: float | None = None, dry_run: bool = False) -> int:
    """Delete finished job rows older than the policy keeps; the number of rows."""
    if policy.max_age_days <= 0 or not jobs_path.is_file():
        return 0
    cutoff = (time.time() if now is None else now) - policy.max_age_days * DAY_S
    statuses = tuple(sorted(FINISHED))
    marks = ",".join("?" * len(statuses))
    where = f"status IN ({marks}) AND COALESCE(json_extract(data, '$.finished_at'), 0) < ?"
    with sqlite3.connect(jobs_path, timeout=30) as db:
        if dry_run:
            return int(db.execute(f"SELECT COUNT(*) FROM jobs WHERE {where}", (*statuses, cutoff)).fetchone()[0])
        return db.execute(f"DELETE FROM jobs WHERE {where}", (*statuses, cutoff)).rowcount


def prune(
    media_dir: Path, jobs_path: Path, policy: RetentionPolicy, *, now: float | None = None, dry_run: bool = False
) -> PruneReport:
    """The whole prune: media, then the job rows."""
    report = prune_media(media_dir, policy, now=now, dry_run=dry_run)
    report.jobs = prune_jobs(jobs_path, policy, now=now, dry_run=dry_run)
    return report
