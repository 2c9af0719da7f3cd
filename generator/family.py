"""ModelFamily: what Dailies must know about a video model to drive it, and how a shot is fitted to it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# A trained size is used for an aspect ratio within this much of it (log of the ratio of ratios, ~8%):
# 16:9 (1.78) takes Wan's 832x480 (1.73), 4:3 (1.33) does not.
ASPECT_TOLERANCE = 0.08


@dataclass(frozen=True)
class SizeFit:
    """The frame size for an aspect ratio, and why (a trained size, or the native area snapped)."""

    width: int
    height: int
    trained: bool  # one of the family's trained sizes
    exact_width: float  # the aspect at the native area, before any snap
    exact_height: float


@dataclass(frozen=True)
class ModelFamily:
    """What Dailies must know about a family of video models to drive it correctly."""

    name: str
    title: str
    backend: str  # "previz" or "diffusers"
    native_width: int
    native_height: int
    native_fps: int
    frame_step: int  # frames must be frame_step*k + 1 (1 means any count)
    size_multiple: int
    max_frames: int
    default_steps: int
    pipeline_class: str | None = None
    i2v_pipeline_class: str | None = None
    hub_id: str | None = None
    supports_negative_prompt: bool = True
    default_negative_prompt: str | None = None
    guidance_default: float | None = None
    guidance_note: str = ""
    vram_gb: float = 0.0
    memory_options: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    i2v_hub_id: str | None = None
    aliases: tuple[str, ...] = ()
    # How compile.py words the prompt: the order of its parts and whether they read as phrases or sentences.
    prompt_order: tuple[str, ...] = ("camera", "shot", "subject", "setting", "time", "look", "effects")
    prompt_form: str = "phrases"  # "phrases" (comma list) or "sentences"
    guidance_2_default: float | None = None  # Wan 2.2 A14B: guidance of the low-noise expert
    vram_offload_gb: float | None = None  # with the first recommended memory option
    tiny: bool = False  # a random-weight test family built by `dailies models make-tiny`
    # What the checkpoints were trained at (model cards): sizes as (width, height), frame counts.
    trained_sizes: tuple[tuple[int, int], ...] = ()
    trained_frames: tuple[int, ...] = ()
    only_trained_sizes: bool = False  # other sizes fail or break the model (CogVideoX)
    only_trained_frames: bool = False
    # How the weights run: dtype of the pipeline, and components kept in float32 (Wan's VAE).
    dtype: str = "bfloat16"
    float32_components: tuple[str, ...] = ()
    # Scheduler shift by size: (up to this many pixels, shift), first match wins; () keeps the checkpoint's.
    flow_shift: tuple[tuple[int, float], ...] = ()
    scheduler: str | None = None  # run this scheduler class (from the checkpoint's config) instead
    scheduler_options: tuple[tuple[str, str], ...] = ()
    vae_tiling: bool = False  # decode in tiles under every memory plan (large frames x many frames)
    # The image-to-video sibling's reference settings, where they differ from text-to-video.
    i2v_guidance_default: float | None = None
    i2v_guidance_2_default: float | None = None
    i2v_flow_shift: tuple[tuple[int, float], ...] = ()
    # A continuation (the next segment of a long shot) is conditioned on this many of the previous segment's
    # last frames, and its output opens with them (dropped before joining). 0: previz continues its own path.
    continue_frames: int = 1
    # The camera guide (generator/guide.py): the modes it takes, the pipeline that takes it, how it conditions.
    guide_modes: tuple[str, ...] = ()
    guide_pipeline_class: str | None = None
    guide_how: str = ""  # one line for `dailies models` and --plan; without a guide path: why, and what has one

    @property
    def native_area(self) -> int:
        return self.native_width * self.native_height

    @property
    def frame_rule(self) -> str:
        return "any" if self.frame_step == 1 else f"{self.frame_step}k+1"

    def snap_frames(self, wanted: int) -> int:
        """The nearest frame count this family accepts, within 1..max_frames."""
        wanted = max(1, min(wanted, self.max_frames))
        if self.frame_step == 1:
            return wanted
        k = max(0, round((wanted - 1) / self.frame_step))
        snapped = k * self.frame_step + 1
        while snapped > self.max_frames:
            snapped -= self.frame_step
        return snapped

    def fit_frames(self, wanted: int) -> int:
        """Frames for a shot of `wanted` frames: a trained count where only those work, else the rule's nearest."""
        if self.only_trained_frames and self.trained_frames:
            longer = [count for count in sorted(self.trained_frames) if count >= wanted]
            return longer[0] if longer else max(self.trained_frames)
        return self.snap_frames(wanted)

    def snap_side(self, wanted: float) -> int:
        """The nearest side length that is a positive multiple of the family's size multiple."""
        m = self.size_multiple
        return max(m, round(wanted / m) * m)

    def fit_size(self, ratio: float) -> SizeFit:
        """The size for an aspect ratio: the nearest trained size if close enough (or required), else native area."""
        exact_height = math.sqrt(self.native_area / ratio)
        exact_width = exact_height * ratio
        if self.trained_sizes:

            def distance(size: tuple[int, int]) -> tuple[float, float]:  # nearest aspect, then nearest native area
                aspect = abs(math.log(size[0] / size[1] / ratio))
                return round(aspect, 3), abs(math.log(size[0] * size[1] / self.native_area))

            width, height = min(self.trained_sizes, key=distance)
            if self.only_trained_sizes or abs(math.log(width / height / ratio)) <= ASPECT_TOLERANCE:
                return SizeFit(width, height, True, exact_width, exact_height)
        return SizeFit(self.snap_side(exact_width), self.snap_side(exact_height), False, exact_width, exact_height)

    def flow_shift_for(self, width: int, height: int, *, image_to_video: bool = False) -> float | None:
        """The scheduler shift the model's authors use at this size, or None to keep the checkpoint's."""
        rule = (self.i2v_flow_shift or self.flow_shift) if image_to_video else self.flow_shift
        for max_pixels, shift in rule:
            if width * height <= max_pixels:
                return shift
        return None

    def guidance_pair(self, guidance: float | None, *, image_to_video: bool = False) -> tuple[float, float | None]:
        """Guidance of the (first) expert and of Wan 2.2's second: the reference pair, scaled to a changed guidance."""
        first = self.guidance_default if self.guidance_default is not None else 5.0
        second = self.guidance_2_default
        if image_to_video and self.i2v_guidance_default is not None:
            first, second = self.i2v_guidance_default, self.i2v_guidance_2_default
        if guidance is None or guidance == self.guidance_default:
            return first, second
        return guidance, None if second is None else round(guidance * second / first, 3)
