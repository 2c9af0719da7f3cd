"""A character's reference image reaches the image input of the tiny image-to-video pipeline; elsewhere, words only."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from generator.diffusers.backend import DiffusersGenerator
from generator.errors import InvalidRequest
from generator.reference import reference_frame
from generator.request import ReferenceImage, RenderRequest

pytestmark = pytest.mark.slow


def _face(path, width: int = 90, height: int = 60):
    """A reference image that is not the frame size: it is scaled to cover the frame and centre-cropped."""
    yy, xx = np.mgrid[0:height, 0:width]
    rgb = np.stack([xx * 255 // width, yy * 255 // height, np.full_like(xx, 200)], axis=-1).astype(np.uint8)
    Image.fromarray(rgb).save(path)
    return path


def _request(*faces: ReferenceImage) -> RenderRequest:
    return RenderRequest(
        prompt="Ana: a tall woman in a yellow raincoat walks in the rain", width=64, height=32, num_frames=9, fps=8,
        seed=3, steps=2, family="wan-tiny", reference_images=faces,
    )  # fmt: skip


class RecordingImages:
    """Wraps a pipeline class's __call__ to record the `image` each real call receives."""

    def __init__(self, monkeypatch, cls) -> None:
        self.images: list[np.ndarray | None] = []
        original = cls.__call__

        def call(pipe, *args, **kwargs):
            image = kwargs.get("image")
            self.images.append(None if image is None else np.asarray(image))
            return original(pipe, *args, **kwargs)

        monkeypatch.setattr(cls, "__call__", call)


def test_the_reference_image_is_the_image_to_video_pipelines_first_frame(tiny_dirs, tmp_path, monkeypatch):
    from diffusers import WanImageToVideoPipeline, WanPipeline

    ana = ReferenceImage(name="Ana", path=str(_face(tmp_path / "ana.png")))
    ben = ReferenceImage(name="Ben", path=str(_face(tmp_path / "ben.png", 40, 80)))
    i2v_calls = RecordingImages(monkeypatch, WanImageToVideoPipeline)
    t2v_calls = RecordingImages(monkeypatch, WanPipeline)
    generator = DiffusersGenerator(str(tiny_dirs["wan"]), i2v_model=str(tiny_dirs["wan-i2v"]))

    result = generator.render(_request(ana, ben))
    assert result.frames.shape == (9, 32, 64, 3)
    [given] = i2v_calls.images
    assert np.array_equal(given, reference_frame(ana.path, 64, 32))  # Ana's face, cropped to the frame
    assert t2v_calls.images == []  # the text-only pipeline was not used for this take
    assert "Ana's reference image is the first frame (image-to-video conditioning)" in result.notes
    assert "one image input: Ben drawn from the words only" in result.notes

    generator.render(_request())
    assert t2v_calls.images == [None] and len(i2v_calls.images) == 1  # no reference: text to video as before


def test_without_an_image_input_the_character_is_drawn_from_words_with_a_note(tiny_dirs, tmp_path):
    ana = ReferenceImage(name="Ana", path=str(_face(tmp_path / "ana.png")))
    result = DiffusersGenerator(str(tiny_dirs["wan"])).render(_request(ana))
    assert result.frames.shape == (9, 32, 64, 3)
    assert any(note.endswith("Ana drawn from the words only") and "DAILIES_I2V_MODEL" in note for note in result.notes)


def test_an_image_to_video_model_alone_renders_from_the_reference(tiny_dirs, tmp_path):
    ana = ReferenceImage(name="Ana", path=str(_face(tmp_path / "ana.png")))
    alone = DiffusersGenerator(str(tiny_dirs["wan-i2v"]))
    assert alone.render(_request(ana)).frames.shape == (9, 32, 64, 3)
    gone = ReferenceImage(name="Ana", path=str(tmp_path / "deleted.png"))
    with pytest.raises(InvalidRequest, match="missing from the data folder"):
        alone.render(_request(gone))
