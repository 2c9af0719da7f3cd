"""The camera guide through real tiny pipelines on CPU: WanVACEPipeline, LTXConditionPipeline, CogVideoX V2V.

What is asserted is what the pipeline itself received: the pixel tensor its VAE encodes as the condition (the
previz animatic, or VACE's edges of it), at the request's frame count and size, and the strength as the tensors
the transformer sees (VACE's control scale, LTX's per-token timesteps, CogVideoX's starting timestep).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from generator.diffusers.backend import DiffusersGenerator
from generator.diffusers.tiny import make_tiny
from generator.diffusers.wan import edge_control
from generator.guide import render_guide
from generator.request import CameraGuide, CameraPath, ConditionClip, LookHints, RenderRequest

pytestmark = pytest.mark.slow

FOLDERS = {"wan-vace": "wan-vace-tiny", "ltx-condition": "ltx-tiny", "ltx": "ltx-tiny", "cogvideox": "cogvideox-tiny"}


def _request(family: str, **overrides: Any) -> RenderRequest:
    values: dict[str, Any] = dict(
        prompt="slow pan left, a red fox trots through the snow",
        width=64,
        height=32,
        num_frames=9,
        fps=8,
        seed=4,
        steps=2,
        family=family,
        camera=CameraPath(movement="pan_left", speed="fast"),
        look=LookHints(subject="a red fox", setting="snowy forest"),
        guide=CameraGuide(strength=0.6),
    )
    values.update(overrides)
    return RenderRequest(**values)


@pytest.fixture(scope="module")
def generators(tmp_path_factory, tiny_dirs) -> dict[str, DiffusersGenerator]:
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny-guide")
    folders: dict[str, Path] = {"ltx": tiny_dirs["ltx"], "wan": tiny_dirs["wan"]}
    folders.update({name: make_tiny(name, root / name) for name in ("wan-vace", "ltx-condition", "cogvideox")})
    loaded = {}
    for name, folder in folders.items():
        generator = DiffusersGenerator(str(folder))
        generator.load()
        loaded[name] = generator
    return loaded


@contextmanager
def encoded_inputs(generator: DiffusersGenerator) -> Iterator[list[torch.Tensor]]:
    """Every pixel tensor the pipeline's VAE encodes during the block (the VAE is shared by sibling pipelines)."""
    vae = generator.pipeline.vae
    seen: list[torch.Tensor] = []
    original = vae.encode

    def recording(x: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
        seen.append(x.detach().float().clone())
        return original(x, *args, **kwargs)

    vae.encode = recording
    try:
        yield seen
    finally:
        del vae.encode


@contextmanager
def transformer_calls(generator: DiffusersGenerator) -> Iterator[list[dict[str, Any]]]:
    """The keyword arguments of every transformer forward during the block."""
    calls: list[dict[str, Any]] = []

    def hook(module: Any, args: tuple, kwargs: dict) -> None:
        calls.append({k: v.detach().clone() if torch.is_tensor(v) else v for k, v in kwargs.items()})

    handle = generator.pipeline.transformer.register_forward_pre_hook(hook, with_kwargs=True)
    try:
        yield calls
    finally:
        handle.remove()


def as_pipeline_pixels(frames: np.ndarray) -> torch.Tensor:
    """(T, H, W, 3) uint8 as diffusers' VideoProcessor hands it to a VAE: (1, 3, T, H, W) in [-1, 1]."""
    return torch.from_numpy(frames).float().div(255).mul(2).sub(1).permute(3, 0, 1, 2).unsqueeze(0)


def test_vace_gets_the_edges_of_the_animatic_as_its_control_video_at_the_guide_strength(generators):
    generator, request = generators["wan-vace"], _request("wan-vace-tiny")
    with encoded_inputs(generator) as encoded, transformer_calls(generator) as calls:
        result = generator.render(request)
    control = edge_control(render_guide(request))
    assert control.any() and not np.array_equal(control[0], control[-1])  # edges that move with the pan
    # VACE encodes the frames it keeps (none: the mask is all white) and the frames it regenerates (the control).
    inactive, reactive = encoded
    assert reactive.shape == (1, 3, 9, 32, 64) and torch.equal(inactive, torch.zeros_like(inactive))
    assert torch.allclose(reactive, as_pipeline_pixels(control), atol=1e-6)
    scale = calls[0]["control_hidden_states_scale"]
    assert torch.allclose(scale, torch.full((2,), 0.6))  # one scale per VACE block
    assert calls[0]["control_hidden_states"].shape[2] == calls[0]["hidden_states"].shape[2]  # latent frames line up
    assert result.frames.shape == (9, 32, 64, 3)
    assert "camera guide: VACE control video (the animatic's edges), conditioning_scale 0.6" in result.notes


@pytest.mark.parametrize("name", ["ltx", "ltx-condition"])
def test_ltx_conditions_every_frame_on_the_animatic_at_the_guide_strength(generators, name):
    generator = generators[name]
    request = _request("ltx-tiny", guide=CameraGuide(strength=0.35))
    with encoded_inputs(generator) as encoded, transformer_calls(generator) as calls:
        result = generator.render(request)
    (condition,) = encoded
    assert condition.shape == (1, 3, 9, 32, 64)
    assert torch.allclose(condition, as_pipeline_pixels(render_guide(request)), atol=1e-6)
    # Conditioned tokens hold at timestep (1 - strength) x 1000 while the schedule is noisier than that.
    first = calls[0]["timestep"]
    assert torch.allclose(first, torch.full_like(first, 650.0), atol=1e-3)
    assert result.frames.shape == (9, 32, 64, 3)
    assert any("LTX video condition (the animatic from frame 0), strength 0.35" in note for note in result.notes)


def test_cogvideox_starts_from_the_animatic_and_denoises_one_minus_the_strength(generators):
    generator = generators["cogvideox"]
    request = _request("cogvideox-tiny", steps=10, guide=CameraGuide(strength=0.6))
    full = generator.pipeline.scheduler
    full.set_timesteps(10)
    schedule = full.timesteps.clone()
    with encoded_inputs(generator) as encoded, transformer_calls(generator) as calls:
        result = generator.render(request)
    (video,) = encoded
    assert video.shape == (1, 3, 9, 32, 64)
    assert torch.allclose(video, as_pipeline_pixels(render_guide(request)), atol=1e-6)
    # Strength 1 - 0.6 = 0.4 of 10 steps: 4 denoising steps, from the 7th timestep of the full schedule.
    assert len(calls) == 4 and int(calls[0]["timestep"][0]) == int(schedule[6])
    assert result.frames.shape == (9, 32, 64, 3)
    assert any("strength 0.4 (guide 0.6): 4 denoising steps" in note for note in result.notes)


def test_cogvideox_lengthens_a_schedule_too_short_to_denoise_at_all(generators):
    request = _request("cogvideox-tiny", steps=2, guide=CameraGuide(strength=0.8))
    with transformer_calls(generators["cogvideox"]) as calls:
        result = generators["cogvideox"].render(request)
    assert len(calls) == 1
    assert any("1 denoising step of a 5-step schedule (2 would denoise none)" in note for note in result.notes)


@pytest.mark.parametrize("name", ["wan-vace", "ltx", "cogvideox"])
def test_the_guide_and_its_strength_change_the_take(generators, name):
    generator, family = generators[name], FOLDERS[name]
    plain = generator.render(_request(family, guide=None, steps=4)).frames.astype(int)
    weak = generator.render(_request(family, guide=CameraGuide(strength=0.2), steps=4)).frames.astype(int)
    firm = generator.render(_request(family, guide=CameraGuide(strength=0.8), steps=4)).frames.astype(int)
    assert np.abs(plain - weak).mean() > 0.5 and np.abs(weak - firm).mean() > 0.5


def test_weights_without_a_guide_path_render_the_same_take_from_the_words_with_a_note(generators):
    generator = generators["wan"]  # Wan 2.1 text-to-video: only the VACE checkpoint takes a guide
    guided = generator.render(_request("wan-tiny"))
    plain = generator.render(_request("wan-tiny", guide=None))
    assert np.array_equal(guided.frames, plain.frames)
    note = next(n for n in guided.notes if "camera guide" in n)
    assert "takes no camera guide" in note and "wan2.1-vace-1.3b" in note and "from the words alone" in note


def test_an_extension_continues_its_take_and_leaves_the_guide_out(generators, write_clip):
    generator = generators["ltx"]
    source = generator.render(_request("ltx-tiny", guide=None, num_frames=17))
    clip = write_clip(source.frames, Path.cwd() / "source.mp4")
    request = _request("ltx-tiny", num_frames=17, condition=ConditionClip(path=str(clip), last_frames=9))
    with encoded_inputs(generator) as encoded:
        result = generator.render(request)
    assert len(encoded) == 1 and encoded[0].shape[2] == 9  # only the earlier take's last 9 frames
    assert "an extension continues from its earlier take: no camera guide" in result.notes


def test_vace_folders_and_hub_ids_resolve_to_the_vace_families(generators, tmp_path):
    import json

    from generator.diffusers.loader import family_for_model

    assert generators["wan-vace"].family.name == "wan-vace-tiny"
    assert family_for_model("Wan-AI/Wan2.1-VACE-14B-diffusers").name == "wan2.1-vace-14b"
    assert family_for_model("vace").name == "wan2.1-vace-1.3b"
    for name, heads, family in (("small", 12, "wan2.1-vace-1.3b"), ("large", 40, "wan2.1-vace-14b")):
        (tmp_path / name / "transformer").mkdir(parents=True)
        (tmp_path / name / "model_index.json").write_text(json.dumps({"_class_name": "WanVACEPipeline"}))
        config = {"num_attention_heads": heads, "attention_head_dim": 128}
        (tmp_path / name / "transformer" / "config.json").write_text(json.dumps(config))
        assert family_for_model(str(tmp_path / name)).name == family
