"""Benchmark Wan 2.1 rendering: s/step and peak VRAM of plain diffusers vs each speed-up, with random weights.

    python bench/gpu_render.py                  # Wan 2.1 1.3B architecture, 832x480, 81 frames, 50 steps (GPU)
    python bench/gpu_render.py --tiny           # toy sizes: finishes on a CPU in seconds
    python bench/gpu_render.py --steps 20 --speedups first_block_cache,compile

Weights are random (nothing is downloaded) and the text encoder is skipped (random prompt embeddings of the
real shape), so the figures measure the denoiser and the VAE, which is where the time goes. Random weights
make the caches' skip decisions differ from a trained model's: read cache speed-ups as an upper bound.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from dataclasses import dataclass
from typing import Any

from generator.diffusers.speedups import SPEEDUPS, apply_speedups, remove_speedups


@dataclass
class Config:
    name: str
    width: int
    height: int
    frames: int
    steps: int
    text_len: int
    text_dim: int


REAL = Config("Wan 2.1 T2V 1.3B architecture", 832, 480, 81, 50, 512, 4096)
TINY = Config("Wan 2.1 tiny (fast-test sizes)", 64, 32, 9, 4, 16, 32)


def build_pipe(tiny: bool, device: str, dtype: Any) -> Any:
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel

    torch.manual_seed(0)
    with torch.device(device):
        if tiny:
            from generator.diffusers.tiny import _wan_transformer, _wan_vae

            transformer, vae = _wan_transformer(16), _wan_vae()
        else:
            transformer = WanTransformer3DModel(
                patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16,
                out_channels=16, text_dim=4096, freq_dim=256, ffn_dim=8960, num_layers=30, cross_attn_norm=True,
                qk_norm="rms_norm_across_heads", eps=1e-6, rope_max_seq_len=1024,
            )  # fmt: skip
            vae = AutoencoderKLWan()
    transformer = transformer.to(device, dtype).eval()
    keep = set(getattr(transformer, "_keep_in_fp32_modules", None) or ())
    for name, module in transformer.named_modules():  # as from_pretrained does: these stay in float32
        if keep & set(name.split(".")):
            module.to(torch.float32)
    vae = vae.to(device, torch.float32).eval()  # Wan's VAE is run in float32
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    pipe = WanPipeline(tokenizer=None, text_encoder=None, vae=vae, transformer=transformer, scheduler=scheduler)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def run_once(pipe: Any, config: Config, device: str, dtype: Any) -> dict[str, float]:
    import torch

    generator = torch.Generator("cpu").manual_seed(0)
    embeds = torch.randn(1, config.text_len, config.text_dim, generator=generator).to(device, dtype)
    negative = torch.randn(1, config.text_len, config.text_dim, generator=generator).to(device, dtype)
    stamps: list[float] = []

    def on_step(p: Any, step: int, timestep: Any, tensors: dict) -> dict:
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        stamps.append(time.perf_counter())
        return {}

    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    with torch.inference_mode():
        pipe(
            prompt_embeds=embeds, negative_prompt_embeds=negative, height=config.height, width=config.width,
            num_frames=config.frames, num_inference_steps=config.steps, guidance_scale=5.0, output_type="np",
            generator=torch.Generator("cpu").manual_seed(0), callback_on_step_end=on_step,
        )  # fmt: skip
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    total = time.perf_counter() - started
    step_s = (stamps[-1] - started) / len(stamps)
    peak = torch.cuda.max_memory_allocated() / 1024**3 if device.startswith("cuda") else float("nan")
    return {"s_per_step": step_s, "total_s": total, "peak_gb": peak}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="toy sizes on whatever device there is (CPU ok)")
    parser.add_argument("--steps", type=int, default=None, help="denoising steps (default 50, tiny 4)")
    parser.add_argument("--frames", type=int, default=None, help="frames, 4k+1 (default 81, tiny 9)")
    parser.add_argument("--speedups", default=None, help=f"comma list of {', '.join(SPEEDUPS)}")
    args = parser.parse_args(argv)

    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(1)
        if not args.tiny:
            print("no CUDA GPU: the real-size benchmark needs one; run with --tiny on a CPU", file=sys.stderr)
            return 2
    config = TINY if args.tiny else REAL
    config.steps = args.steps or config.steps
    config.frames = args.frames or config.frames
    default_speedups = ("first_block_cache", "pab") if device == "cpu" else SPEEDUPS
    speedups = tuple(s for s in (args.speedups.split(",") if args.speedups else default_speedups) if s)
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    gpu = torch.cuda.get_device_name() if device == "cuda" else "CPU (1 thread)"
    print(f"{config.name}: {config.width}x{config.height}, {config.frames} frames, {config.steps} steps, "
          f"CFG on, {str(dtype).removeprefix('torch.')}, {gpu}")  # fmt: skip

    built = time.perf_counter()
    pipe = build_pipe(args.tiny, device, dtype)
    print(f"built random-weight pipeline in {time.perf_counter() - built:.1f} s")
    run_once(pipe, config, device, dtype)  # warm-up: kernels, allocator
    rows: list[tuple[str, dict[str, float]]] = [("baseline (plain diffusers)", run_once(pipe, config, device, dtype))]
    for name in speedups:
        apply_speedups(pipe, (name,))
        if name == "compile":
            run_once(pipe, config, device, dtype)  # compilation happens here, outside the measurement
        rows.append((name, run_once(pipe, config, device, dtype)))
        remove_speedups(pipe)
        gc.collect()

    base = rows[0][1]
    print(f"\n{'variant':<28}{'s/step':>10}{'speed-up':>10}{'total s':>10}{'peak VRAM GB':>14}{'VRAM ratio':>12}")
    for name, row in rows:
        vram = f"{row['peak_gb']:.2f}" if row["peak_gb"] == row["peak_gb"] else "n/a"
        ratio = f"{row['peak_gb'] / base['peak_gb']:.2f}x" if vram != "n/a" else "n/a"
        print(f"{name:<28}{row['s_per_step']:>10.4f}{base['s_per_step'] / row['s_per_step']:>9.2f}x"
              f"{row['total_s']:>10.2f}{vram:>14}{ratio:>12}")  # fmt: skip
    if device == "cpu":
        print(f"\npeak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
