"""The camera guide: the previz animatic of a request, at its size and frame count, and how a guide is chosen.

A model family with a guide path (`ModelFamily.guide_modes`) is conditioned on the previz render of the very
request it renders: same camera path, framing, look, timing, aspect, size and frame count. The request is
already snapped to the family, so the animatic a thread is shown first is exactly the guide the model follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generator.base import CancelToken
from generator.errors import InvalidRequest
from generator.family import ModelFamily
from generator.request import DEFAULT_GUIDE_STRENGTH, CameraGuide, LookHints, RenderRequest

GuideChoiceMode = Literal["off", "auto", "previz"]
GUIDE_CHOICES = "previz, previz:STRENGTH (more than 0, less than 1), auto or off"
_CHOICE = re.compile(r"^\s*(off|auto|previz)(?:\s*:\s*([0-9]*\.?[0-9]+))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class GuideChoice:
    """How a thread or a command wants the camera guided.

    `previz`: every take is guided from the first, at `strength`. `auto`: takes render from the words and the
    reviser adds the guide when the critic reads the wrong move. `off`: never guided.
    """

    mode: GuideChoiceMode
    strength: float = DEFAULT_GUIDE_STRENGTH

    @property
    def first_guide(self) -> CameraGuide | None:
        """The guide of a shot's first take."""
        return CameraGuide(strength=self.strength) if self.mode == "previz" else None

    @property
    def revisable(self) -> bool:
        """Whether the reviser may add or strengthen a guide."""
        return self.mode != "off"

    def __str__(self) -> str:
        return f"previz:{self.strength:g}" if self.mode == "previz" else self.mode


def parse_guide(text: str) -> GuideChoice:
    """`previz`, `previz:0.7`, `auto` or `off` as a GuideChoice; ValueError (one line) for anything else."""
    match = _CHOICE.match(text or "")
    if match is None:
        raise ValueError(f"a camera guide is one of {GUIDE_CHOICES}; got {text!r}")
    mode, strength = match.group(1).lower(), match.group(2)
    if strength is None:
        return GuideChoice(mode)  # type: ignore[arg-type]
    if mode != "previz":
        raise ValueError(f"only the previz guide takes a strength; got {text!r}")
    value = float(strength)
    if not 0 < value < 1:
        raise ValueError(f"a guide strength is more than 0 and less than 1 (1 returns the animatic); got {value:g}")
    return GuideChoice("previz", value)


def guide_request(request: RenderRequest) -> RenderRequest:
    """The previz request of the same shot: camera, framing, look, timing, size, frame count and seed kept.

    Without its caption strip: words drawn into a guide would be drawn by the model too.
    """
    look = (request.look or LookHints()).model_copy(update={"caption": None})
    return request.model_copy(
        update={
            "look": look,
            "family": "previz",
            "model": None,
            "guide": None,
            "condition": None,
            "faults": (),
            "negative_prompt": None,
            "guidance": None,
            "steps": 1,
        }
    )


def render_guide(request: RenderRequest, *, cancel: CancelToken | None = None) -> np.ndarray:
    """The guide's frames, (T, H, W, 3) uint8 RGB, exactly the request's frame count and size (or InvalidRequest)."""
    from generator.previz import PrevizGenerator

    frames = PrevizGenerator().render(guide_request(request), cancel=cancel).frames
    check_guide(frames, request)
    return frames


def check_guide(frames: np.ndarray, request: RenderRequest) -> None:
    """Refuse a guide whose length or size differs from the request's: pipelines would trim or rescale it silently."""
    wanted = (request.num_frames, request.height, request.width, 3)
    if tuple(frames.shape) != wanted:
        raise InvalidRequest(
            f"the camera guide has {frames.shape[0]} frames of {frames.shape[2]}x{frames.shape[1]}; the take needs "
            f"{request.num_frames} of {request.width}x{request.height}"
        )


def guide_note(family: ModelFamily, request: RenderRequest, guide: CameraGuide) -> str:
    """One line on a requested guide: what conditions the take and how, or why this family renders without one."""
    if not family.guide_modes:
        return f"{family.title} takes no camera guide ({family.guide_how or 'no guide path'}): the words alone steer it"
    return (
        f"camera guide: the {guide.mode} animatic of this shot at the take's own size and length "
        f"({request.width}x{request.height}, {request.num_frames} frames at {request.fps} fps), strength "
        f"{guide.strength:g}: {family.guide_how}"
    )


def guide_plan(family: ModelFamily, request: RenderRequest) -> dict[str, object]:
    """The guide a render of this request would use, for `dailies render --plan`."""
    if family.backend == "previz":
        return {"guide": None, "why": family.guide_how}
    if request.guide is None:
        why = "not asked for" if family.guide_modes else family.guide_how or "no guide path"
        return {"guide": None, "modes": list(family.guide_modes), "why": why}
    return {
        "guide": request.guide.mode,
        "strength": request.guide.strength,
        "pipeline": family.guide_pipeline_class,
        "how": family.guide_how,
        "video": f"previz at {request.width}x{request.height}, {request.num_frames} frames at {request.fps} fps",
    }
