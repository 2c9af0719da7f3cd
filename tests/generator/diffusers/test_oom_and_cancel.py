"""Out of memory and cancel on tiny pipelines: retries leave the handler, plans are per pipeline, nothing stale."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

import generator.diffusers.backend as backend
from generator.base import CancelToken, Progress
from generator.diffusers.backend import DiffusersGenerator
from generator.errors import RenderCancelled
from generator.request import ConditionClip, RenderRequest

pytestmark = pytest.mark.slow


def _request(family: str = "wan-tiny", **overrides) -> RenderRequest:
    values = dict(prompt="a red fox trots through the snow", negative_prompt="blurry", width=64, height=32,
                  num_frames=9, fps=8, seed=3, steps=2, family=family)  # fmt: skip
    values.update(overrides)
    return RenderRequest(**values)


def _oom_on_first(step: int):
    """A progress callback that runs out of memory once, at `step`, and records what is being handled at each step."""
    seen: list[tuple[int, BaseException | None]] = []

    def progress(p: Progress) -> None:
        seen.append((p.step, sys.exc_info()[1]))
        if p.step == step and len(seen) == step:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")

    return progress, seen


def test_the_retry_runs_after_the_out_of_memory_handler_is_left(tiny_dirs):
    # Inside the `except`, the traceback keeps the failed forward's activations alive through the whole retry.
    generator = DiffusersGenerator(str(tiny_dirs["wan"]))
    progress, seen = _oom_on_first(1)
    result = generator.render(_request(), progress=progress)
    assert result.num_frames == 9 and generator.plan == "model_cpu_offload"
    assert [step for step, _ in seen] == [1, 1, 2]
    assert [handled for _, handled in seen[1:]] == [None, None]  # no exception being handled during the retry


def test_cache_hooks_start_fresh_after_an_interrupted_run(tiny_dirs):
    # PAB counts forwards to decide what to skip; a run cut short must not leave the next one mid-count.
    generator = DiffusersGenerator(str(tiny_dirs["ltx"]), speedups=("pab",))
    progress, _ = _oom_on_first(1)  # one forward in: an odd count shifts which steps PAB skips
    retried = generator.render(_request("ltx-tiny", steps=4), progress=progress)
    fresh = DiffusersGenerator(str(tiny_dirs["ltx"]), speedups=("pab",)).render(_request("ltx-tiny", steps=4))
    assert np.array_equal(retried.frames, fresh.frames)


def test_an_out_of_memory_loading_the_image_to_video_model_lowers_its_plan(
    tiny_dirs, tmp_path, write_clip, monkeypatch
):
    generator = DiffusersGenerator(str(tiny_dirs["wan"]), i2v_model=str(tiny_dirs["wan-i2v"]))
    clip = write_clip(generator.render(_request()).frames, tmp_path / "take1.mp4")
    real_apply_plan = backend.apply_plan
    failures: list[str] = []

    def oom_placing_i2v_whole(pipe, plan, device, **options):
        if type(pipe).__name__ == "WanImageToVideoPipeline" and plan == "none":
            failures.append(plan)
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real_apply_plan(pipe, plan, device, **options)

    monkeypatch.setattr(backend, "apply_plan", oom_placing_i2v_whole)
    continued = generator.render(_request(condition=ConditionClip(path=str(clip))))
    assert continued.frames.shape == (8, 32, 64, 3) and failures == ["none"]
    assert generator.plans == {"text-to-video": "none", "image-to-video": "model_cpu_offload"}


def test_the_image_to_video_model_gets_its_own_plan(tiny_dirs, tmp_path, write_clip):
    generator = DiffusersGenerator(str(tiny_dirs["wan"]), i2v_model=str(tiny_dirs["wan-i2v"]))
    progress, _ = _oom_on_first(1)
    clip = write_clip(generator.render(_request(), progress=progress).frames, tmp_path / "take1.mp4")
    assert generator.plans == {"text-to-video": "model_cpu_offload"}
    generator.render(_request(condition=ConditionClip(path=str(clip))))
    # Measured when it loaded (nothing to offload on a CPU), not inherited from the text-to-video pipeline.
    assert generator.plans == {"text-to-video": "model_cpu_offload", "image-to-video": "none"}
    assert not generator._i2v.pipe.vae.use_tiling


def test_cancel_stops_before_the_vae_decodes(tiny_dirs, monkeypatch):
    generator = DiffusersGenerator(str(tiny_dirs["wan"]))
    generator.load()
    decodes: list[int] = []
    real_decode = generator.pipeline.vae.decode

    def counting_decode(*args, **kwargs):
        decodes.append(1)
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(generator.pipeline.vae, "decode", counting_decode)
    token = CancelToken()

    def progress(p: Progress) -> None:
        if p.step == 1:
            token.cancel()

    with pytest.raises(RenderCancelled, match="after step 1 of 4"):
        generator.render(_request(steps=4), progress=progress, cancel=token)
    assert decodes == []  # a cancelled take is not decoded (seconds to minutes on a real model)
    assert generator.render(_request()).num_frames == 9 and decodes == [1]
