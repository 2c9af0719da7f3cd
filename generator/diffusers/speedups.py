"""Optional speed-ups from settings: diffusers' cache hooks and regional torch.compile."""

from __future__ import annotations

from typing import Any, Literal

Speedup = Literal["first_block_cache", "pab", "compile"]
SPEEDUPS: tuple[Speedup, ...] = ("first_block_cache", "pab", "compile")
FIRST_BLOCK_CACHE_THRESHOLD = 0.05


def _denoisers(pipe: Any) -> list[Any]:
    return [m for m in (getattr(pipe, "transformer", None), getattr(pipe, "transformer_2", None)) if m is not None]


def apply_speedups(pipe: Any, speedups: tuple[str, ...] | list[str]) -> list[str]:
    """Enable each named speed-up on the pipeline's transformer(s); returns a note per speed-up applied."""
    from diffusers import FirstBlockCacheConfig, PyramidAttentionBroadcastConfig

    notes: list[str] = []
    for name in speedups:
        if name not in SPEEDUPS:
            raise ValueError(f"unknown speed-up {name!r}; known: {', '.join(SPEEDUPS)}")
        for transformer in _denoisers(pipe):
            if name == "first_block_cache":
                transformer.enable_cache(FirstBlockCacheConfig(threshold=FIRST_BLOCK_CACHE_THRESHOLD))
            elif name == "pab":
                transformer.enable_cache(
                    PyramidAttentionBroadcastConfig(
                        spatial_attention_block_skip_range=2,
                        spatial_attention_timestep_skip_range=(100, 800),
                        current_timestep_callback=lambda: pipe.current_timestep,
                    )
                )
            else:
                transformer.compile_repeated_blocks(fullgraph=True)
        notes.append(f"speed-up: {name}")
    return notes


def remove_speedups(pipe: Any) -> None:
    """Turn cache hooks off again (compiled blocks stay compiled)."""
    for transformer in _denoisers(pipe):
        if getattr(transformer, "is_cache_enabled", False):
            transformer.disable_cache()
