"""Reference images are untrusted: bounded before decoding, judged by content, stored under names we choose."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tools.images import MAX_IMAGE_PIXELS, BadImage, image_format, read_image_file, store_reference


def _png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR claiming width x height, with a few bytes of pixel data: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _encoded(fmt: str, width: int = 48, height: int = 32) -> bytes:
    rng = np.random.default_rng(1)
    buffer = io.BytesIO()
    Image.fromarray((rng.random((height, width, 3)) * 255).astype(np.uint8)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_good_image_is_stored_as_a_png_named_by_its_content(fmt: str, tmp_path: Path) -> None:
    data = _encoded(fmt)
    assert image_format(data) == fmt
    stored = store_reference(data, tmp_path / "refs")
    assert stored.parent == tmp_path / "refs" and stored.suffix == ".png" and len(stored.stem) == 32
    with Image.open(stored) as image:
        assert image.format == "PNG" and image.size == (48, 32) and image.mode == "RGB"
    assert store_reference(data, tmp_path / "refs") == stored  # the same upload twice is one file
    assert [p.name for p in (tmp_path / "refs").iterdir()] == [stored.name]  # no temporary left behind


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (_png_header_only(100_000, 100_000), "far more than"),  # Pillow's own bomb guard trips at open
        (_png_header_only(5000, 5000), "5000x5000 pixels; a reference image may have at most"),  # ours, before decode
        (_png_header_only(8, 8), "each side needs at least 16"),
        (b"GIF89a" + b"\0" * 100, "not a PNG, JPEG or WebP image (judged by its content, not its name)"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG, JPEG or WebP"),
        (_encoded("PNG")[:120], "cannot be decoded"),  # truncated
        (b"\xff\xd8\xff" + b"garbage" * 20, "cannot be decoded"),
    ],
)
def test_bad_images_get_one_line_and_nothing_is_written(data: bytes, says: str, tmp_path: Path) -> None:
    with pytest.raises(BadImage) as caught:
        store_reference(data, tmp_path / "refs")
    assert says in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "refs").exists() or not any((tmp_path / "refs").iterdir())


def test_size_is_refused_before_reading_and_a_bomb_is_refused_before_decoding(tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(b"\0" * 2048)
    with pytest.raises(BadImage, match=r"big\.png is 2 KiB; a reference image may be at most 1 KiB"):
        read_image_file(big, max_bytes=1024)
    with pytest.raises(BadImage, match="at most 1 KiB"):
        store_reference(_encoded("PNG", 64, 64), tmp_path / "refs", max_bytes=1024)
    decoded: list[object] = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self))
    with pytest.raises(BadImage, match="pixels"):
        store_reference(_png_header_only(4097, 4096), tmp_path / "refs")
    assert decoded == [] and MAX_IMAGE_PIXELS < 4097 * 4096  # refused on the header's word, no pixel decoded
    with pytest.raises(BadImage, match="no such image"):
        read_image_file(tmp_path / "missing.png")
    with pytest.raises(BadImage, match="is a folder"):
        read_image_file(tmp_path)
