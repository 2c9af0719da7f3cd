"""Model families and their rules (frame counts, size multiples), in one plain registry."""

# long module: the registry's data, one block of numbers per family, read top to bottom

from __future__ import annotations

from generator.family import ModelFamily

__all__ = ["DIFFUSERS_FAMILIES", "FAMILIES", "PREVIZ", "ModelFamily", "find_family", "get_family"]

PREVIZ = ModelFamily(
    name="previz",
    title="Previz animatic (CPU, procedural)",
    backend="previz",
    native_width=832,
    native_height=480,
    native_fps=24,
    frame_step=1,
    size_multiple=16,  # yuv420p needs even sides; 16 like the diffusion families gives their standard sizes
    max_frames=60 * 60,
    default_steps=1,
    continue_frames=0,
    supports_negative_prompt=False,
    guidance_note="no guidance: a procedural renderer",
    guide_how="none needed: previz draws the camera move itself, and is the guide of the others",
    notes=("Honours camera move, framing, time of day, palette, duration, fps and aspect exactly.",),
)

# -- diffusers families ------------------------------------------------------------------------------
# VRAM figures are estimates for bf16 at the native size, frames and steps (model cards and our sums:
# weights of transformer + text encoder + VAE, plus activations); treat them as a guide, not a promise.

_WAN_NEGATIVE = (
    "overexposed, oversaturated, static frame, blurry details, subtitles, text, watermark, worst quality, "
    "low quality, jpeg artifacts, ugly, deformed, extra fingers, badly drawn hands, badly drawn face, "
    "malformed limbs, fused fingers, cluttered background, walking backwards"
)
_LTX_NEGATIVE = "worst quality, inconsistent motion, blurry, jittery, distorted, watermark, text"
_COG_NEGATIVE = "low quality, blurry, distorted, flickering, watermark, text"
# Wan: subject, scene, motion first; camera language and look after (Wan's own prompt guide).
_WAN_ORDER = ("subject", "setting", "time", "camera", "shot", "look", "effects")
# LTX: the main action in one sentence, then details, setting, camera, light and style.
_LTX_ORDER = ("subject", "setting", "time", "camera", "shot", "look", "effects")
# CogVideoX: trained on long descriptive captions; framing first, then the scene.
_COG_ORDER = ("shot", "camera", "subject", "setting", "time", "look", "effects")
# HunyuanVideo: subject, scene, motion, camera language, atmosphere, style.
_HUNYUAN_ORDER = ("subject", "setting", "time", "camera", "shot", "look", "effects")

# Trained sizes and reference settings, from the model cards and the authors' inference configs.
_WAN_480P = ((832, 480), (480, 832))
_WAN_720P = ((1280, 720), (720, 1280))
_ANY_SIZE = 10**9  # pixels: "any larger size" in a flow-shift rule
_WAN21_SHIFT = ((832 * 480, 3.0), (_ANY_SIZE, 5.0))  # 3.0 at 480p, 5.0 at 720p
_WAN_FLOAT32 = ("vae", "image_encoder")  # Wan's VAE (and the 2.1 I2V CLIP image encoder) run in float32
_COGVIDEOX_DPM = (("timestep_spacing", "trailing"),)  # CogVideoX's own demo: DPM with trailing timesteps

# The camera guide: how each family's guide pipeline takes the previz animatic (generator/guide.py).
_PREVIZ_GUIDE = ("previz",)
_VACE_GUIDE = "VACE control video: the animatic's edges at conditioning_scale = strength"
_LTX_GUIDE = "LTXConditionPipeline over the same weights: the animatic as a video condition at the strength"
_COG_GUIDE = (
    "CogVideoXVideoToVideoPipeline over the same weights: starts from the animatic and denoises the last "
    "(1 - strength) of the schedule"
)
_WAN_NO_GUIDE = "none with these weights: the Wan 2.1 VACE checkpoints (wan2.1-vace-1.3b, wan2.1-vace-14b) take one"

