"""DiffusersGenerator through the real diffusers code with tiny Wan and LTX pipelines on CPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from agent.compile import compile_shot
from agent.spec import ShotSpec
from generator.base import CancelToken, Progress
from generator.diffusers.backend import DiffusersGenerator
from generator.errors import InvalidRequest, ModelUnavailable, OutOfMemory, RenderCancelled
from generator.families import get_family
from generator.request import ConditionClip, RenderRequest

pytestmark = pytest.mark.slow


def _request(**overrides) -> RenderRequest:
    values = dict(
        prompt="a red fox trots through the snow",
        negative_prompt="blurry",
        width=64,
        height=32,
        num_frames=9,
        fps=8,
        seed=3,
        steps=2,
        family="wan-tiny",
    )
    values.update(overrides)
    return RenderRequest(**values)


@pytest.fixture(scope="module")
def wan(tiny_dirs) -> DiffusersGenerator:
    generator = DiffusersGenerator(str(tiny_dirs["wan"]), i2v_model=str(tiny_dirs["wan-i2v"]))
    generator.load()
    return generator


@pytest.fixture(scope="module")
def ltx(tiny_dirs) -> DiffusersGenerator:
    generator = DiffusersGenerator(str(tiny_dirs["ltx"]))
    generator.load()
    return generator


def test_renders_frames_with_progress_and_eta(wan):
    events: list[Progress] = []
    result = wan.render(_request(), progress=events.append)
    assert result.frames.shape == (9, 32, 64, 3) and result.frames.dtype == np.uint8
    assert result.frames.std() > 1.0  # random weights draw noise, not a blank
    assert (result.backend, result.seed, result.fps) == ("diffusers", 3, 8)
    assert [(e.step, e.total) for e in events] == [(1, 2), (2, 2)]
    assert events[-1].eta_s == 0.0 and events[0].eta_s is not None and events[0].eta_s >= 0
    assert wan.family.name == "wan-tiny" and wan.plan == "none"


def test_same_seed_same_take_other_seed_other_take(wan):
    first = wan.render(_request(seed=11)).frames
    again = wan.render(_request(seed=11)).frames
    other = wan.render(_request(seed=12)).frames
    assert np.array_equal(first, again)
    assert np.abs(first.astype(int) - other.astype(int)).mean() > 1.0


def test_cancel_mid_run_skips_remaining_steps(wan):
    token = CancelToken()
    seen: list[int] = []

    def progress(p: Progress) -> None:
        seen.append(p.step)
        if p.step == 1:
            token.cancel()

    with pytest.raises(RenderCancelled, match="after step 1 of 4"):
        wan.render(_request(steps=4), progress=progress, cancel=token)
    assert seen == [1]
    assert wan.render(_request()).num_frames == 9  # the pipeline is usable again


def test_refuses_what_the_pipeline_would_round_silently(wan):
    with pytest.raises(InvalidRequest, match="10 frames"):
        wan.render(_request(num_frames=10))
    with pytest.raises(InvalidRequest, match="width 40"):
        wan.render(_request(width=40))


def test_refuses_fault_injection_which_only_previz_performs(wan):
    steps: list[Progress] = []
    with pytest.raises(InvalidRequest, match=r"camera_reversed.*previz"):
        wan.render(_request(faults=("camera_reversed",)), progress=steps.append)
    assert steps == []  # refused before the first denoising step


def test_a_compiled_spec_renders_at_its_snapped_size(wan):
    spec = ShotSpec(subject="a fox", camera_movement="pan_left", duration_s=1.2, aspect_ratio="9:16")
    compiled = compile_shot(spec, get_family("wan-tiny"), steps=2)
    assert any("snapped 10 to 9" in note for note in compiled.notes)
    result = wan.render(compiled.request)
    assert (result.num_frames, result.width, result.height) == (9, 32, 64)


def test_out_of_memory_retries_once_at_a_lower_plan(tiny_dirs):
    generator = DiffusersGenerator(str(tiny_dirs["wan"]))
    calls = {"n": 0}

    def oom_once(p: Progress) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")

    result = generator.render(_request(), progress=oom_once)
    assert result.num_frames == 9
    assert generator.plan == "model_cpu_offload"
    assert any("retried once with model_cpu_offload" in note for note in result.notes)

    def always_oom(p: Progress) -> None:
        raise torch.OutOfMemoryError("CUDA out of memory (simulated)")

    with pytest.raises(OutOfMemory, match="also after retrying with group_offload") as caught:
        generator.render(_request(), progress=always_oom)
    failure = caught.value.to_failure()
    assert failure.kind == "out_of_memory" and failure.retryable


def test_ltx_extends_a_shot_from_the_last_frames(ltx, tmp_path, write_clip):
    first = ltx.render(_request(family="ltx-tiny", num_frames=17))
    assert first.frames.shape == (17, 32, 64, 3)
    clip = write_clip(first.frames, tmp_path / "take1.mp4")
    condition = ConditionClip(path=str(clip), last_frames=9)
    extended = ltx.render(_request(family="ltx-tiny", num_frames=17, condition=condition))
    assert extended.frames.shape == (8, 32, 64, 3)  # 17 generated, the 9 that repeat take 1 dropped
    assert any("last 9 frame(s)" in note for note in extended.notes)
    assert any("dropped the first 9" in note for note in extended.notes)
    plain = ltx.render(_request(family="ltx-tiny", num_frames=17))
    assert np.array_equal(plain.frames, first.frames)  # the conditioned pipeline left the plain one untouched


def test_wan_continues_from_the_last_frame_with_its_image_to_video_sibling(wan, tiny_dirs, tmp_path, write_clip):
    clip = write_clip(wan.render(_request()).frames, tmp_path / "take1.mp4")
    continued = wan.render(_request(condition=ConditionClip(path=str(clip), last_frames=5)))
    assert continued.frames.shape == (8, 32, 64, 3)
    assert any("continues from 1 frame(s), not 5" in note for note in continued.notes)

    no_sibling = DiffusersGenerator(str(tiny_dirs["wan"]))
    with pytest.raises(ModelUnavailable, match="DAILIES_I2V_MODEL"):
        no_sibling.render(_request(condition=ConditionClip(path=str(clip))))
    with pytest.raises(InvalidRequest, match="no such file"):
        wan.render(_request(condition=ConditionClip(path=str(tmp_path / "missing.mp4"))))


def test_an_image_to_video_folder_alone_needs_a_take(tiny_dirs):
    with pytest.raises(InvalidRequest, match="image-to-video model"):
        DiffusersGenerator(str(tiny_dirs["wan-i2v"])).render(_request())
