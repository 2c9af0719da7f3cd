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


def as_folder(model: str) -> Path | None:
    """The folder `model` names when it is written as a path, else None. A path is absolute or starts with
    ./, ../ or ~ (or has more parts than a hub id): "org/name" is always a hub id and "wan" a family name,
    whatever folders the working directory holds."""
    if model in (".", "..") or model.startswith(("/", "./", "../", "~", "\\")) or "\\" in model:
        return Path(model).expanduser()
    if "/" in model and not HUB_ID.match(model):
        return Path(model)
    return None


def _not_a_folder(model: str) -> str | None:
    """Why a name that is not written as a path is ambiguous here (a folder of that name exists), or None."""
    if Path(model).is_dir():
        return (
            f"--model {model!r} names a model, yet a folder of that name is here too: write ./{model} "
            "(or its absolute path) for the folder"
        )
    return None


def family_for_model(model: str | None) -> ModelFamily:
    """The family that `--model` names: a family name or alias, a pipeline folder written as a path, or a known
    hub id. A name that could be both a hub id (or family) and a folder here is refused, never guessed."""
    if not model:
        raise ValueError(
            "the diffusers backend needs --model: a family name (see `dailies models`), a local pipeline folder, "
            "or a hub id; try `dailies models make-tiny wan DIR` for an offline test model"
        )
    if (folder := as_folder(model)) is not None:
        if not folder.is_dir():
            raise ValueError(f"--model {model!r}: no such pipeline folder")
        return _family_of_folder(folder)
    if (why := _not_a_folder(model)) is not None:
        raise ValueError(why)
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
    folder = as_folder(model) if model else None
    if folder is not None and folder.is_dir():
        return str(folder.absolute())  # absolute: "./org/name" must not read as the hub id "org/name" again
    if model and folder is None and HUB_ID.match(model) and find_family(model) is None:
        if (why := _not_a_folder(model)) is not None:
            raise ModelUnavailable(why)
        return model
    hint = f"--model {family.hub_id}" if family.hub_id else f"dailies models make-tiny {family.name} DIR"
    raise ModelUnavailable(
        f"{family.title} has no local folder: pass a pipeline folder with --model DIR, or name the hub id "
        f"to download it ({hint})"
    )


def pipeline_class(source: str, family: ModelFamily, *, i2v: bool = False) -> str:
    """The diffusers class to load `source` with: the one its folder (or hub id) declares, and only when it is
    one of the family's own, so a folder never picks an arbitrary class. `i2v`: it is loaded as the family's
    image-to-video model (LTX names one hub id for both)."""
    allowed = {name for name in (family.pipeline_class, family.i2v_pipeline_class) if name}
    folder = Path(source)
    if folder.is_dir():
        declared = _read_json(folder / "model_index.json").get("_class_name")
        try:
            own = _family_of_folder(folder)
            allowed |= {name for name in (own.pipeline_class, own.i2v_pipeline_class) if name}
        except ValueError:
            pass
    else:
        as_i2v = source == family.i2v_hub_id and (i2v or source != family.hub_id)
        declared = family.i2v_pipeline_class if as_i2v else family.pipeline_class
    if declared not in allowed:
        raise ModelUnavailable(f"{source} holds a {declared}, not a {family.title} pipeline")
    return str(declared)


PICKLED = ("*.bin", "*.pt", "*.pth", "*.ckpt", "*.pkl")


def _pickled_files(source: str) -> list[str]:
    folder = Path(source)
    if not folder.is_dir():
        return []
    return sorted(str(p.relative_to(folder)) for pattern in PICKLED for p in folder.rglob(pattern))


def load_pipeline(source: str, *, dtype: Any, pipeline_class: str, allow_pickle: bool = False) -> Any:
    """Load a pipeline of class `pipeline_class` from a folder or a named hub id in `dtype`: safetensors only
    (pickled weights can run code as they load) unless the operator trusts them (`allow_pickle`);
    ModelUnavailable with a clear reason otherwise."""
    import diffusers

    cls = getattr(diffusers, pipeline_class)
    try:
        pipe = cls.from_pretrained(source, dtype=dtype, use_safetensors=None if allow_pickle else True)
    except (OSError, ValueError) as exc:
        if not allow_pickle and (pickled := _pickled_files(source)):
            raise ModelUnavailable(
                f"{source} keeps weights in pickle files ({', '.join(pickled[:3])}), which can run code as they "
                "load: convert them to safetensors, or set DAILIES_ALLOW_PICKLE_WEIGHTS=true if you trust them"
            ) from exc
        raise ModelUnavailable(f"cannot load a pipeline from {source}: {exc}".splitlines()[0]) from exc
    pipe.set_progress_bar_config(disable=True)
    return pipe
