"""Memory plans: how much of a pipeline lives on the GPU, chosen from free VRAM and lowered after an OOM."""

from __future__ import annotations

from typing import Any, Literal

from generator.families import ModelFamily

MemoryPlan = Literal["none", "model_cpu_offload", "group_offload"]
PLANS: tuple[MemoryPlan, ...] = ("none", "model_cpu_offload", "group_offload")
HEADROOM = 1.15  # ask for 15% more than the estimate before trusting it


def free_vram_bytes(device: str) -> int | None:
    """Free memory on a CUDA device in bytes; None on CPU."""
    if not device.startswith("cuda"):
        return None
    import torch

    free, _total = torch.cuda.mem_get_info(torch.device(device))
    return int(free)


def choose_plan(free_bytes: int | None, family: ModelFamily) -> MemoryPlan:
    """Everything on the GPU if it fits, else model offload if that fits, else group offload with VAE tiling."""
    if free_bytes is None:
        return "none"  # CPU: nothing to offload to
    free_gb = free_bytes / 1024**3
    if free_gb >= family.vram_gb * HEADROOM:
        return "none"
    if family.vram_offload_gb is None or free_gb >= family.vram_offload_gb * HEADROOM:
        return "model_cpu_offload"
    return "group_offload"


def lower_plan(plan: MemoryPlan) -> MemoryPlan | None:
    """The next plan that uses less VRAM, or None at the bottom."""
    index = PLANS.index(plan)
    return PLANS[index + 1] if index + 1 < len(PLANS) else None


def apply_plan(pipe: Any, plan: MemoryPlan, device: str) -> list[str]:
    """Put `pipe` under `plan` on `device` (undoing any earlier plan); returns notes of what was done."""
    import torch

    if hasattr(pipe, "remove_all_hooks"):
        pipe.remove_all_hooks()
    notes: list[str] = []
    on_gpu = device.startswith("cuda")
    if plan == "none" or not on_gpu:
        pipe.to(device)
        if plan != "none":
            notes.append(f"memory plan {plan}: nothing to offload on {device}; VAE tiling on")
    else:
        pipe.to("cpu")
        torch.cuda.empty_cache()
        if plan == "model_cpu_offload":
            pipe.enable_model_cpu_offload(device=device)
            notes.append("memory plan: model CPU offload (one component on the GPU at a time)")
        else:
            pipe.enable_group_offload(onload_device=torch.device(device), offload_type="leaf_level", use_stream=True)
            notes.append("memory plan: group offload (layers streamed to the GPU) with VAE tiling")
    vae = getattr(pipe, "vae", None)
    if vae is not None and hasattr(vae, "enable_tiling"):
        if plan == "none":
            vae.disable_tiling()
        else:
            vae.enable_tiling()
    return notes
