"""LTX-Video 0.9.x (LTXPipeline, LTXConditionPipeline): call arguments, and extending a shot from its last frames."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from generator.errors import InvalidRequest
from generator.families import ModelFamily
from generator.request import RenderRequest

PIPELINES = ("LTXPipeline", "LTXConditionPipeline")
CONDITION_FRAMES = None  # as many as the request asks for, snapped to 8k+1


def is_conditioned(pipe: Any) -> bool:
    return type(pipe).__name__ == "LTXConditionPipeline"


def conditioned_pipeline(pipe: Any, load_i2v: Callable[[], Any]) -> Any:
    """LTXConditionPipeline over the same weights: no second copy in memory."""
    from diffusers import LTXConditionPipeline

    return LTXConditionPipeline.from_pipe(pipe)


def call_kwargs(pipe: Any, request: RenderRequest, family: ModelFamily, condition: np.ndarray | None) -> dict:
    """Arguments of one LTX call; the frame rate goes to the model, which conditions on it."""
    kwargs: dict[str, Any] = {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "height": request.height,
        "width": request.width,
        "num_frames": request.num_frames,
        "frame_rate": request.fps,
        "num_inference_steps": request.steps,
        "guidance_scale": request.guidance if request.guidance is not None else (family.guidance_default or 3.0),
    }
    if condition is not None:
        if not is_conditioned(pipe):
            raise InvalidRequest("continuing a take needs LTXConditionPipeline")
        if len(condition) >= request.num_frames:
            raise InvalidRequest(
                f"extending needs more frames ({request.num_frames}) than the {len(condition)} it continues from"
            )
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition
        from PIL import Image

        video = [Image.fromarray(frame) for frame in condition]
        kwargs["conditions"] = [LTXVideoCondition(video=video, frame_index=0, strength=1.0)]
    return kwargs


def overlap(condition: np.ndarray | None) -> int:
    """The conditioning frames open the generated clip: that many repeat the earlier take."""
    return 0 if condition is None else len(condition)
