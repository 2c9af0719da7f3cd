"""Resolving --model to a family, refusing silent downloads, tiny folders round-tripping, the warm worker."""

from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest
import torch

from generator.backends import resolve_family
from generator.diffusers.backend import DiffusersGenerator
from generator.diffusers.loader import family_for_model, resolve_source
from generator.diffusers.tiny import TINY_BUILDERS, build_wan, make_tiny
from generator.errors import InvalidRequest, ModelUnavailable
from generator.families import FAMILIES, get_family
from generator.request import RenderRequest
from generator.worker import WarmWorker

pytestmark = pytest.mark.slow


def test_model_names_folders_and_hub_ids_resolve_to_families(tiny_dirs, tmp_path):
    assert family_for_model(str(tiny_dirs["wan"])).name == "wan-tiny"
    assert family_for_model(str(tiny_dirs["ltx"])).name == "ltx-tiny"
    assert resolve_family("diffusers", "wan").name == "wan2.1-1.3b"
    assert resolve_family("diffusers", "Lightricks/LTX-Video-0.9.5").name == "ltx-video"
    for bad in (None, "nobody/unknown-model", str(tmp_path), "not a model"):
        with pytest.raises(ValueError):
            family_for_model(bad)


def test_a_folder_without_marker_is_told_apart_by_its_configs(tmp_path):
    def folder(name: str, index: dict, transformer: dict) -> str:
        (tmp_path / name / "transformer").mkdir(parents=True)
        (tmp_path / name / "model_index.json").write_text(json.dumps(index))
        (tmp_path / name / "transformer" / "config.json").write_text(json.dumps(transformer))
        return str(tmp_path / name)

    wide = {"num_attention_heads": 40, "attention_head_dim": 128}
    assert family_for_model(folder("a", {"_class_name": "WanPipeline"}, wide)).name == "wan2.1-14b"
    two = {"_class_name": "WanPipeline", "transformer_2": ["diffusers", "WanTransformer3DModel"]}
    assert family_for_model(folder("b", two, wide)).name == "wan2.2-t2v-a14b"
    ti2v = {"_class_name": "WanPipeline", "expand_timesteps": True}
    assert family_for_model(folder("c", ti2v, {})).name == "wan2.2-ti2v-5b"
    assert family_for_model(folder("d", {"_class_name": "CogVideoXPipeline"}, {"num_attention_heads": 48})).name == (
        "cogvideox-5b"
    )
    with pytest.raises(ValueError, match="does not drive"):
        family_for_model(folder("e", {"_class_name": "StableDiffusionPipeline"}, {}))


def test_a_family_name_alone_never_downloads():
    family = get_family("wan2.1-1.3b")
    with pytest.raises(ModelUnavailable, match=re.escape("Wan-AI/Wan2.1-T2V-1.3B-Diffusers")):
        resolve_source("wan2.1-1.3b", family)
    assert resolve_source("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", family) == "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
    with pytest.raises(ModelUnavailable):
        DiffusersGenerator("wan2.1-1.3b").load()


def test_saved_tiny_pipeline_loads_back_identical(tiny_dirs):
    torch.manual_seed(0)
    built = build_wan()
    loaded = DiffusersGenerator(str(tiny_dirs["wan"]))
    loaded.load()
    built_state, loaded_state = built.transformer.state_dict(), loaded.pipeline.transformer.state_dict()
    assert built_state.keys() == loaded_state.keys()
    assert all(torch.equal(built_state[k], loaded_state[k]) for k in built_state)
    assert loaded.pipeline.tokenizer.tokenize("a red fox") == ["▁a", "▁red", "▁fox"]

    def run(pipe):
        out = pipe(prompt="a red fox", height=32, width=64, num_frames=9, num_inference_steps=2,
                   output_type="np", generator=torch.Generator().manual_seed(1))  # fmt: skip
        return out.frames[0]

    assert np.allclose(run(built), run(loaded.pipeline), atol=1e-5)


def test_make_tiny_refuses_unknown_names_and_full_folders(tmp_path):
    with pytest.raises(InvalidRequest, match="choose one of"):
        make_tiny("sora", tmp_path / "x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "file").write_text("x")
    with pytest.raises(InvalidRequest, match="not empty"):
        make_tiny("wan", tmp_path / "full")
    assert {family for family, _ in TINY_BUILDERS.values()} <= set(FAMILIES)


def test_warm_worker_loads_the_pipeline_once(tiny_dirs):
    request = RenderRequest(prompt="a fox", width=64, height=32, num_frames=9, fps=8, steps=2, family="wan-tiny")
    loads = []

    def counting_factory():
        loads.append(time.perf_counter())
        return DiffusersGenerator(str(tiny_dirs["wan"]))  # the worker loads it on its own thread

    with WarmWorker(counting_factory) as worker:
        first = worker.submit(request).result(120)
        second = worker.submit(request.model_copy(update={"seed": 1})).result(120)
    assert len(loads) == 1
    assert first.frames.shape == second.frames.shape == (9, 32, 64, 3)
    assert not np.array_equal(first.frames, second.frames)
