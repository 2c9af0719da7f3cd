"""The camera guide without torch: choosing one, the previz request it renders, and the size/length guard."""

from __future__ import annotations

import numpy as np
import pytest

from generator.errors import InvalidRequest
from generator.guide import GuideChoice, check_guide, guide_request, parse_guide, render_guide
from generator.previz import PrevizGenerator
from generator.request import DEFAULT_GUIDE_STRENGTH, CameraGuide, CameraPath, LookHints, RenderRequest


def _request(**overrides) -> RenderRequest:
    values = dict(
        prompt="slow pan left, wide shot, a red fox trots through the snow",
        negative_prompt="blurry",
        width=128,
        height=96,
        num_frames=9,
        fps=8,
        seed=5,
        steps=30,
        guidance=5.0,
        family="wan-vace-tiny",
        model="/models/vace",
        camera=CameraPath(movement="pan_left", speed="slow"),
        look=LookHints(subject="a red fox", setting="snow", caption="a red fox trots through the snow"),
        guide=CameraGuide(strength=0.7),
    )
    values.update(overrides)
    return RenderRequest(**values)


@pytest.mark.parametrize(
    ("text", "mode", "strength"),
    [
        ("previz", "previz", DEFAULT_GUIDE_STRENGTH),
        ("previz:0.8", "previz", 0.8),
        (" Previz : .35 ", "previz", 0.35),
        ("auto", "auto", DEFAULT_GUIDE_STRENGTH),
        ("OFF", "off", DEFAULT_GUIDE_STRENGTH),
    ],
)
def test_parse_guide_reads_each_choice(text, mode, strength):
    choice = parse_guide(text)
    assert (choice.mode, choice.strength) == (mode, strength)
    assert parse_guide(str(choice)) == choice  # what it prints reads back the same


BAD_CHOICES = ["", "depth", "previz:1", "previz:0", "previz:1.5", "previz:-0.2", "auto:0.5", "x:0.5"]


@pytest.mark.parametrize("text", BAD_CHOICES)
def test_parse_guide_refuses_anything_else_in_one_line(text):
    with pytest.raises(ValueError) as caught:
        parse_guide(text)
    assert "\n" not in str(caught.value) and str(caught.value)


def test_only_previz_guides_the_first_take_and_only_off_forbids_revising():
    assert parse_guide("previz:0.7").first_guide == CameraGuide(strength=0.7)
    assert parse_guide("auto").first_guide is None and parse_guide("auto").revisable
    assert parse_guide("off").first_guide is None and not parse_guide("off").revisable
    assert GuideChoice("previz").revisable


def test_the_guide_request_is_the_same_shot_on_previz_without_its_caption():
    request = _request(faults=())
    previz = guide_request(request)
    kept = ("prompt", "width", "height", "num_frames", "fps", "seed", "camera")
    assert all(getattr(previz, name) == getattr(request, name) for name in kept)
    assert (previz.family, previz.model, previz.guide, previz.steps, previz.negative_prompt) == (
        "previz",
        None,
        None,
        1,
        None,
    )
    assert previz.look is not None and previz.look.caption is None and previz.look.subject == "a red fox"
    assert guide_request(_request(look=None)).look == LookHints()  # no look: still no caption drawn from the prompt


def test_the_guide_is_the_previz_render_of_that_request_at_the_takes_size_and_length():
    request = _request()
    frames = render_guide(request)
    assert frames.shape == (9, 96, 128, 3) and frames.dtype == np.uint8
    assert np.array_equal(frames, PrevizGenerator().render(guide_request(request)).frames)
    # The caption strip previz draws at this size is left out of the guide (the model would draw the words).
    captioned = PrevizGenerator().render(request.model_copy(update={"guide": None})).frames
    assert not np.array_equal(frames[:, -12:], captioned[:, -12:])


def test_a_guide_of_another_length_or_size_is_refused_not_trimmed():
    request = _request(width=64, height=32)
    good = np.zeros((9, 32, 64, 3), np.uint8)
    check_guide(good, request)
    for bad in (good[:5], np.zeros((9, 32, 48, 3), np.uint8)):
        with pytest.raises(InvalidRequest, match="the take needs 9 of 64x32"):
            check_guide(bad, request)


def test_a_request_refuses_a_strength_of_one_or_more():
    with pytest.raises(ValueError):
        CameraGuide(strength=1.0)
    with pytest.raises(ValueError):
        CameraGuide(strength=0.0)
