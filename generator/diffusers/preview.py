"""What a diffusers render of a request would do, told without loading a model (for `dailies render --plan`)."""

from __future__ import annotations

from typing import Any

from generator.diffusers.memory import HEADROOM
from generator.diffusers.speedups import WHAT, refusals
from generator.family import ModelFamily


def _scheduler(family: ModelFamily, width: int, height: int) -> dict[str, Any]:
    shift = family.flow_shift_for(width, height)
    described: dict[str, Any] = {"name": family.scheduler or "the checkpoint's own"}
    if family.scheduler_options:
        described["options"] = dict(family.scheduler_options)
    described["flow_shift"] = shift if shift is not None else "the checkpoint's own"
    if family.flow_shift and family.i2v_flow_shift:
        described["image_to_video_flow_shift"] = family.flow_shift_for(width, height, image_to_video=True)
    return described


def _memory(family: ModelFamily) -> dict[str, Any]:
    whole = round(family.vram_gb * HEADROOM, 1)
    rule = f"none (all on the GPU) with at least {whole} GB free"
    if family.vram_offload_gb is not None:
        offload = round(family.vram_offload_gb * HEADROOM, 1)
        rule += f", else model_cpu_offload with at least {offload} GB, else group_offload"
    else:
        rule += ", else model_cpu_offload"
    return {
        "chosen_at_load_from_free_vram": rule,
        "estimate_gb": family.vram_gb,
        "vae_tiling": "always" if family.vae_tiling else "under the offload plans",
        "dtype": family.dtype
        + (f"; float32: {', '.join(family.float32_components)}" if family.float32_components else ""),
    }


def render_plan(
    family: ModelFamily,
    width: int,
    height: int,
    guidance: float | None,
    *,
    speedups: tuple[str, ...] = (),
    attention: str = "auto",
) -> dict[str, Any]:
    """The scheduler, guidance, memory plan and speed-ups a diffusers render of this size would use."""
    first, second = family.guidance_pair(guidance)
    guidance_plan: dict[str, Any] = {"guidance_scale": first}
    if second is not None:
        guidance_plan["guidance_scale_2"] = second
    problems = refusals(family, speedups)
    return {
        "pipeline": family.pipeline_class,
        "scheduler": _scheduler(family, width, height),
        "guidance": guidance_plan,
        "memory": _memory(family),
        "attention": attention if attention != "auto" else "auto: the fastest backend that runs on the GPU at load",
        "speedups": {name: WHAT.get(name, "unknown") for name in speedups},
        "refused": problems,
    }
