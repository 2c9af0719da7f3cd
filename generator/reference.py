"""A character's stored reference image as a first frame: read, and cropped to fill the shot's frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.errors import InvalidRequest

# Stored references were checked on upload (tools/images.py); this bound only guards a file swapped on disk.
MAX_REFERENCE_PIXELS = 4096 * 4096


def reference_frame(path: str | Path, width: int, height: int) -> np.ndarray:
    """The image at `path` scaled to cover width x height and centre-cropped: (height, width, 3) uint8 RGB."""
    import cv2
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise InvalidRequest(f"the reference image {path.name} is missing from the data folder; attach it again")
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_REFERENCE_PIXELS:
                raise InvalidRequest(f"the reference image {path.name} is larger than {MAX_REFERENCE_PIXELS} pixels")
            rgb = np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError) as exc:
        raise InvalidRequest(f"the reference image {path.name} cannot be read: {exc}") from None
    h, w = rgb.shape[:2]
    scale = max(width / w, height / h)
    new_w, new_h = max(width, round(w * scale)), max(height, round(h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(rgb, (new_w, new_h), interpolation=interpolation)
    top, left = (new_h - height) // 2, (new_w - width) // 2
    return np.ascontiguousarray(resized[top : top + height, left : left + width])
