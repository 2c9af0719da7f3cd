"""What a first real render would hit, on tiny pipelines: dtypes, schedulers, decode settings, guidance, siblings."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from generator.diffusers import cogvideox, hunyuan, ltx, wan
from generator.diffusers.backend import DiffusersGenerator
from generator.diffusers.loader import family_for_model
from generator.diffusers.reference import torch_dtypes
from generator.diffusers.tiny import build_hunyuan, make_tiny
from generator.families import get_family
from generator.request import ConditionClip, RenderRequest

pytestmark = pytest.mark.slow


def _request(family: str, **overrides) -> RenderRequest:
    values = dict(prompt="a red fox trots through the snow", negative_prompt="blurry", width=64, height=32,
                  num_frames=9, fps=8, seed=3, steps=2, family=family)  # fmt: skip
    values.update(overrides)
    return RenderRequest(**values)


def _dtypes(pipe) -> dict[str, torch.dtype]:
    return {name: module.dtype for name, module in pipe.components.items() if isinstance(module, torch.nn.Module)}


def test_extending_a_take_keeps_the_shared_weights_in_their_dtype(tiny_dirs, tmp_path, write_clip):
    # diffusers' from_pipe casts shared modules to float32 unless told a dtype: after the first extend, a bf16
    # pipeline would hold float32 weights (twice the memory) and every later render would run in float32.
    generator = DiffusersGenerator(str(tiny_dirs["ltx"]), dtype="bfloat16")
    first = generator.render(_request("ltx-tiny", num_frames=17))
    before = _dtypes(generator.pipeline)
    assert before["transformer"] == before["text_encoder"] == torch.bfloat16
    clip = write_clip(first.frames, tmp_path / "take1.mp4")
    extended = generator.render(
        _request("ltx-tiny", num_frames=17, condition=ConditionClip(path=str(clip), last_frames=9))
    )
    assert extended.frames.shape == (8, 32, 64, 3)
    assert _dtypes(generator.pipeline) == before
    again = generator.render(_request("ltx-tiny", num_frames=17))
    assert np.array_equal(again.frames, first.frames)  # the plain pipeline renders as before the extend


def test_wan_runs_its_vae_in_float32_and_sets_the_flow_shift_for_the_size(tiny_dirs, tmp_path):
    folder = tmp_path / "wan"
    shutil.copytree(tiny_dirs["wan"], folder)
    config_path = folder / "scheduler" / "scheduler_config.json"
    config = json.loads(config_path.read_text())
    config["flow_shift"] = 5.0  # a checkpoint shipped with the 720p shift
    config_path.write_text(json.dumps(config))

    generator = DiffusersGenerator(str(folder), dtype="bfloat16")
    result = generator.render(_request("wan-tiny"))
    dtypes = _dtypes(generator.pipeline)
    assert dtypes["vae"] == torch.float32 and dtypes["transformer"] == dtypes["text_encoder"] == torch.bfloat16
    assert generator.pipeline.scheduler.config.flow_shift == 3.0  # 64x32 is at most 480p: 3.0
    assert any("flow shift 3" in note for note in result.notes)
    family = get_family("wan2.1-1.3b")
    assert (family.flow_shift_for(832, 480), family.flow_shift_for(1280, 720)) == (3.0, 5.0)
    a14b = get_family("wan2.2-t2v-a14b")
    assert (a14b.flow_shift_for(1280, 720), a14b.flow_shift_for(1280, 720, image_to_video=True)) == (12.0, 5.0)


def test_dtypes_follow_each_family_on_a_gpu():
    assert torch_dtypes(get_family("cogvideox-2b"), "cuda")["default"] == torch.float16  # trained in fp16
    assert torch_dtypes(get_family("cogvideox-5b"), "cuda")["default"] == torch.bfloat16
    wan_dtypes = torch_dtypes(get_family("wan2.1-1.3b"), "cuda")
    assert wan_dtypes == {"default": torch.bfloat16, "vae": torch.float32, "image_encoder": torch.float32}
    assert torch_dtypes(get_family("wan2.1-1.3b"), "cpu")["default"] == torch.float32


def test_ltx_decodes_with_the_reference_timestep_and_extends_with_little_noise(tiny_dirs, tmp_path, write_clip):
    generator = DiffusersGenerator(str(tiny_dirs["ltx"]))
    first = generator.render(_request("ltx-tiny", num_frames=17))
    pipe = generator.pipeline
    assert pipe.vae.config.timestep_conditioning  # the tiny VAE is 0.9.1+ style
    kwargs = ltx.call_kwargs(pipe, _request("ltx-tiny"), get_family("ltx-tiny"), None)
    assert (kwargs["decode_timestep"], kwargs["decode_noise_scale"]) == (0.05, 0.025)
    assert "image_cond_noise_scale" not in kwargs
    condition = first.frames[-9:]
    sibling = ltx.sibling(pipe)
    extend = ltx.call_kwargs(sibling, _request("ltx-tiny", num_frames=17), get_family("ltx-tiny"), condition)
    assert extend["image_cond_noise_scale"] == 0.025 and extend["decode_timestep"] == 0.05
    clip = write_clip(first.frames, tmp_path / "take.mp4")
    extended = generator.render(
        _request("ltx-tiny", num_frames=17, condition=ConditionClip(path=str(clip), last_frames=9))
    )
    assert extended.frames.shape == (8, 32, 64, 3)


def test_an_ltx_folder_naming_the_condition_pipeline_renders_from_text(tiny_dirs, tmp_path):
    folder = tmp_path / "ltx-0.9.5"
    shutil.copytree(tiny_dirs["ltx"], folder)
    index = json.loads((folder / "model_index.json").read_text())
    index["_class_name"] = "LTXConditionPipeline"  # as Lightricks/LTX-Video-0.9.5 ships
    (folder / "model_index.json").write_text(json.dumps(index))
    generator = DiffusersGenerator(str(folder))
    result = generator.render(_request("ltx-tiny", num_frames=17))
    assert type(generator.pipeline).__name__ == "LTXConditionPipeline"
    assert result.frames.shape == (17, 32, 64, 3)


def test_cogvideox_5b_runs_dpm_with_trailing_timesteps_and_dynamic_cfg(tmp_path):
    folder = make_tiny("cogvideox", tmp_path / "cog")
    generator = DiffusersGenerator(str(folder), family=get_family("cogvideox-5b"))  # the 5B's rules, tiny weights
    result = generator.render(_request("cogvideox-5b"))
    scheduler = generator.pipeline.scheduler
    assert type(scheduler).__name__ == "CogVideoXDPMScheduler"
    assert scheduler.config.timestep_spacing == "trailing"
    assert cogvideox.call_kwargs(generator.pipeline, _request("cogvideox-5b"), get_family("cogvideox-5b"), None)[
        "use_dynamic_cfg"
    ]
    assert any("CogVideoXDPMScheduler" in note for note in result.notes)
    plain = DiffusersGenerator(str(folder))  # the tiny's own (2B) family keeps its DDIM scheduler
    plain.load()
    assert type(plain.pipeline.scheduler).__name__ == "CogVideoXDDIMScheduler"


def test_cogvideox_1_5_is_registered_and_told_apart_by_its_transformer(tmp_path):
    family = get_family("cogvideox1.5")
    assert (family.native_width, family.native_height, family.native_fps, family.trained_frames) == (
        1360, 768, 16, (81, 161)
    )  # fmt: skip
    (tmp_path / "transformer").mkdir()
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": "CogVideoXPipeline"}))
    (tmp_path / "transformer" / "config.json").write_text(json.dumps({"num_attention_heads": 48, "patch_size_t": 2}))
    assert family_for_model(str(tmp_path)).name == "cogvideox1.5-5b"


def test_wan_2_2_low_noise_guidance_follows_the_request(tmp_path):
    folder = make_tiny("wan2.2", tmp_path / "wan22")
    generator = DiffusersGenerator(str(folder))
    family = get_family("wan2.2-tiny")
    assert generator.family is family
    result = generator.render(_request("wan2.2-tiny", guidance=family.guidance_default))
    assert result.frames.shape == (9, 32, 64, 3)
    pipe = generator.pipeline
    reference = wan.call_kwargs(pipe, _request("wan2.2-tiny", guidance=4.0), family, None)
    assert (reference["guidance_scale"], reference["guidance_scale_2"]) == (4.0, 3.0)
    firmer = wan.call_kwargs(pipe, _request("wan2.2-tiny", guidance=6.0), family, None)
    assert (firmer["guidance_scale"], firmer["guidance_scale_2"]) == (6.0, 4.5)  # the reference 4:3 ratio
    assert get_family("wan2.2-t2v-a14b").guidance_pair(None, image_to_video=True) == (3.5, 3.5)


def test_hunyuan_tiles_its_vae_under_every_plan_and_the_33ch_checkpoint_runs_guidance_1(tmp_path):
    from diffusers import HunyuanVideoTransformer3DModel

    generator = DiffusersGenerator(str(make_tiny("hunyuan", tmp_path / "hunyuan")))
    generator.load()
    assert generator.plan == "none" and generator.pipeline.vae.use_tiling
    assert any("tiles" in note for note in generator.load_notes)
    pipe = build_hunyuan()
    pipe.transformer = HunyuanVideoTransformer3DModel(
        in_channels=9, out_channels=4, num_attention_heads=2, attention_head_dim=10, num_layers=1,
        num_single_layers=1, num_refiner_layers=1, patch_size=1, patch_size_t=1, guidance_embeds=False,
        text_embed_dim=16, pooled_projection_dim=8, rope_axes_dim=(2, 4, 4), image_condition_type="latent_concat",
    )  # fmt: skip
    family = get_family("hunyuan-tiny")
    assert (
        hunyuan.call_kwargs(pipe, _request("hunyuan-tiny", negative_prompt=None), family, None)["guidance_scale"] == 1.0
    )
    distilled = hunyuan.call_kwargs(build_hunyuan(), _request("hunyuan-tiny", negative_prompt=None), family, None)
    assert distilled["guidance_scale"] == 6.0
