"""Find and load a pipeline: a local folder, or a hub id only when the user names one; never a silent download."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from generator.errors import ModelUnavailable
from generator.families import FAMILIES, ModelFamily, find_family

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
MARKER = "dailies.json"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _family_of_folder(folder: Path) -> ModelFamily:
    index = _read_json(folder / "model_index.json")
    if not index:
        raise ValueError(f"{folder} is not a diffusers pipeline folder (no readable model_index.json)")
    marked = _read_json(folder / MARKER).get("family")
    if marked and (family := find_family(marked)) is not None:
        return family
    cls = index.get("_class_name")
    candidates = [f for f in FAMILIES.values() if not f.tiny and cls in (f.pipeline_class, f.i2v_pipeline_class)]
    if not candidates:
        known = sorted({f.pipeline_class for f in FAMILIES.values() if f.pipeline_class})
        raise ValueError(f"{folder} holds a {cls}, which Dailies does not drive; known pipelines: {', '.join(known)}")
    transformer = _read_json(folder / "transformer" / "config.json")
    width = transformer.get("num_attention_heads", 0) * transformer.get("attention_head_dim", 0)
    names = {f.name for f in candidates}
    if "wan2.1-1.3b" in names:  # the four Wan checkpoints share pipeline classes: tell them apart by shape
        if (index.get("transformer_2") or [None])[0] is not None:
            return FAMILIES["wan2.2-t2v-a14b"]
        if index.get("expand_timesteps") or _read_json(folder / "vae" / "config.json").get("z_dim") == 48:
            return FAMILIES["wan2.2-ti2v-5b"]
        return FAMILIES["wan2.1-14b"] if width >= 4096 else FAMILIES["wan2.1-1.3b"]
    if "wan2.1-vace-1.3b" in names:  # the VACE checkpoints: 1.3B is 1536 wide, 14B 5120
        return FAMILIES["wan2.1-vace-14b"] if width >= 4096 else FAMILIES["wan2.1-vace-1.3b"]
    if "cogvideox-2b" in names:  # 1.5 patches time in pairs; 5B is 48 heads wide, 2B 30
        if transformer.get("patch_size_t") == 2:
            return FAMILIES["cogvideox1.5-5b"]
        return FAMILIES["cogvideox-5b"] if transformer.get("num_attention_heads", 0) >= 48 else FAMILIES["cogvideox-2b"]
    return candidates[0]


def family_for_model(model: str | None) -> ModelFamily:
    """The family that `--model` names: a family name or alias, a local pipeline folder, or a known hub id."""
    if not model:
        raise ValueError(
            "the diffusers backend needs --model: a family name (see `dailies models`), a local pipeline folder, "
            "or a hub id; try `dailies models make-tiny wan DIR` for an offline test model"
        )
    path = Path(model).expanduser()
    if path.is_dir():
        return _family_of_folder(path)
    if (family := find_family(model)) is not None and family.backend == "diffusers":
        return family
    if HUB_ID.match(model):
        for family in FAMILIES.values():
            if model in (family.hub_id, family.i2v_hub_id):
                return family
        raise ValueError(
            f"unknown hub id {model!r}: download it to a folder (huggingface-cli download {model} --local-dir DIR) "
            "and pass --model DIR so Dailies can read which pipeline it is"
        )
    raise ValueError(f"--model {model!r} is neither a model family, a pipeline folder nor a hub id")


def resolve_source(model: str | None, family: ModelFamily) -> str:
    """What to hand to from_pretrained: a folder, or a hub id the user named; a family name alone never downloads."""
    if model and Path(model).expanduser().is_dir():
        return str(Path(model).expanduser())
    if model and HUB_ID.match(model) and find_family(model) is None:
        return model
    hint = f"--model {family.hub_id}" if family.hub_id else f"dailies models make-tiny {family.name} DIR"
    raise ModelUnavailable(
        f"{family.title} has no local folder: pass a pipeline folder with --model DIR, or name the hub id "
        f"to download it ({hint})"
    )


def load_pipeline(source: str, *, dtype: Any, pipeline_class: str | None = None) -> Any:
    """Load a pipeline from a folder or a named hub id in `dtype`; ModelUnavailable with a clear reason otherwise."""
    import diffusers

    cls = getattr(diffusers, pipeline_class) if pipeline_class else diffusers.DiffusionPipeline
    try:
        pipe = cls.from_pretrained(source, dtype=dtype)
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"cannot load a pipeline from {source}: {exc}".splitlines()[0]) from exc
    pipe.set_progress_bar_config(disable=True)
    return pipe