WAN21_1_3B = ModelFamily(
    name="wan2.1-1.3b",
    title="Wan 2.1 T2V 1.3B",
    backend="diffusers",
    native_width=832,
    native_height=480,
    native_fps=16,
    frame_step=4,
    size_multiple=16,
    max_frames=81,
    default_steps=50,
    pipeline_class="WanPipeline",
    i2v_pipeline_class="WanImageToVideoPipeline",
    hub_id="Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
    i2v_hub_id="Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",
    default_negative_prompt=_WAN_NEGATIVE,
    guidance_default=5.0,
    guidance_note="classifier-free guidance; the negative prompt is used when guidance > 1",
    vram_gb=17.0,
    vram_offload_gb=8.2,
    memory_options=("model_cpu_offload", "vae_tiling"),
    aliases=("wan", "wan2.1", "wan-1.3b"),
    prompt_order=_WAN_ORDER,
    notes=("UMT5-XXL text encoder dominates memory; the VAE runs in float32.",),
    trained_sizes=_WAN_480P,
    trained_frames=(81,),
    float32_components=_WAN_FLOAT32,
    flow_shift=_WAN21_SHIFT,
    guide_how=_WAN_NO_GUIDE,
)
WAN21_14B = ModelFamily(
    name="wan2.1-14b",
    title="Wan 2.1 T2V 14B",
    backend="diffusers",
    native_width=1280,
    native_height=720,
    native_fps=16,
    frame_step=4,
    size_multiple=16,
    max_frames=81,
    default_steps=50,
    pipeline_class="WanPipeline",
    i2v_pipeline_class="WanImageToVideoPipeline",
    hub_id="Wan-AI/Wan2.1-T2V-14B-Diffusers",
    i2v_hub_id="Wan-AI/Wan2.1-I2V-14B-720P-Diffusers",
    default_negative_prompt=_WAN_NEGATIVE,
    guidance_default=5.0,
    guidance_note="classifier-free guidance; the negative prompt is used when guidance > 1",
    vram_gb=48.0,
    vram_offload_gb=32.0,
    memory_options=("model_cpu_offload", "group_offload", "vae_tiling"),
    aliases=("wan-14b",),
    prompt_order=_WAN_ORDER,
    notes=("Flow shift 5.0 at 720p, 3.0 at 480p.",),
    trained_sizes=_WAN_720P + _WAN_480P,
    trained_frames=(81,),
    float32_components=_WAN_FLOAT32,
    flow_shift=_WAN21_SHIFT,
    guide_how=_WAN_NO_GUIDE,
)
WAN21_VACE_1_3B = ModelFamily(
    name="wan2.1-vace-1.3b",
    title="Wan 2.1 VACE 1.3B",
    backend="diffusers",
    native_width=832,
    native_height=480,
    native_fps=16,
    frame_step=4,
    size_multiple=16,
    max_frames=81,
    default_steps=50,
    pipeline_class="WanVACEPipeline",
    i2v_pipeline_class="WanImageToVideoPipeline",
    hub_id="Wan-AI/Wan2.1-VACE-1.3B-diffusers",
    i2v_hub_id="Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",
    default_negative_prompt=_WAN_NEGATIVE,
    guidance_default=5.0,
    guidance_note="classifier-free guidance; the negative prompt is used when guidance > 1",
    vram_gb=19.0,
    vram_offload_gb=9.5,
    memory_options=("model_cpu_offload", "vae_tiling"),
    aliases=("wan-vace", "vace", "wan-vace-1.3b"),
    prompt_order=_WAN_ORDER,
    notes=(
        "Wan 2.1 1.3B with 15 VACE control blocks: renders from text alone too, and follows a control video.",
        "Memory is an estimate: the 1.3B text-to-video figure plus the control blocks.",
    ),
    trained_sizes=_WAN_480P,
    trained_frames=(81,),
    float32_components=_WAN_FLOAT32,
    flow_shift=_WAN21_SHIFT,
    guide_modes=_PREVIZ_GUIDE,
    guide_pipeline_class="WanVACEPipeline",
    guide_how=_VACE_GUIDE,
)
WAN21_VACE_14B = ModelFamily(
    name="wan2.1-vace-14b",
    title="Wan 2.1 VACE 14B",
    backend="diffusers",
    native_width=1280,
    native_height=720,
    native_fps=16,
    frame_step=4,
    size_multiple=16,
    max_frames=81,
    default_steps=50,
    pipeline_class="WanVACEPipeline",
    i2v_pipeline_class="WanImageToVideoPipeline",
    hub_id="Wan-AI/Wan2.1-VACE-14B-diffusers",
    i2v_hub_id="Wan-AI/Wan2.1-I2V-14B-720P-Diffusers",
    default_negative_prompt=_WAN_NEGATIVE,
    guidance_default=5.0,
    guidance_note="classifier-free guidance; the negative prompt is used when guidance > 1",
    vram_gb=54.0,
    vram_offload_gb=36.0,
    memory_options=("model_cpu_offload", "group_offload", "vae_tiling"),
    aliases=("wan-vace-14b", "vace-14b"),
    prompt_order=_WAN_ORDER,
    notes=(
        "Wan 2.1 14B with 8 VACE control blocks: renders from text alone too, and follows a control video.",
        "Memory is an estimate: the 14B text-to-video figure plus the control blocks.",
    ),
    trained_sizes=_WAN_720P + _WAN_480P,
    trained_frames=(81,),
    float32_components=_WAN_FLOAT32,
    flow_shift=_WAN21_SHIFT,
    guide_modes=_PREVIZ_GUIDE,
    guide_pipeline_class="WanVACEPipeline",
    guide_how=_VACE_GUIDE,
)
WAN22_TI2V_5B = ModelFamily(
    name="wan2.2-ti2v-5b",
    title="Wan 2.2 TI2V 5B",
    backend="diffusers",
    native_width=1280,
    native_height=704,
    native_fps=24,
    frame_step=4,
    size_multiple=32,
    max_frames=121,
    default_steps=50,
    pipeline_class="WanPipeline",
    i2v_pipeline_class="WanImageToVideoPipeline",
    hub_id="Wan-AI/Wan2.2-TI2V-5B-Diffusers",
    i2v_hub_id="Wan-AI/Wan2.2-TI2V-5B-Diffusers",
    default_negative_prompt=_WAN_NEGATIVE,
    guidance_default=5.0,
    guidance_note="classifier-free guidance; one checkpoint does text- and image-to-video",
    vram_gb=36.0,
    vram_offload_gb=24.0,
    memory_options=("model_cpu_offload", "vae_tiling"),
    aliases=("wan2.2-5b", "wan-ti2v"),
    prompt_order=_WAN_ORDER,
    notes=("High-compression VAE (16x16x4): sides must be multiples of 32.",),
    trained_sizes=((1280, 704), (704, 1280)),
    trained_frames=(121,),
    float32_components=_WAN_FLOAT32,
    flow_shift=((_ANY_SIZE, 5.0),),
    guide_how=_WAN_NO_GUIDE,
)
WAN22_T2V_A14B = ModelFamily(
    name="wan2.2-t2v-a14b",
    title="Wan 2.2 T2V A14B (two experts)",
    backend="diffusers",
    native_width=1280,
    native_height=720,
    native_fps=16,
    frame_step=4,
    size_multiple=16,
    max_frames=81,
    default_steps=40,
    pipeline_class="WanPipeline",
    i2v_pipeline_class="WanImageToVideoPipeline",
    hub_id="Wan-AI/Wan2.2-T2V-A14B-Diffusers",
    i2v_hub_id="Wan-AI/Wan2.2-I2V-A14B-Diffusers",
    default_negative_prompt=_WAN_NEGATIVE,
    guidance_default=4.0,
    guidance_2_default=3.0,
    guidance_note="high-noise expert uses guidance, low-noise expert guidance_2",
    vram_gb=76.0,
    vram_offload_gb=40.0,
    memory_options=("model_cpu_offload", "group_offload", "vae_tiling"),
    aliases=("wan2.2-a14b", "wan2.2"),
    prompt_order=_WAN_ORDER,
    notes=("Two 14B experts switch at boundary_ratio 0.875 of the schedule; image-to-video at 0.9.",),
    trained_sizes=_WAN_720P + _WAN_480P,
    trained_frames=(81,),
    float32_components=_WAN_FLOAT32,
    flow_shift=((_ANY_SIZE, 12.0),),
    i2v_guidance_default=3.5,
    i2v_guidance_2_default=3.5,
    i2v_flow_shift=((_ANY_SIZE, 5.0),),
    guide_how=_WAN_NO_GUIDE,
)
LTX_VIDEO = ModelFamily(
    name="ltx-video",
    title="LTX-Video 0.9.x",
    backend="diffusers",
    native_width=768,
    native_height=512,
    native_fps=24,
    frame_step=8,
    size_multiple=32,
    max_frames=257,
    default_steps=50,
    pipeline_class="LTXPipeline",
    i2v_pipeline_class="LTXConditionPipeline",
    hub_id="Lightricks/LTX-Video-0.9.5",
    i2v_hub_id="Lightricks/LTX-Video-0.9.5",
    default_negative_prompt=_LTX_NEGATIVE,
    guidance_default=3.0,
    guidance_note="classifier-free guidance around 3; distilled checkpoints want 1 (no negative prompt)",
    vram_gb=17.0,
    vram_offload_gb=9.0,
    memory_options=("model_cpu_offload", "vae_tiling"),
    aliases=("ltx", "ltxv", "ltx-video-0.9"),
    prompt_order=_LTX_ORDER,
    prompt_form="sentences",
    continue_frames=9,  # one latent frame (8 frames) and the first: LTX conditions on 8k+1 frames
    notes=(
        "Extends a shot with LTXConditionPipeline from the last 8k+1 frames of a take (same weights).",
        "Passes the frame rate to the model (frame_rate); decodes with timestep 0.05 and noise 0.025 (0.9.1+ VAE).",
    ),
    guide_modes=_PREVIZ_GUIDE,
    guide_pipeline_class="LTXConditionPipeline",
    guide_how=_LTX_GUIDE,
)
COGVIDEOX_2B = ModelFamily(
    name="cogvideox-2b",
    title="CogVideoX 2B",
    backend="diffusers",
    native_width=720,
    native_height=480,
    native_fps=8,
    frame_step=4,
    size_multiple=16,
    max_frames=49,
    default_steps=50,
    pipeline_class="CogVideoXPipeline",
    i2v_pipeline_class="CogVideoXImageToVideoPipeline",
    hub_id="THUDM/CogVideoX-2b",
    i2v_hub_id="THUDM/CogVideoX-5b-I2V",
    default_negative_prompt=_COG_NEGATIVE,
    guidance_default=6.0,
    guidance_note="classifier-free guidance 6; trained at fp16",
    vram_gb=18.0,
    vram_offload_gb=4.0,
    memory_options=("sequential_cpu_offload", "vae_tiling"),
    aliases=("cogvideox", "cog"),
    prompt_order=_COG_ORDER,
    prompt_form="sentences",
    notes=("Trained on long, detailed captions: richer prompts help.", "Only 720x480 and 49 frames."),
    trained_sizes=((720, 480),),
    trained_frames=(49,),
    only_trained_sizes=True,
    only_trained_frames=True,
    dtype="float16",
    guide_modes=_PREVIZ_GUIDE,
    guide_pipeline_class="CogVideoXVideoToVideoPipeline",
    guide_how=_COG_GUIDE,
)
COGVIDEOX_5B = ModelFamily(
    name="cogvideox-5b",
    title="CogVideoX 5B",
    backend="diffusers",
    native_width=720,
    native_height=480,
    native_fps=8,
    frame_step=4,
    size_multiple=16,
    max_frames=49,
    default_steps=50,
    pipeline_class="CogVideoXPipeline",
    i2v_pipeline_class="CogVideoXImageToVideoPipeline",
    hub_id="THUDM/CogVideoX-5b",
    i2v_hub_id="THUDM/CogVideoX-5b-I2V",
    default_negative_prompt=_COG_NEGATIVE,
    guidance_default=6.0,
    guidance_note="classifier-free guidance 6, dynamic, with CogVideoXDPMScheduler (trailing timesteps)",
    vram_gb=26.0,
    vram_offload_gb=5.0,
    memory_options=("sequential_cpu_offload", "vae_tiling"),
    aliases=("cogvideox-5",),
    prompt_order=_COG_ORDER,
    prompt_form="sentences",
    notes=("Trained on long, detailed captions: richer prompts help.", "Only 720x480 and 49 frames."),
    trained_sizes=((720, 480),),
    trained_frames=(49,),
    only_trained_sizes=True,
    only_trained_frames=True,
    scheduler="CogVideoXDPMScheduler",
    scheduler_options=_COGVIDEOX_DPM,
    guide_modes=_PREVIZ_GUIDE,
    guide_pipeline_class="CogVideoXVideoToVideoPipeline",
    guide_how=_COG_GUIDE,
)
COGVIDEOX15_5B = ModelFamily(
    name="cogvideox1.5-5b",
    title="CogVideoX1.5 5B",
    backend="diffusers",
    native_width=1360,
    native_height=768,
    native_fps=16,
    frame_step=16,
    size_multiple=16,
    max_frames=161,
    default_steps=50,
    pipeline_class="CogVideoXPipeline",
    i2v_pipeline_class="CogVideoXImageToVideoPipeline",
    hub_id="THUDM/CogVideoX1.5-5B",
    i2v_hub_id="THUDM/CogVideoX1.5-5B-I2V",
    default_negative_prompt=_COG_NEGATIVE,
    guidance_default=6.0,
    guidance_note="classifier-free guidance 6, dynamic, with CogVideoXDPMScheduler (trailing timesteps)",
    vram_gb=40.0,
    vram_offload_gb=10.0,
    memory_options=("model_cpu_offload", "vae_tiling"),
    aliases=("cogvideox1.5", "cogvideox-1.5"),
    prompt_order=_COG_ORDER,
    prompt_form="sentences",
    notes=("Trained on long, detailed captions: richer prompts help.", "1360x768 at 16 fps; 81 or 161 frames."),
    trained_sizes=((1360, 768),),
    trained_frames=(81, 161),
    only_trained_sizes=True,
    only_trained_frames=True,
    scheduler="CogVideoXDPMScheduler",
    scheduler_options=_COGVIDEOX_DPM,
    vae_tiling=True,
    guide_how=(
        "none: its video-to-video needs an even count of latent frames, and 81 or 161 frames make 21 or 41; "
        "CogVideoX 2B and 5B take one"
    ),
)
HUNYUAN_VIDEO = ModelFamily(
    name="hunyuan-video",
    title="HunyuanVideo 13B",
    backend="diffusers",
    native_width=960,
    native_height=544,
    native_fps=24,
    frame_step=4,
    size_multiple=16,
    max_frames=129,
    default_steps=50,
    pipeline_class="HunyuanVideoPipeline",
    i2v_pipeline_class="HunyuanVideoImageToVideoPipeline",
    hub_id="hunyuanvideo-community/HunyuanVideo",
    i2v_hub_id="hunyuanvideo-community/HunyuanVideo-I2V",
    supports_negative_prompt=False,
    guidance_default=6.0,
    guidance_note="guidance-distilled: guidance is an embedded input, not CFG; negatives need true_cfg_scale > 1",
    vram_gb=45.0,
    vram_offload_gb=30.0,
    memory_options=("model_cpu_offload", "group_offload", "vae_tiling"),
    aliases=("hunyuan", "hunyuanvideo"),
    prompt_order=_HUNYUAN_ORDER,
    notes=(
        "Renders at 540p-class sizes (about 45 GB at 960x544); 1280x720 costs about 2.5x per step.",
        "Its VAE always decodes in tiles. The I2V-33ch checkpoint runs at guidance 1.",
    ),
    trained_sizes=((960, 544), (544, 960), (832, 624), (624, 832), (720, 720)),
    trained_frames=(129,),
    vae_tiling=True,
    guide_how="none: diffusers has no video-conditioned HunyuanVideo pipeline for these weights",
)
DIFFUSERS_FAMILIES: tuple[ModelFamily, ...] = (
    WAN21_1_3B,
    WAN21_14B,
    WAN21_VACE_1_3B,
    WAN21_VACE_14B,
    WAN22_TI2V_5B,
    WAN22_T2V_A14B,
    LTX_VIDEO,
    COGVIDEOX_2B,
    COGVIDEOX_5B,
    COGVIDEOX15_5B,
    HUNYUAN_VIDEO,
)

