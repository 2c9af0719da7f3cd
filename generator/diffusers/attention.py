"""Attention backends: probe which ones run here, pick the best (or the one asked for), and switch a model to it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, get_args

AttentionBackend = Literal[
    "auto", "_flash_3", "_native_cudnn", "flash", "_native_flash", "_native_efficient", "native", "sage"
]
CHOICES: tuple[str, ...] = get_args(AttentionBackend)
AUTO = "auto"
# Fastest first among the exact (non-quantised) kernels; `auto` takes the first that runs on this device.
AUTO_ORDER = CHOICES[1:-1]
# Asked for by name only: sage quantises Q and K to INT8 (faster, not bit-exact).
NAMED_ONLY = ("sage",)
# Models whose attention calls torch's SDPA directly (CogVideoX in diffusers 0.42) run under sdpa_kernel instead.
SDPA_KERNELS = {"_native_cudnn": "CUDNN_ATTENTION", "_native_flash": "FLASH_ATTENTION",
                "_native_efficient": "EFFICIENT_ATTENTION", "native": None}  # fmt: skip
PROBE_TOKENS = 256
# Transformers that pass attention masks (padded text): a backend must take a mask to serve them.
MASKED_MODELS = {"LTXVideoTransformer3DModel", "HunyuanVideoTransformer3DModel"}


@dataclass
class AttentionChoice:
    """The backend a model runs, how it was chosen, and the context its calls need (CogVideoX: an SDPA kernel)."""

    name: str
    note: str
    sdpa_kernel: str | None = None  # torch.nn.attention.SDPBackend member name, or None

    def call_context(self) -> contextlib.AbstractContextManager:
        if self.sdpa_kernel is None:
            return contextlib.nullcontext()
        from torch.nn.attention import SDPBackend, sdpa_kernel

        return sdpa_kernel([getattr(SDPBackend, self.sdpa_kernel)])


def dispatches(model: Any) -> bool:
    """Whether the model's attention goes through diffusers' dispatcher (so `set_attention_backend` reaches it)."""
    return any(hasattr(getattr(m, "processor", None), "_attention_backend") for m in model.modules())


def _shape(model: Any) -> tuple[int, int]:
    config = model.config
    return int(config.get("num_attention_heads", 2)), int(config.get("attention_head_dim", 64))


def _dispatch_probe(model: Any, name: str, device: str, dtype: Any) -> None:
    """Switch `model` to `name` (diffusers checks the package) and run one small attention call with it."""
    import torch
    from diffusers.models.attention_dispatch import AttentionBackendName, dispatch_attention_fn

    model.set_attention_backend(name)
    heads, head_dim = _shape(model)
    query = torch.randn(1, PROBE_TOKENS, heads, head_dim, device=device, dtype=dtype)
    mask = None
    if type(model).__name__ in MASKED_MODELS:
        mask = torch.ones(1, 1, PROBE_TOKENS, PROBE_TOKENS, device=device, dtype=torch.bool)
    dispatch_attention_fn(query, query, query, attn_mask=mask, backend=AttentionBackendName(name))


def _sdpa_probe(model: Any, name: str, device: str, dtype: Any) -> None:
    """Run one SDPA call restricted to the kernel `name` maps to."""
    import torch
    import torch.nn.functional as F

    if name not in SDPA_KERNELS:
        raise RuntimeError(f"{type(model).__name__} calls torch SDPA directly: only {', '.join(SDPA_KERNELS)} apply")
    heads, head_dim = _shape(model)
    query = torch.randn(1, heads, PROBE_TOKENS, head_dim, device=device, dtype=dtype)
    with AttentionChoice(name, "", SDPA_KERNELS[name]).call_context():
        F.scaled_dot_product_attention(query, query, query)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]


def _try(probe: Callable[[], None]) -> str | None:
    """None if the probe ran, else why not (one line)."""
    try:
        probe()
    except Exception as exc:  # any failure means "not usable here": missing package, device, dtype, head size
        return _first_line(exc)
    return None


def choose_attention(models: list[Any], requested: str, device: str, dtype: Any) -> AttentionChoice:
    """Probe and set the attention backend on every model; ValueError (one line) if a named one cannot run here."""
    if requested not in CHOICES:
        raise ValueError(f"unknown attention backend {requested!r}; choose one of: {', '.join(CHOICES)}")
    model = models[0]
    through_dispatch = dispatches(model)
    probe = _dispatch_probe if through_dispatch else _sdpa_probe
    on_gpu_auto = AUTO_ORDER if device.startswith("cuda") else ("native",)  # a CPU's SDPA picks its own kernel
    candidates = on_gpu_auto if requested == AUTO else (requested,)
    refused: list[str] = []
    for name in candidates:
        why = _try(lambda name=name: probe(model, name, device, dtype))
        if why is None:
            break
        refused.append(f"{name}: {why}")
    else:
        if through_dispatch:
            model.reset_attention_backend()
        raise ValueError(f"attention backend {requested} cannot run here ({'; '.join(refused)})")
    if through_dispatch:
        for other in models[1:]:
            other.set_attention_backend(name)
    how = "picked automatically" if requested == AUTO else "as asked"
    skipped = f"; not usable here: {', '.join(r.split(':')[0] for r in refused)}" if refused else ""
    via = "" if through_dispatch else " (through torch's sdpa_kernel)"
    note = f"attention: {name}{via}, {how}{skipped}"
    return AttentionChoice(name, note, None if through_dispatch else SDPA_KERNELS[name])


def usable_backends(model: Any, device: str, dtype: Any) -> Iterator[tuple[str, str | None]]:
    """Every backend with None if it runs here, else why not: for benchmarks that time them one by one."""
    probe = _dispatch_probe if dispatches(model) else _sdpa_probe
    for name in (*AUTO_ORDER, *NAMED_ONLY):
        yield name, _try(lambda name=name: probe(model, name, device, dtype))
