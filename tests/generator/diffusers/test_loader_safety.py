"""Loading is unambiguous and safe: hub ids never become working-folder paths, safetensors only, a pinned class."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from generator.diffusers.backend import DiffusersGenerator
from generator.diffusers.loader import family_for_model, load_pipeline, pipeline_class, resolve_source
from generator.diffusers.tiny import build_wan
from generator.errors import ModelUnavailable
from generator.families import get_family

pytestmark = pytest.mark.slow
HUB = "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"


def test_a_folder_named_like_a_hub_id_is_never_loaded_in_its_place(tiny_dirs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(tiny_dirs["wan"], tmp_path / HUB)
    shutil.copytree(tiny_dirs["wan"], tmp_path / "wan")
    with pytest.raises(ValueError, match="folder of that name is here too"):
        family_for_model(HUB)
    with pytest.raises(ValueError, match="folder of that name is here too"):
        family_for_model("wan")
    with pytest.raises(ModelUnavailable, match="folder of that name is here too"):
        resolve_source(HUB, get_family("wan2.1-1.3b"))
    # Written as a path, the folder is what the operator means.
    assert family_for_model(f"./{HUB}").name == "wan-tiny"
    assert resolve_source(f"./{HUB}", get_family("wan-tiny")) == str(tmp_path / HUB)
    with pytest.raises(ValueError, match="no such pipeline folder"):
        family_for_model("./missing/folder")


def test_the_pipeline_class_is_the_familys_whatever_a_folder_declares(tiny_dirs, tmp_path):
    tiny = get_family("wan-tiny")
    assert pipeline_class(str(tiny_dirs["wan"]), tiny) == "WanPipeline"
    assert pipeline_class(HUB, get_family("wan2.1-1.3b")) == "WanPipeline"
    ltx = get_family("ltx-video")
    assert ltx.hub_id == ltx.i2v_hub_id  # one repository for both: the caller says which it loads
    assert pipeline_class(ltx.hub_id, ltx) == "LTXPipeline"
    assert pipeline_class(ltx.hub_id, ltx, i2v=True) == "LTXConditionPipeline"
    wan = get_family("wan2.2-t2v-a14b")
    assert pipeline_class(str(wan.i2v_hub_id), wan) == "WanImageToVideoPipeline"
    forged = tmp_path / "forged"
    shutil.copytree(tiny_dirs["wan"], forged)
    index = json.loads((forged / "model_index.json").read_text())
    (forged / "model_index.json").write_text(json.dumps(dict(index, _class_name="StableDiffusionPipeline")))
    with pytest.raises(ModelUnavailable, match="not a Wan"):
        pipeline_class(str(forged), tiny)


def test_pickled_weights_are_refused_unless_the_operator_trusts_them(tmp_path):
    torch.manual_seed(0)
    folder = tmp_path / "pickled"
    build_wan().save_pretrained(folder, safe_serialization=False)
    (folder / "dailies.json").write_text(json.dumps({"family": "wan-tiny", "tiny": "wan"}))
    transformer = folder / "transformer"
    assert list(transformer.glob("*.bin")) and not list(transformer.glob("*.safetensors"))
    with pytest.raises(ModelUnavailable, match=r"pickle files .*DAILIES_ALLOW_PICKLE_WEIGHTS"):
        load_pipeline(str(folder), dtype=torch.float32, pipeline_class="WanPipeline")
    with pytest.raises(ModelUnavailable, match="pickle"):
        DiffusersGenerator(str(folder), device="cpu").load()
    pipe = load_pipeline(str(folder), dtype=torch.float32, pipeline_class="WanPipeline", allow_pickle=True)
    assert type(pipe).__name__ == "WanPipeline"