# -- tiny random-weight families (`dailies models make-tiny`) ------------------------------------------
# Same pipelines and rules as their parents at toy sizes, so the GPU code path runs on a laptop CPU.


def _tiny(parent: ModelFamily, name: str, width: int, height: int, *, size_multiple: int | None = None) -> ModelFamily:
    return ModelFamily(
        name=name,
        title=f"{parent.title} (tiny random weights)",
        backend="diffusers",
        native_width=width,
        native_height=height,
        native_fps=8,
        frame_step=parent.frame_step,
        size_multiple=size_multiple or parent.size_multiple,
        max_frames=parent.frame_step * 4 + 1,
        default_steps=2,
        pipeline_class=parent.pipeline_class,
        i2v_pipeline_class=parent.i2v_pipeline_class,
        supports_negative_prompt=parent.supports_negative_prompt,
        default_negative_prompt=parent.default_negative_prompt,
        guidance_default=parent.guidance_default,
        guidance_2_default=parent.guidance_2_default,
        i2v_guidance_default=parent.i2v_guidance_default,
        i2v_guidance_2_default=parent.i2v_guidance_2_default,
        guidance_note=parent.guidance_note,
        vram_gb=0.1,
        prompt_order=parent.prompt_order,
        prompt_form=parent.prompt_form,
        tiny=True,
        notes=(f"Random weights shaped like {parent.title}: makes noise, proves the pipeline path.",),
        dtype=parent.dtype,
        float32_components=parent.float32_components,
        flow_shift=parent.flow_shift,
        scheduler=parent.scheduler,
        scheduler_options=parent.scheduler_options,
        vae_tiling=parent.vae_tiling,
        continue_frames=parent.continue_frames,
        guide_modes=parent.guide_modes,
        guide_pipeline_class=parent.guide_pipeline_class,
        guide_how=parent.guide_how,
    )


