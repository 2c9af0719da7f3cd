"""Tiny random-weight pipelines built fully offline (tokenizers too), saved as ordinary diffusers folders."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.diffusers.loader import MARKER
from generator.errors import InvalidRequest

# A small English vocabulary for the toy Unigram tokenizer: enough that prompts split into words, not letters.
_WORDS = (
    "a an the of in on at to and with camera shot wide close up medium pans tilts dolly zoom orbit crane "
    "tracking handheld static left right slow fast red fox dog cat man woman girl boy car city street "
    "forest snow rain fog night day dawn dusk golden hour light soft neon film style noir anime walks "
    "runs trots through across over under sky sea beach mountain river house room window door"
)


def _tokenizer() -> Any:
    from transformers import T5Tokenizer

    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    pieces += [(f"▁{word}", -1.0 - i * 1e-3) for i, word in enumerate(_WORDS.split())]
    pieces += [(letter, -5.0) for letter in letters] + [(f"▁{letter}", -4.0) for letter in letters]
    pieces += [(ch, -6.0) for ch in ",.-:;'!?0123456789"]
    return T5Tokenizer(vocab=pieces, extra_ids=0)


def _bpe_pieces(words: list[str], *, prefix: str = "", suffix: str = "") -> tuple[list[str], list[tuple[str, str]]]:
    """Tokens and merges that spell each word left to right (`prefix` marks a word start, `suffix` a word end)."""
    tokens: list[str] = []
    merges: list[tuple[str, str]] = []
    for word in words:
        pieces = [prefix, *word] if prefix else list(word)
        pieces[-1] += suffix
        current = pieces[0]
        for piece in pieces[1:]:
            merges.append((current, piece))
            current += piece
            tokens.append(current)
    return list(dict.fromkeys(tokens)), list(dict.fromkeys(merges))


def _llama_tokenizer() -> Any:
    """A Llama BPE tokenizer (Metaspace, "▁" marks a word start) over the toy vocabulary."""
    from transformers import LlamaTokenizer

    letters = [chr(c) for c in (*range(ord("a"), ord("z") + 1), *range(ord("A"), ord("Z") + 1))]  # cased, like Llama
    symbols = list(",.-:;'!?0123456789")
    words, merges = _bpe_pieces(letters + _WORDS.split(), prefix="▁")
    vocab: dict[str, int] = {}
    for token in ["<unk>", "<s>", "</s>", "<pad>", "▁", *letters, *symbols, *words]:
        vocab.setdefault(token, len(vocab))
    return LlamaTokenizer(vocab=vocab, merges=merges, pad_token="<pad>")


def _clip_tokenizer() -> Any:
    """A CLIP BPE tokenizer ("</w>" marks a word end) over the toy vocabulary."""
    from transformers import CLIPTokenizer

    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    symbols = list(",.-:;'!?0123456789")
    words, merges = _bpe_pieces(_WORDS.split(), suffix="</w>")
    vocab: dict[str, int] = {}
    for token in ["<|startoftext|>", "<|endoftext|>", *letters, *(c + "</w>" for c in letters + symbols), *words]:
        vocab.setdefault(token, len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=merges)


# text encoder class -> the toy tokenizer that feeds it (full-size builds reuse these: see fullsize.py)
TOKENIZERS: dict[str, Callable[[], Any]] = {
    "UMT5EncoderModel": _tokenizer,
    "T5EncoderModel": _tokenizer,
    "LlamaModel": _llama_tokenizer,
    "CLIPTextModel": _clip_tokenizer,
}


def _umt5(vocab_size: int, width: int) -> Any:
    from transformers import UMT5Config, UMT5EncoderModel

    config = UMT5Config(
        vocab_size=vocab_size, d_model=width, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8,
    )  # fmt: skip
    return UMT5EncoderModel(config).eval()


def _t5(vocab_size: int, width: int) -> Any:
    from transformers import T5Config, T5EncoderModel

    config = T5Config(
        vocab_size=vocab_size, d_model=width, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8,
    )  # fmt: skip
    return T5EncoderModel(config).eval()


def _wan_vae() -> Any:
    from diffusers import AutoencoderKLWan

    return AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    ).eval()


def _wan_transformer(in_channels: int) -> Any:
    from diffusers import WanTransformer3DModel

    return WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=in_channels,
        out_channels=16, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
    ).eval()  # fmt: skip


def _wan_vace_transformer() -> Any:
    """Wan's tiny transformer with a VACE control block on each of its two layers (16 + 16 latents + 64 mask)."""
    from diffusers import WanVACETransformer3DModel

    return WanVACETransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16, out_channels=16,
        text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32, vace_layers=[0, 1], vace_in_channels=96,
    ).eval()  # fmt: skip


