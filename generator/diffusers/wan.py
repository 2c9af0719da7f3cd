"""Wan 2.1 / 2.2 (WanPipeline, WanImageToVideoPipeline, WanVACEPipeline): call arguments, continuing from a frame,
and the camera guide as a VACE control video."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.diffusers.condition import sibling_pipeline
from generator.errors import InvalidRequest
from generator.families import ModelFamily
from generator.request import RenderRequest

PIPELINES = ("WanPipeline", "WanImageToVideoPipeline", "WanVACEPipeline")
CONDITION_FRAMES = 1  # image-to-video starts from one frame: the last of the earlier take
# The VACE control is the animatic's edges (a scribble-style layout): the camera and the shapes' motion, not their
# colours, which the model draws. Canny thresholds on 0-255 grey, after a 3x3 blur that drops texture speckle.
EDGE_BLUR_PX = 3
EDGE_LOW, EDGE_HIGH = 50, 150


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


def guided_pipeline(pipe: Any) -> Any | None:
    """Only a VACE checkpoint takes a control video; text- and image-to-video weights have no guide path."""
    return pipe if type(pipe).__name__ == "WanVACEPipeline" else None


def edge_control(frames: np.ndarray) -> np.ndarray:
    """VACE's control video from the animatic: its edges, white on black, same shape (T, H, W, 3) uint8."""
    import cv2

    control = np.empty_like(frames)
    for index, frame in enumerate(frames):
        grey = cv2.GaussianBlur(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), (EDGE_BLUR_PX, EDGE_BLUR_PX), 0)
        control[index] = cv2.Canny(grey, EDGE_LOW, EDGE_HIGH)[..., None]
    return control


def guide_kwargs(pipe: Any, kwargs: dict, request: RenderRequest, frames: np.ndarray) -> tuple[dict, str]:
    """The call with the guide as VACE's control video, its strength as the control blocks' scale."""
    from PIL import Image

    assert request.guide is not None
    strength = request.guide.strength
    video = [Image.fromarray(frame) for frame in edge_control(frames)]
    note = f"VACE control video (the animatic's edges), conditioning_scale {strength:g}"
    return {**kwargs, "video": video, "conditioning_scale": strength}, note
