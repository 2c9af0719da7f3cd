"""Optional speed-ups: fused QKV, FP8 weights, cache hooks and regional compile; combinations that fail are refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from generator.diffusers.attention import AttentionChoice
    from generator.family import ModelFamily

Speedup = Literal[
    "first_block_cache", "pab", "compile", "compile_max_autotune", "fuse_qkv", "fp8", "fp8_storage",
    "offload_text_encoder",
]  # fmt: skip
SPEEDUPS: tuple[str, ...] = get_args(Speedup)
CACHES = ("first_block_cache", "pab")
COMPILES = ("compile", "compile_max_autotune")
FIRST_BLOCK_CACHE_THRESHOLD = 0.05
PAB_SKIP_RANGE = 2  # recompute spatial attention every 2nd step inside the timestep window
PAB_TIMESTEP_WINDOW = (100, 800)
FP8_MIN_CAPABILITY = (8, 9)  # Ada and Hopper have FP8 tensor cores


class SpeedupRefused(ValueError):
    """A speed-up (or a pair) that cannot work here; the message is one line a server operator can act on."""


WHAT = {
    "first_block_cache": "First Block Cache (skips the rest of the blocks when the first one barely changed)",
    "pab": "Pyramid Attention Broadcast (reuses spatial attention between steps)",
    "compile": "regional torch.compile of the repeated transformer blocks",
    "compile_max_autotune": "regional torch.compile, mode max-autotune-no-cudagraphs (minutes of compile)",
    "fuse_qkv": "fused QKV projections (one matmul instead of three)",
    "fp8": "FP8 weights and activations through torchao (Ada/Hopper)",
    "fp8_storage": "FP8 weight storage, computed in bf16 (layerwise casting: less memory, a little slower)",
    "offload_text_encoder": "text encoder moved back to the CPU once the prompt is encoded",
}


def _two_cfg_calls(family: ModelFamily) -> bool:
    """Wan calls its transformer twice per step for CFG (cond, then uncond) rather than once on a batch of two."""
    return family.pipeline_class == "WanPipeline"


def refusals(family: ModelFamily, speedups: tuple[str, ...] | list[str]) -> list[str]:
    """Why each asked-for speed-up, or pair of them, cannot work with this family (empty: all can)."""
    unknown = [name for name in speedups if name not in SPEEDUPS]
    if unknown:
        return [f"unknown speed-up {name!r}; known: {', '.join(SPEEDUPS)}" for name in unknown]
    asked = set(speedups)
    problems: list[str] = []
    caches, compiles = sorted(asked & set(CACHES)), sorted(asked & set(COMPILES))
    if len(caches) > 1:
        problems.append("first_block_cache and pab are both caches: diffusers runs one cache at a time")
    if len(compiles) > 1:
        problems.append("compile and compile_max_autotune are two modes of one compile: choose one")
    if caches and compiles:
        problems.append(f"{caches[0]} and {compiles[0]} do not combine: the cache's hooks break the compiled graph")
    if {"fp8", "fp8_storage"} <= asked:
        problems.append("fp8 and fp8_storage both change the weights' precision: choose one")
    if "fp8_storage" in asked and compiles:
        problems.append(f"fp8_storage and {compiles[0]} do not combine: layerwise casting breaks the compiled graph")
    if "pab" in asked and _two_cfg_calls(family):
        problems.append(
            f"pab cannot run with {family.title}: its guidance calls the transformer twice per step and PAB "
            "would share one attention cache between the two, weakening guidance"
        )
    if compiles and family.pipeline_class == "CogVideoXPipeline":
        problems.append(f"{compiles[0]} cannot run with {family.title}: its transformer declares no repeated blocks")
    if "fuse_qkv" in asked and family.pipeline_class == "HunyuanVideoPipeline":
        problems.append(f"fuse_qkv cannot run with {family.title}: its attention has no fusable projections")
    return problems


def refuse_combinations(family: ModelFamily, speedups: tuple[str, ...] | list[str]) -> None:
    """SpeedupRefused with every reason, in one line, if the speed-ups cannot work together with this family."""
    problems = refusals(family, speedups)
    if problems:
        raise SpeedupRefused("speed-ups refused: " + "; ".join(problems))


@dataclass
class Applied:
    """What apply_speedups did: a note per speed-up and the attention choice whose context each call runs in."""

    notes: list[str] = field(default_factory=list)
    attention: AttentionChoice | None = None


class TimestepProbe:
    """The timestep of the transformer's current forward, read by PAB: whichever pipeline drives the transformer."""

    def __init__(self) -> None:
        self.timestep: Any = None

    def record(self, module: Any, args: tuple, kwargs: dict) -> None:
        self.timestep = kwargs.get("timestep", args[1] if len(args) > 1 else None)

    def current(self) -> float:
        timestep = self.timestep
        return float(timestep.max()) if hasattr(timestep, "max") else float(timestep)


