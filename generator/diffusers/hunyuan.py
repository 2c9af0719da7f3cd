"""HunyuanVideo (HunyuanVideoPipeline, HunyuanVideoImageToVideoPipeline): call arguments and image-to-video."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from generator.errors import InvalidRequest
from generator.families import ModelFamily
from generator.request import RenderRequest

PIPELINES = ("HunyuanVideoPipeline", "HunyuanVideoImageToVideoPipeline")
CONDITION_FRAMES = 1


def is_conditioned(pipe: Any) -> bool:
    return type(pipe).__name__ == "HunyuanVideoImageToVideoPipeline"


def conditioned_pipeline(pipe: Any, load_i2v: Callable[[], Any]) -> Any:
    """HunyuanVideo image-to-video is its own checkpoint (hunyuanvideo-community/HunyuanVideo-I2V)."""
    return load_i2v()


def call_kwargs(pipe: Any, request: RenderRequest, family: ModelFamily, condition: np.ndarray | None) -> dict:
    """Arguments of one HunyuanVideo call: guidance is the distilled embedded scale, not CFG."""
    kwargs: dict[str, Any] = {
        "prompt": request.prompt,
        "height": request.height,
        "width": request.width,
        "num_frames": request.num_frames,
        "num_inference_steps": request.steps,
        "guidance_scale": request.guidance if request.guidance is not None else (family.guidance_default or 6.0),
    }
    if family.tiny and not is_conditioned(pipe):
        # The default template's crop_start (95) counts tokens of the real Llama tokenizer; with the toy
        # tokenizer that count is wrong, so the tiny model reads the bare prompt.
        kwargs["prompt_template"] = {"template": "{}", "crop_start": 0}
    if request.negative_prompt:  # only true CFG uses a negative prompt, at twice the cost per step
        kwargs["negative_prompt"] = request.negative_prompt
        kwargs["true_cfg_scale"] = 2.0
    if is_conditioned(pipe):
        if condition is None:
            raise InvalidRequest(f"{family.title} image-to-video needs an earlier take to continue from")
        from PIL import Image

        kwargs["image"] = Image.fromarray(condition[-1])
    return kwargs


def overlap(condition: np.ndarray | None) -> int:
    return 0 if condition is None else 1
