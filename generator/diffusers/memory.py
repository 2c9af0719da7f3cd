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


def offload_text_encoders(pipe: Any, device: str) -> list[str]:
    """Text encoders live on the CPU, visit `device` to encode the prompt, and leave when the transformer starts."""
    from accelerate import cpu_offload_with_hook

    hooks = []
    for name in ("text_encoder", "text_encoder_2"):
        encoder = getattr(pipe, name, None)
        if encoder is not None:
            _, hook = cpu_offload_with_hook(encoder, execution_device=device)
            hooks.append(hook)
    if not hooks:
        return ["offload_text_encoder: this pipeline has no text encoder"]

    def send_back(module: Any, args: Any) -> None:
        for hook in hooks:
            hook.offload()

    for transformer in (getattr(pipe, "transformer", None), getattr(pipe, "transformer_2", None)):
        if transformer is not None:
            transformer.register_forward_pre_hook(send_back)
    return [f"speed-up: offload_text_encoder: {len(hooks)} text encoder(s) go back to the CPU once the prompt is read"]


def apply_plan(
    pipe: Any, plan: MemoryPlan, device: str, *, tile_vae: bool = False, offload_text_encoder: bool = False
) -> list[str]:
    """Put `pipe` under `plan` on `device` (undoing any earlier plan); returns notes of what was done.

    `tile_vae` keeps the VAE decoding in tiles under every plan (families whose full-frame decode is too big).
    """
    import torch

    if hasattr(pipe, "remove_all_hooks"):
        pipe.remove_all_hooks()
    notes: list[str] = []
    on_gpu = device.startswith("cuda")
    if plan == "none" or not on_gpu:
        pipe.to(device)
        if plan != "none":
            notes.append(f"memory plan {plan}: nothing to offload on {device}; VAE tiling on")
        if offload_text_encoder:
            notes.extend(offload_text_encoders(pipe, device))
    else:
        pipe.to("cpu")
        torch.cuda.empty_cache()
        if plan == "model_cpu_offload":
            pipe.enable_model_cpu_offload(device=device)
            notes.append("memory plan: model CPU offload (one component on the GPU at a time)")
        else:
            pipe.enable_group_offload(onload_device=torch.device(device), offload_type="leaf_level", use_stream=True)
            notes.append("memory plan: group offload (layers streamed to the GPU) with VAE tiling")
        if offload_text_encoder:
            notes.append(f"offload_text_encoder: the memory plan {plan} already offloads the text encoder")
    vae = getattr(pipe, "vae", None)
    if vae is not None and hasattr(vae, "enable_tiling"):
        if plan == "none" and not tile_vae:
            vae.disable_tiling()
        else:
            vae.enable_tiling()
            if plan == "none":
                notes.append("VAE decodes in tiles (this family's frames are too large to decode whole)")
    return notes
