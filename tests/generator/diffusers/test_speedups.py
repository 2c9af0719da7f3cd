"""Every speed-up and every pair of them on tiny Wan and LTX pipelines: it renders, or it is refused in one line."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from generator.diffusers.backend import DiffusersGenerator
from generator.diffusers.speedups import SPEEDUPS, refusals
from generator.diffusers.tiny import build_ltx, build_wan
from generator.errors import ModelUnavailable
from generator.families import get_family
from generator.request import ConditionClip, RenderRequest

pytestmark = pytest.mark.slow

BUILDERS = {"wan-tiny": build_wan, "ltx-tiny": build_ltx}
# On this CPU: torchao FP8 needs an FP8 GPU, so `fp8` is refused here, and it is refused in one line.
CPU_ONLY_REFUSED = {"fp8"}
PAIRS = [(a,) for a in SPEEDUPS] + list(itertools.combinations(SPEEDUPS, 2))


def _request(family: str, **overrides) -> RenderRequest:
    values = dict(prompt="a red fox trots through the snow", negative_prompt="blurry", width=64, height=32,
                  num_frames=9, fps=8, seed=3, steps=3, family=family)  # fmt: skip
    values.update(overrides)
    return RenderRequest(**values)


def _generator(family: str, speedups: tuple[str, ...], **options) -> DiffusersGenerator:
    torch.manual_seed(0)
    pipe = BUILDERS[family]()
    pipe.set_progress_bar_config(disable=True)
    # Dynamo's tracing is where combinations break; the eager backend traces the same graph without C++ builds.
    return DiffusersGenerator.from_pipeline(
        pipe, get_family(family), speedups=speedups, compile_backend="eager", **options
    )


def _cases() -> list:
    cases = []
    for family in BUILDERS:
        for pair in PAIRS:
            if family == "ltx-tiny" and not set(pair) & {"pab", "first_block_cache"}:
                continue  # LTX adds the caches (PAB is refused on Wan); the rest is covered on Wan
            cases.append(pytest.param(family, pair, id=f"{family}-{'+'.join(pair)}"))
    return cases


@pytest.mark.parametrize(("family", "speedups"), _cases())
def test_each_speedup_and_pair_renders_or_is_refused_in_one_line(family, speedups):
    expected = refusals(get_family(family), speedups)
    if expected or set(speedups) & CPU_ONLY_REFUSED:
        with pytest.raises(ModelUnavailable) as refused:
            _generator(family, speedups)
        message = str(refused.value)
        assert "\n" not in message and "refused" in message
        assert any(name in message for name in speedups), message
        return
    generator = _generator(family, speedups)
    result = generator.render(_request(family))
    assert result.frames.shape == (9, 32, 64, 3) and result.frames.std() > 1.0
    for name in speedups:
        assert any(name in note for note in result.notes), (name, result.notes)


def test_refusals_name_the_reason():
    assert "guidance" in " ".join(refusals(get_family("wan2.1-1.3b"), ("pab",)))
    assert "repeated blocks" in " ".join(refusals(get_family("cogvideox-5b"), ("compile",)))
    assert "hooks break" in " ".join(refusals(get_family("ltx-video"), ("first_block_cache", "compile")))
    assert "one cache" in " ".join(refusals(get_family("ltx-video"), ("first_block_cache", "pab")))
    assert "fusable" in " ".join(refusals(get_family("hunyuan-video"), ("fuse_qkv",)))
    assert refusals(get_family("ltx-video"), ("pab",)) == []
    assert refusals(get_family("wan2.1-1.3b"), ("fuse_qkv", "compile_max_autotune", "offload_text_encoder")) == []


def test_pab_follows_the_pipeline_that_runs_an_extend(tmp_path, write_clip):
    # PAB read the timestep of the pipe it was set up on; an extend runs a sibling pipeline, so that pipe had none.
    first = _generator("ltx-tiny", ()).render(_request("ltx-tiny", num_frames=17))
    clip = write_clip(first.frames, tmp_path / "take1.mp4")
    generator = _generator("ltx-tiny", ("pab",))
    condition = ConditionClip(path=str(clip), last_frames=9)
    extended = generator.render(_request("ltx-tiny", num_frames=17, condition=condition))
    assert extended.frames.shape == (8, 32, 64, 3)
    assert generator.render(_request("ltx-tiny", num_frames=17)).frames.shape == (17, 32, 64, 3)


def test_speedups_that_keep_the_math_give_the_plain_take():
    plain = _generator("wan-tiny", ()).render(_request("wan-tiny")).frames
    for speedups in (("fuse_qkv",), ("offload_text_encoder",), ("compile",)):
        frames = _generator("wan-tiny", speedups).render(_request("wan-tiny")).frames
        assert np.abs(frames.astype(int) - plain.astype(int)).max() <= 1, speedups


def test_attention_is_picked_automatically_and_a_named_backend_must_run_here():
    generator = _generator("wan-tiny", ())
    assert any(note.startswith("attention: native") and "automatically" in note for note in generator.load_notes)
    with pytest.raises(ModelUnavailable, match=r"_native_cudnn cannot run here"):
        _generator("wan-tiny", (), attention="_native_cudnn")
    with pytest.raises(ModelUnavailable, match="flash cannot run here"):
        _generator("ltx-tiny", (), attention="flash")