def _wan_scheduler() -> Any:
    from diffusers import UniPCMultistepScheduler

    return UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)


def build_wan() -> Any:
    """Wan 2.1 text-to-video at fast-test sizes."""
    from diffusers import WanPipeline

    tokenizer = _tokenizer()
    return WanPipeline(
        tokenizer=tokenizer,
        text_encoder=_umt5(len(tokenizer), 32),
        vae=_wan_vae(),
        transformer=_wan_transformer(16),
        scheduler=_wan_scheduler(),
    )


def build_wan22() -> Any:
    """Wan 2.2 A14B style: two experts (high noise, then low noise after the boundary) at fast-test sizes."""
    from diffusers import WanPipeline

    tokenizer = _tokenizer()
    return WanPipeline(
        tokenizer=tokenizer,
        text_encoder=_umt5(len(tokenizer), 32),
        vae=_wan_vae(),
        transformer=_wan_transformer(16),
        transformer_2=_wan_transformer(16),
        scheduler=_wan_scheduler(),
        boundary_ratio=0.875,
    )


def build_wan_vace() -> Any:
    """Wan 2.1 VACE: text-to-video that also follows a control video (the camera guide)."""
    from diffusers import WanVACEPipeline

    tokenizer = _tokenizer()
    return WanVACEPipeline(
        tokenizer=tokenizer,
        text_encoder=_umt5(len(tokenizer), 32),
        vae=_wan_vae(),
        transformer=_wan_vace_transformer(),
        scheduler=_wan_scheduler(),
    )


def build_wan_i2v() -> Any:
    """Wan image-to-video (2.2 style: the first frame enters as latents, no CLIP image encoder)."""
    from diffusers import WanImageToVideoPipeline

    tokenizer = _tokenizer()
    return WanImageToVideoPipeline(
        tokenizer=tokenizer,
        text_encoder=_umt5(len(tokenizer), 32),
        vae=_wan_vae(),
        transformer=_wan_transformer(16 + 16 + 4),  # noise + image latents + 4-channel frame mask
        scheduler=_wan_scheduler(),
    )


def build_ltx() -> Any:
    """LTX-Video at fast-test sizes: a timestep-conditioned decoder (0.9.1+ VAE), two blocks (First Block Cache)."""
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXPipeline
    from diffusers import LTXVideoTransformer3DModel as Transformer

    tokenizer = _tokenizer()
    transformer = Transformer(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
        cross_attention_dim=32, num_layers=2, caption_channels=32,
    ).eval()  # fmt: skip
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False), upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1), timestep_conditioning=True, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False,
    ).eval()  # fmt: skip
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    return LTXPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        text_encoder=_t5(len(tokenizer), 32),
        tokenizer=tokenizer,
        transformer=transformer,
    )


def build_ltx_condition() -> Any:
    """LTX-Video's weights saved as LTXConditionPipeline, the class recent LTX-Video folders name."""
    from diffusers import LTXConditionPipeline

    return LTXConditionPipeline(**build_ltx().components)


def build_cogvideox() -> Any:
    """CogVideoX (2B style: sin-cos positions, DDIM v-prediction) at fast-test sizes, 16 text tokens."""
    from diffusers import AutoencoderKLCogVideoX, CogVideoXDDIMScheduler, CogVideoXPipeline
    from diffusers import CogVideoXTransformer3DModel as Transformer

    tokenizer = _tokenizer()
    transformer = Transformer(
        num_attention_heads=4, attention_head_dim=8, in_channels=4, out_channels=4, time_embed_dim=2,
        text_embed_dim=32, num_layers=2, sample_width=8, sample_height=4, sample_frames=9, patch_size=2,
        temporal_compression_ratio=4, max_text_seq_length=16,
    ).eval()  # fmt: skip
    vae = AutoencoderKLCogVideoX(
        down_block_types=("CogVideoXDownBlock3D",) * 4, up_block_types=("CogVideoXUpBlock3D",) * 4,
        block_out_channels=(8, 8, 8, 8), latent_channels=4, layers_per_block=1, norm_num_groups=2,
        temporal_compression_ratio=4, sample_height=32, sample_width=64,
    ).eval()  # fmt: skip
    scheduler = CogVideoXDDIMScheduler(  # the 2B checkpoint's settings
        beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, clip_sample=False,
        prediction_type="v_prediction", rescale_betas_zero_snr=True, timestep_spacing="trailing", snr_shift_scale=3.0,
    )  # fmt: skip
    return CogVideoXPipeline(
        tokenizer=tokenizer, text_encoder=_t5(len(tokenizer), 32), vae=vae, transformer=transformer, scheduler=scheduler
    )


