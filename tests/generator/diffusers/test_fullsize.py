"""Published configs of every registered family, the full-size Wan 1.3B on a CPU, and bench/gpu_check.py's smoke run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from generator.diffusers.fullsize import build_transformer, config_names, load_config, parameter_count
from generator.families import DIFFUSERS_FAMILIES

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("family", DIFFUSERS_FAMILIES, ids=lambda family: family.name)
def test_every_registered_family_ships_its_published_config(family):
    import diffusers
    import transformers
    from accelerate import init_empty_weights

    config = load_config(family.name)
    assert config["pipeline"]["class"] == family.pipeline_class and config["source"]
    for role in ("transformer", "transformer_2", "vae"):
        if role in config:  # every number is one diffusers 0.42 accepts: build the shape, no weights
            with init_empty_weights():
                getattr(diffusers, config[role]["class"])(**config[role]["config"])
    getattr(diffusers, config["scheduler"]["class"]).from_config(config["scheduler"]["config"])
    for role in ("text_encoder", "text_encoder_2"):
        if role in config:
            getattr(transformers, config[role]["config_class"])(**config[role]["config"])
    assert set(config_names()) >= {family.name for family in DIFFUSERS_FAMILIES}


def test_the_configs_are_the_published_sizes():
    def transformer(name: str) -> dict:
        return load_config(name)["transformer"]["config"]

    assert (transformer("wan2.1-1.3b")["num_layers"], transformer("wan2.1-1.3b")["num_attention_heads"]) == (30, 12)
    assert (transformer("wan2.1-14b")["num_layers"], transformer("wan2.1-14b")["ffn_dim"]) == (40, 13824)
    assert (
        transformer("wan2.2-ti2v-5b")["in_channels"] == 48
        and load_config("wan2.2-ti2v-5b")["vae"]["config"]["z_dim"] == 48
    )
    assert "transformer_2" in load_config("wan2.2-t2v-a14b")
    assert (transformer("cogvideox-5b")["num_layers"], transformer("cogvideox1.5-5b")["patch_size_t"]) == (42, 2)
    assert transformer("hunyuan-video")["num_single_layers"] == 40 and transformer("ltx-video")["num_layers"] == 28
    assert load_config("wan2.1-1.3b")["text_encoder"]["config"]["d_model"] == 4096
    with pytest.raises(ValueError, match="known"):
        load_config("sora")


def test_the_full_size_wan_1_3b_transformer_runs_on_a_cpu_at_a_tiny_token_count():
    model = build_transformer("wan2.1-1.3b", device="cpu", dtype=torch.bfloat16)
    assert 1.3e9 < parameter_count(model) < 1.5e9
    assert model.dtype == torch.bfloat16
    assert model.condition_embedder.time_embedder.linear_1.weight.dtype == torch.float32  # kept as diffusers loads it
    latents = torch.randn(1, 16, 1, 2, 2, dtype=torch.bfloat16)  # one 1x2x2 patch: one token
    text = torch.randn(1, 8, 4096, dtype=torch.bfloat16)
    with torch.inference_mode():
        out = model(hidden_states=latents, timestep=torch.tensor([500]), encoder_hidden_states=text, return_dict=False)[
            0
        ]
    assert out.shape == latents.shape and out.dtype == torch.bfloat16 and torch.isfinite(out).all()


def test_gpu_check_cpu_smoke_runs_every_phase_without_pydantic(tmp_path):
    # The GPU machine has no pydantic: the script, and what it imports of ours, must not need it.
    out = tmp_path / "check.json"
    runner = (
        "import sys, runpy; sys.modules['pydantic'] = None; "
        f"sys.argv = ['gpu_check.py', '--cpu-smoke', '--out', {str(out)!r}]; "
        f"runpy.run_path({str(ROOT / 'bench' / 'gpu_check.py')!r}, run_name='__main__')"
    )
    done = subprocess.run([sys.executable, "-c", runner], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["finished"] and set(report["phases"]) == {
        "A_build",
        "B_forward",
        "C_pipeline",
        "D_vae_decode",
        "E_big",
    }
    forward = report["phases"]["B_forward"]
    assert forward["backends"]["native"]["s_per_step"] > 0 and "unusable" in forward["backends"]["flash"]
    assert forward["fused_qkv+compile"]["s_per_step"] > 0
    pipeline = report["phases"]["C_pipeline"]
    assert {"plain", "first_block_cache_every_step_full", "first_block_cache_every_step_cached", "optimised"} <= set(
        pipeline
    )
    assert any("fuse_qkv" in note for note in pipeline["optimised"]["set_up"])
    assert set(report["phases"]["D_vae_decode"]) >= {
        "float32_whole",
        "float32_tiled",
        "bfloat16_whole",
        "bfloat16_tiled",
    }
    assert "[E_big]" in done.stdout
