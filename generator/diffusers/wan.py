"""Wan 2.1 / 2.2 (WanPipeline, WanImageToVideoPipeline): call arguments, and continuing from a frame."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.diffusers.condition import sibling_pipeline
from generator.errors import InvalidRequest
from generator.families import ModelFamily
from generator.request import RenderRequest

PIPELINES = ("WanPipeline", "WanImageToVideoPipeline")
CONDITION_FRAMES = 1  # image-to-video starts from one frame: the last of the earlier take


def needs_condition(pipe: Any) -> bool:
    """An image-to-video pipeline only continues takes."""
    return type(pipe).__name__ == "WanImageToVideoPipeline"


def takes_condition(pipe: Any) -> bool:
    return needs_condition(pipe)


def sibling(pipe: Any) -> Any | None:
    """TI2V-5B continues a take with its own weights; the others need their I2V checkpoint (None)."""
    if getattr(pipe.config, "expand_timesteps", False):
        from diffusers import WanImageToVideoPipeline

        return sibling_pipeline(WanImageToVideoPipeline, pipe)
    return None


def call_kwargs(pipe: Any, request: RenderRequest, family: ModelFamily, condition: np.ndarray | None) -> dict:
    """Arguments of one Wan call; the request is already snapped to the family's rules."""
    # Wan 2.2 A14B: the low-noise expert's guidance follows the request's, in the reference ratio (4:3; I2V 1:1).
    guidance, guidance_2 = family.guidance_pair(request.guidance, image_to_video=needs_condition(pipe))
    kwargs: dict[str, Any] = {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "height": request.height,
        "width": request.width,
        "num_frames": request.num_frames,
        "num_inference_steps": request.steps,
        "guidance_scale": guidance,
    }
    if getattr(pipe, "transformer_2", None) is not None and guidance_2 is not None:
        kwargs["guidance_scale_2"] = guidance_2
    if needs_condition(pipe):
        if condition is None:
            raise InvalidRequest(f"{family.title} image-to-video needs an earlier take to continue from")
        from PIL import Image

        kwargs["image"] = Image.fromarray(condition[-1])
    return kwargs


def overlap(condition: np.ndarray | None) -> int:
    """Generated frames that repeat the earlier take (dropped before joining)."""
    return 0 if condition is None else 1
