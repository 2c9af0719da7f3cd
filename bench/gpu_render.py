"""Benchmark the product's render path on Wan 2.1 1.3B (random weights): s/step of each speed-up vs plain diffusers.

    python bench/gpu_render.py                  # full size from the published config, 832x480, 81 frames (GPU)
    python bench/gpu_render.py --tiny           # toy sizes: finishes on a CPU in seconds
    python bench/gpu_render.py --steps 10 --variants plain,auto,fuse_qkv,compile

Every variant renders through DiffusersGenerator.render (the product's path: reference scheduler and flow shift,
memory plan, attention choice, speed-ups, progress callback), on a freshly built pipeline. The baseline is plain
diffusers: native attention, no speed-up. A variant that cannot run here is printed with its one-line refusal.
Weights are random, so cache speed-ups (first_block_cache, pab) skip differently from a trained model: read them
as bounds, not promises. The text encoder keeps its published width over 2 layers (a toy vocabulary).
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from typing import Any

from generator.diffusers.speedups import SPEEDUPS

# variant -> (speed-ups, attention backend); "plain" is the baseline.
VARIANTS: dict[str, tuple[tuple[str, ...], str]] = {
    "plain": ((), "native"),
    "auto": ((), "auto"),
    **{name: ((name,), "auto") for name in SPEEDUPS},
    "fuse_qkv+compile": (("fuse_qkv", "compile"), "auto"),
}
GPU_DEFAULT = ("plain", "auto", "fuse_qkv", "compile", "fuse_qkv+compile", "first_block_cache", "fp8", "fp8_storage",
               "offload_text_encoder")  # fmt: skip
CPU_DEFAULT = ("plain", "auto", "fuse_qkv", "first_block_cache", "fp8_storage", "offload_text_encoder", "fp8")


def _generator(config: str, family_name: str, device: str, variant: str, compile_backend: str) -> Any:
    import torch

    from generator.diffusers.backend import DiffusersGenerator
    from generator.diffusers.fullsize import build_pipeline
    from generator.families import get_family

    speedups, attention = VARIANTS[variant]
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    pipe = build_pipeline(config, device=device, dtype=dtype, vae_dtype=torch.float32, text_layers=2)
    return DiffusersGenerator.from_pipeline(
        pipe, get_family(family_name), device=device, speedups=speedups, attention=attention,
        compile_backend=compile_backend,
    )  # fmt: skip


def _render(generator: Any, request: Any, device: str) -> dict[str, float]:
    import torch

    stamps: list[float] = []

    def progress(p: Any) -> None:
        if device == "cuda":
            torch.cuda.synchronize()
        stamps.append(time.perf_counter())

    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    generator.render(request, progress=progress)
    total = time.perf_counter() - started
    peak = torch.cuda.max_memory_allocated() / 1024**3 if device == "cuda" else float("nan")
    return {"s_per_step": (stamps[-1] - started) / len(stamps), "total_s": total, "peak_gb": peak}


def _measure(variant: str, args: argparse.Namespace, device: str, request: Any) -> dict[str, float] | str:
    from generator.errors import ModelUnavailable

    config, family = ("wan-tiny", "wan-tiny") if args.tiny else ("wan2.1-1.3b", "wan2.1-1.3b")
    try:
        generator = _generator(config, family, device, variant, args.compile_backend)
    except ModelUnavailable as exc:
        return str(exc)
    warm = request.model_copy(update={"steps": 2})
    _render(generator, warm, device)  # warm-up: kernels, allocator, compilation
    row = _render(generator, request, device)
    row["notes"] = "; ".join(n for n in generator.load_notes if n.startswith("attention"))  # type: ignore[assignment]
    del generator
    gc.collect()
    if device == "cuda":
        import torch

        torch.cuda.empty_cache()
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="toy sizes on whatever device there is (CPU ok)")
    parser.add_argument("--steps", type=int, default=None, help="denoising steps (default 50, tiny 4)")
    parser.add_argument("--frames", type=int, default=None, help="frames, 4k+1 (default 81, tiny 9)")
    parser.add_argument("--variants", default=None, help=f"comma list of {', '.join(VARIANTS)}")
    parser.add_argument("--compile-backend", default="inductor", help="torch.compile backend (eager: trace only)")
    args = parser.parse_args(argv)

    import torch

    from generator.request import RenderRequest

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(1)
        if not args.tiny:
            print("no CUDA GPU: the full-size benchmark needs one; run with --tiny on a CPU", file=sys.stderr)
            return 2
    variants = args.variants.split(",") if args.variants else (GPU_DEFAULT if device == "cuda" else CPU_DEFAULT)
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        print(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(VARIANTS)}", file=sys.stderr)
        return 2
    width, height, frames, steps = (64, 32, 9, 4) if args.tiny else (832, 480, 81, 50)
    family = "wan-tiny" if args.tiny else "wan2.1-1.3b"
    request = RenderRequest(prompt="a red fox trots through the snow at dawn", negative_prompt="blurry",
                            width=width, height=height, num_frames=args.frames or frames, fps=16,
                            steps=args.steps or steps, family=family)  # fmt: skip
    gpu = torch.cuda.get_device_name() if device == "cuda" else "CPU (1 thread)"
    print(f"{family}: {request.width}x{request.height}, {request.num_frames} frames, {request.steps} steps, CFG, {gpu}")
    rows = {variant: _measure(variant, args, device, request) for variant in variants}
    _print_table(rows)
    if device == "cpu":
        print(f"\npeak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


def _print_table(rows: dict[str, dict[str, float] | str]) -> None:
    base = rows.get("plain")
    print(f"\n{'variant':<24}{'s/step':>10}{'vs plain':>10}{'total s':>10}{'peak GB':>10}  attention")
    for name, row in rows.items():
        if isinstance(row, str):
            print(f"{name:<24}{'refused':>10}  {row}")
            continue
        ratio = f"{base['s_per_step'] / row['s_per_step']:.2f}x" if isinstance(base, dict) else "n/a"
        peak = f"{row['peak_gb']:.2f}" if row["peak_gb"] == row["peak_gb"] else "n/a"
        print(f"{name:<24}{row['s_per_step']:>10.4f}{ratio:>10}{row['total_s']:>10.2f}{peak:>10}  {row['notes']}")


if __name__ == "__main__":
    sys.exit(main())