TINY_FAMILIES: tuple[ModelFamily, ...] = (
    _tiny(WAN21_1_3B, "wan-tiny", 64, 32),
    _tiny(WAN22_T2V_A14B, "wan2.2-tiny", 64, 32),
    _tiny(WAN21_VACE_1_3B, "wan-vace-tiny", 64, 32),
    _tiny(LTX_VIDEO, "ltx-tiny", 64, 32),
    _tiny(COGVIDEOX_2B, "cogvideox-tiny", 64, 32),
    _tiny(HUNYUAN_VIDEO, "hunyuan-tiny", 64, 32),
)


def _build_registry(*families: ModelFamily) -> dict[str, ModelFamily]:
    return {family.name: family for family in families}


FAMILIES: dict[str, ModelFamily] = _build_registry(PREVIZ, *DIFFUSERS_FAMILIES, *TINY_FAMILIES)


def find_family(name: str) -> ModelFamily | None:
    """The family called `name` or one of its aliases (case-insensitive), else None."""
    wanted = name.strip().lower()
    for family in FAMILIES.values():
        if wanted == family.name or wanted in family.aliases:
            return family
    return None


def get_family(name: str) -> ModelFamily:
    """The family called `name` (or an alias), or a ValueError listing the known ones."""
    family = find_family(name)
    if family is None:
        known = ", ".join(sorted(FAMILIES))
        raise ValueError(f"unknown model family {name!r}; known families: {known}")
    return family
