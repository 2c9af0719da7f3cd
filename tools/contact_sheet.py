"""Contact sheets: frames laid out in a grid, in time order, for the vision judge and the storyboard."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image


def contact_sheet(
    frames: Sequence[np.ndarray] | np.ndarray,
    columns: int = 4,
    *,
    tile_width: int = 256,
    gap: int = 4,
    background: tuple[int, int, int] = (16, 16, 16),
    labels: Sequence[str] | None = None,
) -> np.ndarray:
    """Frames (RGB or grey uint8, any sizes) in rows of `columns`, left to right, each scaled to `tile_width`.

    Tiles keep the first frame's aspect ratio; `labels` (one per frame) are written in each tile's corner.
    """
    if len(frames) == 0:
        raise ValueError("a contact sheet needs at least one frame")
    if columns < 1 or tile_width < 8 or gap < 0:
        raise ValueError(f"bad layout: columns={columns}, tile_width={tile_width}, gap={gap}")
    if labels is not None and len(labels) != len(frames):
        raise ValueError(f"{len(labels)} labels for {len(frames)} frames")
    first = np.asarray(frames[0])
    tile_height = max(8, round(tile_width * first.shape[0] / first.shape[1]))
    columns = min(columns, len(frames))
    rows = -(-len(frames) // columns)
    sheet = np.empty((rows * tile_height + (rows + 1) * gap, columns * tile_width + (columns + 1) * gap, 3), np.uint8)
    sheet[:] = background
    for n, frame in enumerate(frames):
        tile = np.asarray(frame)
        if tile.dtype != np.uint8:
            raise ValueError(f"frame {n} is {tile.dtype}, expected uint8")
        if tile.ndim == 2:
            tile = np.repeat(tile[:, :, None], 3, axis=2)
        tile = cv2.resize(tile[:, :, :3], (tile_width, tile_height), interpolation=cv2.INTER_AREA)
        if labels is not None and labels[n]:
            tile = np.ascontiguousarray(tile)
            scale = max(0.35, tile_height / 360)
            origin = (4, 4 + round(14 * scale))
            # Outline by offset copies: a thicker stroke would also widen the letter spacing.
            x, y = origin
            font = cv2.FONT_HERSHEY_SIMPLEX
            for dx, dy in ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)):
                cv2.putText(tile, labels[n], (x + dx, y + dy), font, scale, (0, 0, 0), 1, cv2.LINE_AA)
            cv2.putText(tile, labels[n], origin, font, scale, (255, 255, 255), 1, cv2.LINE_AA)
        row, col = divmod(n, columns)
        top, left = gap + row * (tile_height + gap), gap + col * (tile_width + gap)
        sheet[top : top + tile_height, left : left + tile_width] = tile
    return sheet


def write_contact_sheet(frames: Sequence[np.ndarray] | np.ndarray, path: str | Path, **layout: object) -> Path:
    """Write a contact sheet as JPEG or PNG (by the path's suffix); returns the path."""
    path = Path(path)
    if path.suffix.lower() not in {".jpg", ".jpeg", ".png"}:
        raise ValueError(f"contact sheet must be .jpg or .png, not {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.fromarray(contact_sheet(frames, **layout))  # type: ignore[arg-type]
    if path.suffix.lower() == ".png":
        image.save(path)
    else:
        image.save(path, quality=88)
    return path


def data_url(image: np.ndarray, *, quality: int = 85) -> str:
    """An RGB image as a `data:image/jpeg;base64,...` URL (what vision chat models accept)."""
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("could not encode the image as JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")
