"""CogVideoX 2B/5B (CogVideoXPipeline, CogVideoXImageToVideoPipeline): call arguments, image-to-video, and the
camera guide through video-to-video."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from generator.diffusers.condition import sibling_pipeline
from generator.errors import InvalidRequest
from generator.families import ModelFamily
from generator.request import RenderRequest

PIPELINES = ("CogVideoXPipeline", "CogVideoXImageToVideoPipeline")
CONDITION_FRAMES = 1


def needs_condition(pipe: Any) -> bool:
    """An image-to-video pipeline only continues takes."""
    return type(pipe).__name__ == "CogVideoXImageToVideoPipeline"


def takes_condition(pipe: Any) -> bool:
    return needs_condition(pipe)


def sibling(pipe: Any) -> Any | None:
    """Image-to-video is its own checkpoint (THUDM/CogVideoX-5b-I2V): none over these weights."""
    return None


def uses_dynamic_cfg(pipe: Any) -> bool:
    """CogVideoX's own demo pairs dynamic CFG with its DPM scheduler (5B) and turns it off with DDIM (2B)."""
    return type(pipe.scheduler).__name__ == "CogVideoXDPMScheduler"


def call_kwargs(pipe: Any, request: RenderRequest, family: ModelFamily, condition: np.ndarray | None) -> dict:
    """Arguments of one CogVideoX call; the text length is the transformer's (226 in the released checkpoints)."""
    kwargs: dict[str, Any] = {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "height": request.height,
        "width": request.width,
        "num_frames": request.num_frames,
        "num_inference_steps": request.steps,
        "guidance_scale": request.guidance if request.guidance is not None else (family.guidance_default or 6.0),
        "use_dynamic_cfg": uses_dynamic_cfg(pipe),
        # The 2B model adds sin-cos positions over exactly this many text tokens: any other length fails inside it.
        "max_sequence_length": int(pipe.transformer.config.max_text_seq_length),
    }
    if needs_condition(pipe):
        if condition is None:
            raise InvalidRequest(f"{family.title} image-to-video needs an earlier take to continue from")
        from PIL import Image

        kwargs["image"] = Image.fromarray(condition[-1])
    return kwargs


def overlap(condition: np.ndarray | None) -> int:
    return 0 if condition is None else 1


def guided_pipeline(pipe: Any) -> Any | None:
    """CogVideoXVideoToVideoPipeline over the text-to-video weights; image-to-video weights have no guide path."""
    if type(pipe).__name__ != "CogVideoXPipeline":
        return None
    from diffusers import CogVideoXVideoToVideoPipeline

    return sibling_pipeline(CogVideoXVideoToVideoPipeline, pipe)


def guide_kwargs(pipe: Any, kwargs: dict, request: RenderRequest, frames: np.ndarray) -> tuple[dict, str]:
    """The call as video-to-video from the animatic: it denoises the last (1 - strength) of the schedule.

    The frame count is the animatic's (the pipeline takes no num_frames). Video-to-video runs
    int(steps x (1 - strength)) steps: when that is none, the schedule is lengthened until one step runs.
    """
    from PIL import Image

    assert request.guide is not None
    strength = request.guide.strength
    denoise = round(1.0 - strength, 4)  # 1 - 0.6 is 0.3999...: int(5 x that) would run 1 step, not 2
    steps = max(request.steps, math.ceil(1.0 / denoise))
    guided = {key: value for key, value in kwargs.items() if key != "num_frames"}
    guided.update(video=[Image.fromarray(frame) for frame in frames], strength=denoise, num_inference_steps=steps)
    runs = int(steps * denoise)
    note = f"video-to-video from the animatic, strength {denoise:g} (guide {strength:g}): {runs} denoising step"
    note += "" if runs == 1 else "s"
    if steps != request.steps:
        note += f" of a {steps}-step schedule ({request.steps} would denoise none)"
    return guided, note
