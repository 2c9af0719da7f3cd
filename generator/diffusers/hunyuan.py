"""HunyuanVideo (HunyuanVideoPipeline, HunyuanVideoImageToVideoPipeline): call arguments and image-to-video."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.errors import InvalidRequest
from generator.families import ModelFamily
from generator.request import RenderRequest

PIPELINES = ("HunyuanVideoPipeline", "HunyuanVideoImageToVideoPipeline")
CONDITION_FRAMES = 1
UNDISTILLED_GUIDANCE = 1.0  # the I2V-33ch checkpoint has no guidance embedding: its authors run guidance 1


def needs_condition(pipe: Any) -> bool:
    """An image-to-video pipeline only continues takes."""
    return type(pipe).__name__ == "HunyuanVideoImageToVideoPipeline"


def takes_condition(pipe: Any) -> bool:
    return needs_condition(pipe)


def sibling(pipe: Any) -> Any | None:
    """Image-to-video is its own checkpoint (hunyuanvideo-community/HunyuanVideo-I2V): none over these weights."""
    return None


def guidance_embedded(pipe: Any) -> bool:
    """Whether the transformer takes guidance as an input (the distilled checkpoints), unlike I2V-33ch."""
    return bool(pipe.transformer.config.get("guidance_embeds", True))


def call_kwargs(pipe: Any, request: RenderRequest, family: ModelFamily, condition: np.ndarray | None) -> dict:
    """Arguments of one HunyuanVideo call: guidance is the distilled embedded scale, not CFG."""
    guidance = request.guidance if request.guidance is not None else (family.guidance_default or 6.0)
    kwargs: dict[str, Any] = {
        "prompt": request.prompt,
        "height": request.height,
        "width": request.width,
        "num_frames": request.num_frames,
        "num_inference_steps": request.steps,
        "guidance_scale": guidance if guidance_embedded(pipe) else UNDISTILLED_GUIDANCE,
    }
    if family.tiny and not needs_condition(pipe):
        # The default template's crop_start (95) counts tokens of the real Llama tokenizer; with the toy
        # tokenizer that count is wrong, so the tiny model reads the bare prompt.
        kwargs["prompt_template"] = {"template": "{}", "crop_start": 0}
    if request.negative_prompt:  # only true CFG uses a negative prompt, at twice the cost per step
        kwargs["negative_prompt"] = request.negative_prompt
        kwargs["true_cfg_scale"] = 2.0
    if needs_condition(pipe):
        if condition is None:
            raise InvalidRequest(f"{family.title} image-to-video needs an earlier take to continue from")
        from PIL import Image

        kwargs["image"] = Image.fromarray(condition[-1])
    return kwargs


def overlap(condition: np.ndarray | None) -> int:
    return 0 if condition is None else 1


def guided_pipeline(pipe: Any) -> None:
    """diffusers has no video-conditioned HunyuanVideo pipeline for these weights: no guide path."""
    return None


def guide_kwargs(pipe: Any, kwargs: dict, request: RenderRequest, frames: np.ndarray) -> tuple[dict, str]:
    raise InvalidRequest("HunyuanVideo takes no camera guide")
