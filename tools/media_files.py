"""Files in the media folder: which paths belong to it, and deleting a take's files (never anything outside)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)


def inside(path: str | Path, root: Path) -> bool:
    """Whether `path` (links resolved) lies inside the folder `root`."""
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
    except (OSError, ValueError):
        return False
    return True


def remove_files(paths: Iterable[str | Path | None], root: Path) -> int:
    """Delete these files when they lie inside `root`; returns how many were deleted. A path outside `root`
    (a record from elsewhere, a forged path) is left alone and logged."""
    removed = 0
    for path in paths:
        if not path:
            continue
        if not inside(path, root):
            log.warning("not deleting %s: it is outside the media folder", path)
            continue
        try:
            Path(path).unlink()
            removed += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("cannot delete %s: %s", path, exc)
    return removed
