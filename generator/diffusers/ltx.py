"""LTX-Video 0.9.x (LTXPipeline, LTXConditionPipeline): call arguments, extending a shot from its last frames, and
the camera guide as a video condition."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.diffusers.condition import sibling_pipeline
from generator.errors import InvalidRequest
from generator.families import ModelFamily
from generator.request import RenderRequest

PIPELINES = ("LTXPipeline", "LTXConditionPipeline")
CONDITION_FRAMES = None  # as many as the request asks for, snapped to 8k+1
# The 0.9.1+ VAE decodes at a small timestep with a little noise (Lightricks' reference settings).
DECODE_TIMESTEP = 0.05
DECODE_NOISE_SCALE = 0.025
CONDITION_NOISE_SCALE = 0.025  # noise on the conditioning frames when extending a shot


def needs_condition(pipe: Any) -> bool:
    """LTXConditionPipeline renders from text alone too (a 0.9.5 folder may name it)."""
    return False


def takes_condition(pipe: Any) -> bool:
    return type(pipe).__name__ == "LTXConditionPipeline"


def sibling(pipe: Any) -> Any:
    """LTXConditionPipeline over the same weights: no second copy in memory, no change of dtype."""
    from diffusers import LTXConditionPipeline

    return sibling_pipeline(LTXConditionPipeline, pipe)


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
    if pipe.vae.config.get("timestep_conditioning", False):
        kwargs.update(decode_timestep=DECODE_TIMESTEP, decode_noise_scale=DECODE_NOISE_SCALE)
    if condition is not None:
        if not takes_condition(pipe):
            raise InvalidRequest("continuing a take needs LTXConditionPipeline")
        if len(condition) >= request.num_frames:
            raise InvalidRequest(
                f"extending needs more frames ({request.num_frames}) than the {len(condition)} it continues from"
            )
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition
        from PIL import Image

        video = [Image.fromarray(frame) for frame in condition]
        kwargs["conditions"] = [LTXVideoCondition(video=video, frame_index=0, strength=1.0)]
        kwargs["image_cond_noise_scale"] = CONDITION_NOISE_SCALE
    return kwargs


def overlap(condition: np.ndarray | None) -> int:
    """The conditioning frames open the generated clip: that many repeat the earlier take."""
    return 0 if condition is None else len(condition)


def guided_pipeline(pipe: Any) -> Any:
    """LTXConditionPipeline takes the guide: the pipeline itself when it is one, else one over the same weights."""
    return pipe if takes_condition(pipe) else sibling(pipe)


def guide_kwargs(pipe: Any, kwargs: dict, request: RenderRequest, frames: np.ndarray) -> tuple[dict, str]:
    """The call with the animatic as a video condition over every frame from frame 0, at the guide's strength.

    LTX mixes the condition into the starting latents at that strength and holds those tokens until the
    schedule's noise falls below 1 - strength: the model draws the picture over the animatic's motion.
    """
    from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition
    from PIL import Image

    assert request.guide is not None
    strength = request.guide.strength
    video = [Image.fromarray(frame) for frame in frames]
    condition = LTXVideoCondition(video=video, frame_index=0, strength=strength)
    note = f"LTX video condition (the animatic from frame 0), strength {strength:g}"
    return {**kwargs, "conditions": [condition]}, note
