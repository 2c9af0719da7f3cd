"""The model authors' reference settings applied to a pipeline: dtypes per component, scheduler and its shift."""

from __future__ import annotations

from typing import Any

from generator.family import ModelFamily


def torch_dtypes(family: ModelFamily, device: str, override: str | None = None) -> dict[str, Any]:
    """from_pretrained's `dtype`: the family's dtype on a GPU (float32 on a CPU), float32 for its float32 parts."""
    import torch

    name = override or (family.dtype if device.startswith("cuda") else "float32")
    dtypes = {"default": getattr(torch, name)}
    dtypes.update({component: torch.float32 for component in family.float32_components})
    return dtypes


def cast_like_from_pretrained(module: Any, dtype: Any) -> Any:
    """Cast a module built in code to `dtype`, keeping the parts diffusers keeps in float32 when it loads weights."""
    import torch

    module.to(dtype)
    keep = set(getattr(module, "_keep_in_fp32_modules", None) or ())
    if keep and dtype != torch.float32:
        for name, child in module.named_modules():
            if keep & set(name.split(".")):
                child.to(torch.float32)
    return module.eval()


def use_reference_scheduler(pipe: Any, family: ModelFamily) -> list[str]:
    """Swap in the scheduler the family's authors run (CogVideoX 5B: DPM, trailing timesteps) from the same config."""
    if family.scheduler is None or (type(pipe.scheduler).__name__ == family.scheduler and not family.scheduler_options):
        return []
    import diffusers

    cls = getattr(diffusers, family.scheduler)
    pipe.scheduler = cls.from_config(pipe.scheduler.config, **dict(family.scheduler_options))
    options = ", ".join(f"{key}={value}" for key, value in family.scheduler_options)
    return [f"scheduler: {family.scheduler}" + (f" ({options})" if options else "")]


def set_flow_shift(pipe: Any, family: ModelFamily, width: int, height: int, *, image_to_video: bool) -> list[str]:
    """Give the scheduler the shift the authors use at this size (Wan 2.1: 3.0 at 480p, 5.0 at 720p)."""
    shift = family.flow_shift_for(width, height, image_to_video=image_to_video)
    config = pipe.scheduler.config
    if shift is None or "flow_shift" not in config:
        return []
    if float(config["flow_shift"]) != shift:
        pipe.scheduler = type(pipe.scheduler).from_config(config, flow_shift=shift)
    return [f"scheduler flow shift {shift:g} at {width}x{height}"]
