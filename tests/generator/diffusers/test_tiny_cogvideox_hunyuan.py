"""Tiny CogVideoX and HunyuanVideo pipelines through DiffusersGenerator and the real diffusers code, on CPU."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from agent.compile import compile_shot
from agent.spec import ShotSpec
from generator.base import Progress
from generator.diffusers import cogvideox, hunyuan
from generator.diffusers.backend import DiffusersGenerator
from generator.diffusers.loader import family_for_model
from generator.diffusers.tiny import TINY_BUILDERS, build_cogvideox, build_hunyuan, make_tiny
from generator.errors import InvalidRequest
from generator.families import get_family
from generator.request import RenderRequest

pytestmark = pytest.mark.slow

NAMES = {"cogvideox": "cogvideox-tiny", "hunyuan": "hunyuan-tiny"}


def _request(family: str, **overrides) -> RenderRequest:
    values = dict(
        prompt="a red fox trots through the snow at dusk",
        width=64,
        height=32,
        num_frames=9,
        fps=8,
        seed=3,
        steps=2,
        family=family,
    )
    values.update(overrides)
    return RenderRequest(**values)


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny-cog-hunyuan")
    return {name: make_tiny(name, root / name) for name in NAMES}


@pytest.fixture(scope="module")
def generators(folders) -> dict[str, DiffusersGenerator]:
    loaded = {}
    for name, folder in folders.items():
        generator = DiffusersGenerator(str(folder))
        generator.load()
        loaded[name] = generator
    return loaded


@pytest.mark.parametrize("name", sorted(NAMES))
def test_renders_frames_with_progress(generators, name):
    generator = generators[name]
    assert generator.family.name == NAMES[name] and generator.plan == "none"
    events: list[Progress] = []
    result = generator.render(_request(NAMES[name]), progress=events.append)
    assert result.frames.shape == (9, 32, 64, 3) and result.frames.dtype == np.uint8
    assert result.frames.std() > 1.0  # random weights draw noise, not a blank frame
    assert (result.backend, result.seed, result.fps) == ("diffusers", 3, 8)
    assert [(e.step, e.total) for e in events] == [(1, 2), (2, 2)]
    assert events[-1].eta_s == 0.0


@pytest.mark.parametrize("name", sorted(NAMES))
def test_same_seed_same_take_other_seed_other_take(generators, name):
    generator = generators[name]
    first = generator.render(_request(NAMES[name], seed=11)).frames
    again = generator.render(_request(NAMES[name], seed=11)).frames
    other = generator.render(_request(NAMES[name], seed=12)).frames
    assert np.array_equal(first, again)
    assert np.abs(first.astype(int) - other.astype(int)).mean() > 1.0


@pytest.mark.parametrize("name", sorted(NAMES))
def test_a_compiled_spec_is_snapped_to_4k_plus_1_and_16(generators, name):
    family = get_family(NAMES[name])
    spec = ShotSpec(subject="a fox", camera_movement="pan_left", duration_s=1.2, aspect_ratio="9:16")
    compiled = compile_shot(spec, family, steps=2)
    assert any("snapped 10 to 9" in note for note in compiled.notes)
    assert any("snapped to 32x64" in note for note in compiled.notes)
    result = generators[name].render(compiled.request)
    assert (result.num_frames, result.width, result.height) == (9, 32, 64)
    # What the pipelines would round silently (Hunyuan: 10 -> 9) or fail on deep inside (CogVideoX: 40 px) is refused.
    with pytest.raises(InvalidRequest, match="10 frames"):
        generators[name].render(_request(NAMES[name], num_frames=10))
    with pytest.raises(InvalidRequest, match="width 40"):
        generators[name].render(_request(NAMES[name], width=40))


@pytest.mark.parametrize(
    ("family", "size", "frames", "said"),
    [
        ("cogvideox-2b", (720, 480), 49, "to 49"),  # 48 frames at 8 fps snap to its trained 49
        ("hunyuan-video", (960, 544), 144, "rendered as 2 segments"),  # 144 at 24 fps: past one pass of 129
    ],
)
def test_real_families_snap_a_six_second_wide_shot(family, size, frames, said):
    compiled = compile_shot(ShotSpec(subject="a fox", duration_s=6.0, aspect_ratio="16:9"), get_family(family))
    request = compiled.request
    assert ((request.width, request.height), request.num_frames) == (size, frames)
    assert any(said in note for note in compiled.notes)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_saved_folder_loads_back_identical(folders, generators, name):
    assert family_for_model(str(folders[name])).name == NAMES[name]
    assert json.loads((folders[name] / "dailies.json").read_text())["family"] == NAMES[name]
    torch.manual_seed(0)  # make_tiny's default seed
    built = {"cogvideox": build_cogvideox, "hunyuan": build_hunyuan}[name]()
    loaded = generators[name].pipeline
    for component in ("transformer", "text_encoder", "vae") + (("text_encoder_2",) if name == "hunyuan" else ()):
        mine, theirs = getattr(built, component).state_dict(), getattr(loaded, component).state_dict()
        assert mine.keys() == theirs.keys(), component
        assert all(torch.equal(mine[k], theirs[k]) for k in mine), component
    tokenizers = ("tokenizer",) + (("tokenizer_2",) if name == "hunyuan" else ())
    for (
        tokenizer
    ) in tokenizers:  # a rebuilt BPE tokenizer that splits words into letters after a reload is a known trap
        words = getattr(loaded, tokenizer).tokenize("a red fox trots")
        assert words == getattr(built, tokenizer).tokenize("a red fox trots") and len(words) == 4, words

    request = _request(NAMES[name])
    kwargs = {"cogvideox": cogvideox, "hunyuan": hunyuan}[name].call_kwargs(
        built, request, get_family(NAMES[name]), None
    )
    out = built(**kwargs, output_type="np", generator=torch.Generator().manual_seed(request.seed)).frames[0]
    rendered = generators[name].render(request).frames
    assert np.abs((np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8).astype(int) - rendered).max() <= 1


def test_cogvideox_uses_dynamic_cfg_only_with_its_dpm_scheduler(generators):
    from diffusers import CogVideoXDPMScheduler

    generator = generators["cogvideox"]
    pipe = generator.pipeline
    family = get_family("cogvideox-tiny")
    kwargs = cogvideox.call_kwargs(pipe, _request("cogvideox-tiny"), family, None)
    assert kwargs["use_dynamic_cfg"] is False and kwargs["max_sequence_length"] == 16
    assert kwargs["guidance_scale"] == 6.0
    ddim = pipe.scheduler
    try:
        pipe.scheduler = CogVideoXDPMScheduler.from_config(ddim.config)
        assert cogvideox.call_kwargs(pipe, _request("cogvideox-tiny"), family, None)["use_dynamic_cfg"] is True
        dpm = generator.render(_request("cogvideox-tiny", negative_prompt="blurry"))
    finally:
        pipe.scheduler = ddim
    assert dpm.frames.shape == (9, 32, 64, 3)
    assert not np.array_equal(dpm.frames, generator.render(_request("cogvideox-tiny", negative_prompt="blurry")).frames)


def test_hunyuan_template_only_for_the_toy_tokenizer_and_true_cfg_for_negatives(generators):
    generator = generators["hunyuan"]
    pipe = generator.pipeline
    tiny_kwargs = hunyuan.call_kwargs(pipe, _request("hunyuan-tiny"), get_family("hunyuan-tiny"), None)
    assert tiny_kwargs["prompt_template"] == {"template": "{}", "crop_start": 0}
    assert "negative_prompt" not in tiny_kwargs and "true_cfg_scale" not in tiny_kwargs
    real_kwargs = hunyuan.call_kwargs(pipe, _request("hunyuan-video"), get_family("hunyuan-video"), None)
    assert "prompt_template" not in real_kwargs  # the released checkpoints keep diffusers' own template

    plain = generator.render(_request("hunyuan-tiny")).frames
    steps: list[int] = []
    negative = generator.render(
        _request("hunyuan-tiny", negative_prompt="blurry"), progress=lambda p: steps.append(p.step)
    )
    assert steps == [1, 2]
    assert np.abs(plain.astype(int) - negative.frames.astype(int)).mean() > 0.5  # true CFG changed the take


def test_cli_knows_the_new_tiny_builds():
    from bots.cli.models import TINY_NAMES

    assert set(TINY_NAMES) == set(TINY_BUILDERS)
    assert {TINY_BUILDERS[name][0] for name in NAMES} == set(NAMES.values())
