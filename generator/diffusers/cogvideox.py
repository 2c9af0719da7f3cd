"""CogVideoX 2B/5B (CogVideoXPipeline, CogVideoXImageToVideoPipeline): call arguments and image-to-video."""

from __future__ import annotations

from typing import Any

import numpy as np

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
