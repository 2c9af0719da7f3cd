"""Characters' reference images as untrusted input: bounded, identified by content, decoded safely, stored by us."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 4096 * 4096  # the same bound generator/reference.py keeps when it reads a stored image
MIN_SIDE = 16
# Formats by their first bytes; a name or a declared content type is never trusted.
_SIGNATURES: tuple[tuple[str, bytes, int], ...] = (
    ("PNG", b"\x89PNG\r\n\x1a\n", 0),
    ("JPEG", b"\xff\xd8\xff", 0),
    ("WEBP", b"WEBP", 8),
)


class BadImage(ValueError):
    """An image we will not use, with the one line the creator sees."""


def image_format(data: bytes) -> str | None:
    """PNG, JPEG or WEBP as the bytes themselves say, or None."""
    for name, magic, at in _SIGNATURES:
        if data[at : at + len(magic)] == magic and (name != "WEBP" or data[:4] == b"RIFF"):
            return name
    return None


def read_image_file(path: str | Path, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """A local image file's bytes, refusing one over `max_bytes` before reading it."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BadImage(f"{path.name} is {_size(size)}; a reference image may be at most {_size(max_bytes)}")
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise BadImage(f"no such image: {path}") from None
    except IsADirectoryError:
        raise BadImage(f"{path} is a folder, not an image") from None
    except OSError as exc:
        raise BadImage(f"cannot read {path.name}: {exc.strerror}") from None


def store_reference(data: bytes, folder: str | Path, *, max_bytes: int = MAX_IMAGE_BYTES) -> Path:
    """Check an uploaded image and store it as a PNG named by its content's hash inside `folder`.

    Refused before any pixel is decoded: more than `max_bytes`, a format other than PNG/JPEG/WebP (by content),
    more than MAX_IMAGE_PIXELS by the header's own size. Raises BadImage with one line; nothing is written then.
    """
    from PIL import Image, UnidentifiedImageError

    if len(data) > max_bytes:
        raise BadImage(f"the image is {_size(len(data))}; a reference image may be at most {_size(max_bytes)}")
    kind = image_format(data)
    if kind is None:
        raise BadImage("that file is not a PNG, JPEG or WebP image (judged by its content, not its name)")
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:  # lazy: only the header is read here
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise BadImage(
                    f"the image is {width}x{height} pixels; a reference image may have at most "
                    f"{MAX_IMAGE_PIXELS:,} pixels (4096x4096)"
                )
            if min(width, height) < MIN_SIDE:
                raise BadImage(f"the image is {width}x{height} pixels; each side needs at least {MIN_SIDE}")
            rgb = image.convert("RGB")  # decodes now, within the bound checked above
    except Image.DecompressionBombError:
        raise BadImage(f"the image has far more than {MAX_IMAGE_PIXELS:,} pixels (4096x4096)") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise BadImage(f"the {kind} image cannot be decoded: {str(exc) or type(exc).__name__}") from None
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{hashlib.sha256(data).hexdigest()[:32]}.png"
    if not target.exists():
        fd, temp = tempfile.mkstemp(dir=folder, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                rgb.save(handle, format="PNG")
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    return target


def _size(size: int) -> str:
    return f"{size / 2**20:.3g} MiB" if size >= 2**20 else f"{size / 1024:.3g} KiB"
