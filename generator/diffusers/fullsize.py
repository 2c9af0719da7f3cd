"""Full-size pipelines with random weights, built from the published configs in configs/ (numbers, no weights).

Shapes, dtypes, memory and speed are those of the real architectures; what the weights decide (the picture,
cache hit rates) is not. The text encoders' published sizes are here too, but a benchmark usually cuts them to
a few layers over a toy vocabulary (`text_layers`): their output width, what the transformer sees, is kept.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

CONFIGS = Path(__file__).parent / "configs"
TOY_VOCAB = 1024  # rows of a cut-down text encoder's embedding (the toy tokenizer uses fewer)


def config_names() -> list[str]:
    """The families with a shipped config."""
    return sorted(path.stem for path in CONFIGS.glob("*.json"))


@cache
def load_config(name: str) -> dict[str, Any]:
    """The published config of a family (see its `source`); ValueError naming the known ones."""
    path = CONFIGS / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"no published config for {name!r}; known: {', '.join(config_names())}")
    return json.loads(path.read_text(encoding="utf-8"))


def _random(shape: tuple[int, ...], name: str, device: str, dtype: Any, block: Any) -> Any:
    """Random weights for one parameter: norms' scales 1, biases 0, matrices ~N(0, 1/fan_in).

    On a CPU a fixed random block is tiled (drawing 1.4 billion fresh numbers takes a minute there); the values
    only have to be finite and of sensible size.
    """
    import torch

    if len(shape) < 2:
        return (torch.ones if name.endswith("weight") else torch.zeros)(shape, device=device, dtype=dtype)
    fan_in = math.prod(shape[1:])
    if device.startswith("cuda"):
        return torch.randn(shape, device=device, dtype=dtype) * fan_in**-0.5
    scaled = (block * fan_in**-0.5).to(dtype)
    values = torch.empty(math.prod(shape), dtype=dtype)
    whole = values.numel() // scaled.numel() * scaled.numel()
    values[:whole].view(-1, scaled.numel()).copy_(scaled.expand(whole // scaled.numel(), -1))
    values[whole:].copy_(scaled[: values.numel() - whole])
    return values.view(shape)


def _materialise(model: Any, device: str, dtype: Any, seed: int) -> Any:
    """Give every parameter left on the meta device random values on `device`."""
    import torch
    from accelerate.utils import set_module_tensor_to_device

    block = torch.randn(1 << 20, generator=torch.Generator().manual_seed(seed))
    for name, param in list(model.named_parameters()):
        if param.device.type == "meta":
            value = _random(tuple(param.shape), name, device, dtype, block)
            set_module_tensor_to_device(model, name, device, value=value, dtype=dtype)
    return model


def build_model(spec: dict[str, Any], *, device: str, dtype: Any, seed: int = 0, **overrides: Any) -> Any:
    """One diffusers model (transformer, VAE) from its config entry, random weights, cast as from_pretrained does."""
    import diffusers
    import torch
    from accelerate import init_empty_weights

    from generator.diffusers.reference import cast_like_from_pretrained

    cls = getattr(diffusers, spec["class"])
    with init_empty_weights(include_buffers=False), torch.device(device):  # buffers real, parameters filled below
        model = cls(**{**spec["config"], **overrides})
    return cast_like_from_pretrained(_materialise(model, device, dtype, seed), dtype)


def build_text_encoder(spec: dict[str, Any], *, device: str, dtype: Any, layers: int | None = None) -> Any:
    """A text encoder at its published width; `layers` cuts its depth (and its vocabulary to a toy one)."""
    import torch
    import transformers
    from accelerate import init_empty_weights

    values = dict(spec["config"])
    if layers is not None:
        depth_key = "num_layers" if "num_layers" in values else "num_hidden_layers"
        values[depth_key] = layers
        values["vocab_size"] = TOY_VOCAB
    config = getattr(transformers, spec["config_class"])(**values)
    with init_empty_weights(include_buffers=False), torch.device(device):
        model = getattr(transformers, spec["class"])(config)
    return _materialise(model, device, dtype, seed=1).to(dtype).eval()


def build_transformer(name: str, *, device: str = "cpu", dtype: Any = None, **overrides: Any) -> Any:
    """The family's denoiser at full size (random weights)."""
    import torch

    return build_model(load_config(name)["transformer"], device=device, dtype=dtype or torch.bfloat16, **overrides)


def build_pipeline(
    name: str,
    *,
    device: str = "cpu",
    dtype: Any = None,
    vae_dtype: Any = None,
    text: bool = True,
    text_layers: int | None = 2,
) -> Any:
    """The family's pipeline at full size with random weights.

    `text=False` leaves out the tokenizer and text encoder (call it with prompt embeddings of `text_len` tokens);
    otherwise a toy tokenizer feeds a text encoder cut to `text_layers` (None: the full published encoder).
    """
    import diffusers
    import torch

    config = load_config(name)
    dtype = dtype or torch.bfloat16
    parts: dict[str, Any] = {"tokenizer": None, "text_encoder": None}
    for role in ("transformer", "transformer_2"):
        if role in config:
            parts[role] = build_model(config[role], device=device, dtype=dtype)
    parts["vae"] = build_model(config["vae"], device=device, dtype=vae_dtype or dtype)
    scheduler = config["scheduler"]
    parts["scheduler"] = getattr(diffusers, scheduler["class"]).from_config(scheduler["config"])
    if text:
        from generator.diffusers.tiny import TOKENIZERS

        for role, tokenizer in (("text_encoder", "tokenizer"), ("text_encoder_2", "tokenizer_2")):
            if role in config:
                parts[role] = build_text_encoder(config[role], device=device, dtype=dtype, layers=text_layers)
                parts[tokenizer] = TOKENIZERS[config[role]["class"]]()
    pipeline = getattr(diffusers, config["pipeline"]["class"])(**parts, **config["pipeline"]["options"])
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def parameter_count(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())