def denoisers(pipe: Any) -> list[Any]:
    return [m for m in (getattr(pipe, "transformer", None), getattr(pipe, "transformer_2", None)) if m is not None]


def _fuse_qkv(transformer: Any) -> None:
    transformer.fuse_qkv_projections()
    if not any(getattr(m, "fused_projections", False) for m in transformer.modules()) and not any(
        "Fused" in type(getattr(m, "processor", None)).__name__ for m in transformer.modules()
    ):
        raise SpeedupRefused(f"fuse_qkv refused: {type(transformer).__name__} has no fusable attention projections")


def _fp8(transformer: Any, device: str) -> None:
    import torch

    if not device.startswith("cuda") or torch.cuda.get_device_capability(device) < FP8_MIN_CAPABILITY:
        raise SpeedupRefused("fp8 refused: it needs a CUDA GPU with FP8 tensor cores (compute capability 8.9+)")
    try:
        from torchao.quantization import Float8DynamicActivationFloat8WeightConfig, PerRow, quantize_
    except ImportError:
        raise SpeedupRefused("fp8 refused: it needs torchao (pip install torchao)") from None
    quantize_(transformer, Float8DynamicActivationFloat8WeightConfig(granularity=PerRow()))


def _cache(transformer: Any, name: str) -> None:
    from diffusers import FirstBlockCacheConfig, PyramidAttentionBroadcastConfig

    if name == "first_block_cache":
        transformer.enable_cache(FirstBlockCacheConfig(threshold=FIRST_BLOCK_CACHE_THRESHOLD))
        return
    probe = TimestepProbe()
    transformer.register_forward_pre_hook(probe.record, with_kwargs=True)
    transformer.enable_cache(
        PyramidAttentionBroadcastConfig(
            spatial_attention_block_skip_range=PAB_SKIP_RANGE,
            spatial_attention_timestep_skip_range=PAB_TIMESTEP_WINDOW,
            current_timestep_callback=probe.current,
        )
    )


def apply_speedups(
    pipe: Any,
    family: ModelFamily,
    speedups: tuple[str, ...] | list[str],
    *,
    device: str,
    attention: str = "auto",
    compile_backend: str = "inductor",
) -> Applied:
    """Apply the speed-ups in a safe order (fuse, precision, attention, cache, compile); refusals raise."""
    from generator.diffusers.attention import choose_attention

    refuse_combinations(family, speedups)
    applied = Applied()
    models = denoisers(pipe)
    dtype = models[0].dtype
    for transformer in models:
        if "fuse_qkv" in speedups:
            _fuse_qkv(transformer)
        if "fp8" in speedups:
            _fp8(transformer, device)
        if "fp8_storage" in speedups:
            import torch

            transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=dtype)
    try:
        applied.attention = choose_attention(models, attention, device, dtype)
    except ValueError as exc:
        raise SpeedupRefused(str(exc)) from None
    applied.notes.append(applied.attention.note)
    for transformer in models:
        for name in CACHES:
            if name in speedups:
                _cache(transformer, name)
        for name in COMPILES:
            if name in speedups:
                mode = "max-autotune-no-cudagraphs" if name == "compile_max_autotune" else None
                transformer.compile_repeated_blocks(fullgraph=True, mode=mode, backend=compile_backend)
    applied.notes.extend(f"speed-up: {name}: {WHAT[name]}" for name in speedups if name != "offload_text_encoder")
    return applied


def reset_cache_state(pipe: Any) -> None:
    """Forget what cache hooks remember of an interrupted run (diffusers resets them only after a finished call)."""
    for transformer in denoisers(pipe):
        if getattr(transformer, "is_cache_enabled", False):
            transformer._reset_stateful_cache()
