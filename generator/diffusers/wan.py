"""Wan 2.1 / 2.2 (WanPipeline, WanImageToVideoPipeline): call arguments, and continuing from a frame."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from generator.errors import InvalidRequest
from generator.families import ModelFamily
from generator.request import RenderRequest

PIPELINES = ("WanPipeline", "WanImageToVideoPipeline")
CONDITION_FRAMES = 1  # image-to-video starts from one frame: the last of the earlier take


def is_conditioned(pipe: Any) -> bool:
    return type(pipe).__name__ == "WanImageToVideoPipeline"


def conditioned_pipeline(pipe: Any, load_i2v: Callable[[], Any]) -> Any:
    """The image-to-video sibling: TI2V-5B reuses its own weights; the others need the I2V checkpoint."""
    if getattr(pipe.config, "expand_timesteps", False):
        from diffusers import WanImageToVideoPipeline

        return WanImageToVideoPipeline.from_pipe(pipe)
    return load_i2v()


def call_kwargs(pipe: Any, request: RenderRequest, family: ModelFamily, condition: np.ndarray | None) -> dict:
    """Arguments of one Wan call; the request is already snapped to the family's rules."""
    kwargs: dict[str, Any] = {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "height": request.height,
        "width": request.width,
        "num_frames": request.num_frames,
        "num_inference_steps": request.steps,
        "guidance_scale": request.guidance if request.guidance is not None else (family.guidance_default or 5.0),
    }
    if getattr(pipe, "transformer_2", None) is not None and family.guidance_2_default is not None:
        kwargs["guidance_scale_2"] = family.guidance_2_default
    if is_conditioned(pipe):
        if condition is None:
            raise InvalidRequest(f"{family.title} image-to-video needs an earlier take to continue from")
        from PIL import Image

        kwargs["image"] = Image.fromarray(condition[-1])
    return kwargs


def overlap(condition: np.ndarray | None) -> int:
    """Generated frames that repeat the earlier take (dropped before joining)."""
    return 0 if condition is None else 1