def build_hunyuan() -> Any:
    """HunyuanVideo at fast-test sizes: a Llama text encoder (16 wide) and a CLIP one (8 wide), both built here."""
    from diffusers import AutoencoderKLHunyuanVideo, FlowMatchEulerDiscreteScheduler, HunyuanVideoPipeline
    from diffusers import HunyuanVideoTransformer3DModel as Transformer
    from transformers import CLIPTextConfig, CLIPTextModel, LlamaConfig, LlamaModel

    tokenizer, tokenizer_2 = _llama_tokenizer(), _clip_tokenizer()
    transformer = Transformer(
        in_channels=4, out_channels=4, num_attention_heads=2, attention_head_dim=10, num_layers=1,
        num_single_layers=1, num_refiner_layers=1, patch_size=1, patch_size_t=1, guidance_embeds=True,
        text_embed_dim=16, pooled_projection_dim=8, rope_axes_dim=(2, 4, 4),
    ).eval()  # fmt: skip
    vae = AutoencoderKLHunyuanVideo(
        latent_channels=4, down_block_types=("HunyuanVideoDownBlock3D",) * 4,
        up_block_types=("HunyuanVideoUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), layers_per_block=1,
        norm_num_groups=4, scaling_factor=0.476986, spatial_compression_ratio=8, temporal_compression_ratio=4,
        mid_block_add_attention=True,
    ).eval()  # fmt: skip
    llama = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=16, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
    )  # fmt: skip
    clip = CLIPTextConfig(
        vocab_size=len(tokenizer_2), hidden_size=8, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
        projection_dim=8, bos_token_id=tokenizer_2.bos_token_id, eos_token_id=tokenizer_2.eos_token_id,
        pad_token_id=tokenizer_2.pad_token_id,
    )  # fmt: skip
    return HunyuanVideoPipeline(
        tokenizer=tokenizer,
        text_encoder=LlamaModel(llama).eval(),
        tokenizer_2=tokenizer_2,
        text_encoder_2=CLIPTextModel(clip).eval(),
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
    )


# make-tiny name -> (Dailies family written in the marker, builder)
TINY_BUILDERS: dict[str, tuple[str, Callable[[], Any]]] = {
    "wan": ("wan-tiny", build_wan),
    "wan-i2v": ("wan-tiny", build_wan_i2v),
    "wan2.2": ("wan2.2-tiny", build_wan22),
    "wan-vace": ("wan-vace-tiny", build_wan_vace),
    "ltx": ("ltx-tiny", build_ltx),
    "ltx-condition": ("ltx-tiny", build_ltx_condition),
    "cogvideox": ("cogvideox-tiny", build_cogvideox),
    "hunyuan": ("hunyuan-tiny", build_hunyuan),
}


def make_tiny(name: str, folder: str | Path, *, seed: int = 0) -> Path:
    """Build the tiny pipeline `name` with seeded random weights and save it to `folder` (offline)."""
    if name not in TINY_BUILDERS:
        raise InvalidRequest(f"no tiny pipeline called {name!r}; choose one of: {', '.join(TINY_BUILDERS)}")
    import torch

    family, build = TINY_BUILDERS[name]
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise InvalidRequest(f"{folder} is not empty; give a new or empty folder")
    torch.manual_seed(seed)
    pipe = build()
    folder.mkdir(parents=True, exist_ok=True)
    pipe.save_pretrained(folder)
    (folder / MARKER).write_text(json.dumps({"family": family, "tiny": name}, indent=2) + "\n", encoding="utf-8")
    return folder
