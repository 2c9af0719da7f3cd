"""GPU check: the full-size Wan architectures with random weights, timed on one GPU in under 6 minutes.

    python bench/gpu_check.py --out gpu_check.json     # on a GPU machine (see docs/models.md for the set-up)
    python bench/gpu_check.py --cpu-smoke              # the same phases at toy sizes on a CPU (CI runs this)

Phases, each written to the JSON as soon as it ends:
  A  build the Wan 2.1 1.3B transformer from its published config, in bf16
  B  transformer-only forwards at 832x480x81 (latent 21x60x104, 32,760 tokens), two per step (CFG): each
     attention backend that runs here, then + fused QKV, then + regional compile (compile time apart);
     s/step, TFLOP/s and % of the 790 TFLOP/s measured bf16 peak (one forward ~283 TFLOP: floor ~0.72 s/step)
  C  the pipeline path (output_type="latent", 8 steps): plain diffusers vs the product's optimised set-up;
     First Block Cache at threshold 0 (every step full) and 1e9 (every step after the first cached): the two
     bounds of its cost; its hit rate needs real weights
  D  VAE decode of that latent: float32 vs bf16, tiling off vs on, with peak memory
  E  if time is left: the 14B transformer's forward at the same size

It needs torch, diffusers 0.42 and accelerate, and imports nothing of Dailies beyond the diffusers room's
pydantic-free modules (families, speed-ups, attention, full-size configs).
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a bare checkout: no install needed

PEAK_TFLOPS = 790.0  # an 8192^3 bf16 matmul on the H100/H200 machines (shared/NOTES.md)
BUDGET_S = 330.0  # leave room under the 6 minutes for start-up and the last write


@dataclass(frozen=True)
class Setup:
    """Sizes of one run: full size on a GPU, toy sizes for --cpu-smoke."""

    family: str  # config name in generator/diffusers/configs
    big_family: str  # phase E
    latent: tuple[int, int, int]  # frames, height, width of the latent
    text_len: int
    steps: int  # pipeline steps in phase C
    timed_steps: int  # steps timed per variant in phase B
    device: str
    compile_backend: str


GPU = Setup("wan2.1-1.3b", "wan2.1-14b", (21, 60, 104), 512, 8, 2, "cuda", "inductor")
SMOKE = Setup("wan-tiny", "wan-tiny", (3, 4, 8), 16, 2, 1, "cpu", "eager")


class Clock:
    """Wall time left in the budget, and device-synchronised timing."""

    def __init__(self, budget_s: float, device: str) -> None:
        self.started = time.perf_counter()
        self.budget_s = budget_s
        self.device = device

    def left(self) -> float:
        return self.budget_s - (time.perf_counter() - self.started)

    def sync(self) -> None:
        if self.device == "cuda":
            import torch

            torch.cuda.synchronize()

    def time(self, fn: Callable[[], Any]) -> float:
        self.sync()
        start = time.perf_counter()
        fn()
        self.sync()
        return time.perf_counter() - start


def forward_tflop(config: dict[str, Any], tokens: int, text_len: int) -> float:
    """Matmul FLOPs of one Wan transformer forward (self- and cross-attention, projections, FFN), in TFLOP."""
    width = config["num_attention_heads"] * config["attention_head_dim"]
    per_layer = (
        4 * 2 * tokens * width * width  # q, k, v, out projections of self-attention
        + 2 * 2 * tokens * tokens * width  # scores and weighted sum
        + 2 * 2 * tokens * width * width
        + 2 * 2 * text_len * width * width  # cross-attention projections
        + 2 * 2 * tokens * text_len * width  # cross-attention scores and sum
        + 2 * 2 * tokens * width * config["ffn_dim"]  # feed-forward
    )
    return per_layer * config["num_layers"] / 1e12


class Report:
    """The JSON file, rewritten after every phase so a killed run still leaves what it measured."""

    def __init__(self, path: Path, setup: Setup) -> None:
        import diffusers
        import torch

        self.path = path
        self.printed: set[tuple[str, str]] = set()
        device = torch.cuda.get_device_name() if setup.device == "cuda" else f"CPU ({platform.machine()})"
        self.data: dict[str, Any] = {
            "device": device, "torch": torch.__version__, "diffusers": diffusers.__version__,
            "setup": setup.__dict__, "peak_tflops": PEAK_TFLOPS, "phases": {}, "finished": False,
        }  # fmt: skip

    def phase(self, name: str, result: dict[str, Any]) -> None:
        """Record (or update) a phase's result, write the file, print what is new."""
        self.data["phases"][name] = result
        self.path.write_text(json.dumps(self.data, indent=1, default=str) + "\n", encoding="utf-8")
        for key, value in result.items():
            if (name, key) not in self.printed:
                self.printed.add((name, key))
                print(f"[{name}] {key}: {json.dumps(value, default=str)}", flush=True)

    def finish(self) -> None:
        self.data["finished"] = True
        self.path.write_text(json.dumps(self.data, indent=1, default=str) + "\n", encoding="utf-8")


def _inputs(setup: Setup, config: dict[str, Any], dtype: Any) -> dict[str, Any]:
    """One transformer call's arguments at the check's size: noise latents, a timestep, text embeddings."""
    import torch

    frames, height, width = setup.latent
    generator = torch.Generator("cpu").manual_seed(0)
    latents = torch.randn(1, config["in_channels"], frames, height, width, generator=generator)
    text = torch.randn(1, setup.text_len, config["text_dim"], generator=generator)
    return {
        "hidden_states": latents.to(setup.device, dtype),
        "timestep": torch.tensor([500], device=setup.device),
        "encoder_hidden_states": text.to(setup.device, dtype),
        "return_dict": False,
    }


def _tokens(setup: Setup) -> int:
    frames, height, width = setup.latent
    return frames * (height // 2) * (width // 2)  # patches of 1x2x2


def _step_seconds(model: Any, inputs: dict[str, Any], clock: Clock, steps: int) -> float:
    """Seconds per denoising step: two forwards (CFG), after one warm-up forward."""
    import torch

    with torch.inference_mode():
        model(**inputs)
        return clock.time(lambda: [model(**inputs) for _ in range(2 * steps)]) / steps


def _memory_gb(setup: Setup) -> float | None:
    if setup.device != "cuda":
        return None
    import torch

    return round(torch.cuda.max_memory_allocated() / 1024**3, 2)


def _free(setup: Setup) -> None:
    gc.collect()
    if setup.device == "cuda":
        import torch

        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _rate(tflop: float, seconds: float) -> dict[str, float]:
    """s/step of two forwards (CFG), the TFLOP/s that is, and its share of the bf16 peak."""
    tflops = 2 * tflop / seconds
    return {
        "s_per_step": round(seconds, 4),
        "tflops": round(tflops, 1),
        "pct_of_peak": round(100 * tflops / PEAK_TFLOPS, 1),
    }


def phase_a(setup: Setup, clock: Clock, report: Report) -> Any:
    """Build the transformer from its published config, straight on the device in bf16."""
    import torch

    from generator.diffusers.fullsize import build_transformer, parameter_count

    _free(setup)
    start = time.perf_counter()
    model = build_transformer(setup.family, device=setup.device, dtype=torch.bfloat16)
    clock.sync()
    seconds = time.perf_counter() - start
    billions = round(parameter_count(model) / 1e9, 3)
    report.phase("A_build", {"config": setup.family, "seconds": round(seconds, 2), "dtype": str(model.dtype),
                             "parameters_billion": billions, "memory_gb": _memory_gb(setup)})  # fmt: skip
    return model


def _time_backends(setup: Setup, clock: Clock, model: Any, inputs: dict, tflop: float) -> dict[str, dict]:
    import torch

    from generator.diffusers.attention import usable_backends

    rows: dict[str, dict] = {}
    usable = []
    for name, why in usable_backends(model, setup.device, torch.bfloat16):
        if why is None:
            usable.append(name)
        else:
            rows[name] = {"unusable": why}
    for name in usable:
        if clock.left() < 200 and any("s_per_step" in row for row in rows.values()):
            rows[name] = {"skipped": "out of time"}
            continue
        model.set_attention_backend(name)
        try:
            rows[name] = _rate(tflop, _step_seconds(model, inputs, clock, setup.timed_steps))
        except Exception as exc:  # a backend that probes fine can still fail at full size: record it, go on
            rows[name] = {"failed": _first_line(exc)}
    return rows


def phase_b(setup: Setup, clock: Clock, report: Report, model: Any) -> str:
    """Transformer-only forwards: each attention backend, then + fused QKV, then + regional compile."""
    import torch

    from generator.diffusers.fullsize import load_config

    config = load_config(setup.family)["transformer"]["config"]
    inputs = _inputs(setup, config, torch.bfloat16)
    tflop = forward_tflop(config, _tokens(setup), setup.text_len)
    result: dict[str, Any] = {"tokens": _tokens(setup), "tflop_per_forward": round(tflop, 3),
                              "floor_s_per_step": round(2 * tflop / PEAK_TFLOPS, 4)}  # fmt: skip
    result["backends"] = _time_backends(setup, clock, model, inputs, tflop)
    timed = {name: row for name, row in result["backends"].items() if "s_per_step" in row}
    best = min(timed, key=lambda name: timed[name]["s_per_step"]) if timed else "native"
    model.set_attention_backend(best)
    result["best_backend"] = best
    report.phase("B_forward", result)
    model.fuse_qkv_projections()
    result["fused_qkv"] = _rate(tflop, _step_seconds(model, inputs, clock, setup.timed_steps))
    report.phase("B_forward", result)
    if clock.left() < 150:
        result["fused_qkv+compile"] = {"skipped": "out of time"}
    else:
        model.compile_repeated_blocks(fullgraph=True, backend=setup.compile_backend)
        with torch.inference_mode():
            first = clock.time(lambda: model(**inputs))
        steady = _step_seconds(model, inputs, clock, setup.timed_steps)
        result["fused_qkv+compile"] = {**_rate(tflop, steady), "compile_s": round(first - steady / 2, 1)}
    result["memory_gb"] = _memory_gb(setup)
    report.phase("B_forward", result)
    return best


def _pipeline(setup: Setup, transformer: Any) -> Any:
    """WanPipeline over `transformer`, called with prompt embeddings (no text encoder, no VAE: latents out)."""
    import diffusers

    from generator.diffusers.fullsize import load_config

    scheduler = load_config(setup.family)["scheduler"]
    pipe = diffusers.WanPipeline(
        tokenizer=None, text_encoder=None, vae=None, transformer=transformer,
        scheduler=getattr(diffusers, scheduler["class"]).from_config(scheduler["config"]),
    )  # fmt: skip
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _pipeline_steps(pipe: Any, setup: Setup, clock: Clock, text_dim: int) -> dict[str, float]:
    """Seconds of the first step, of the later ones, and per step, after a 2-step warm-up (compiles happen there)."""
    import torch

    frames, height, width = setup.latent
    generator = torch.Generator("cpu").manual_seed(0)
    embeds = [torch.randn(1, setup.text_len, text_dim, generator=generator).to(setup.device, torch.bfloat16)
              for _ in range(2)]  # fmt: skip
    stamps: list[float] = []

    def on_step(p: Any, step: int, timestep: Any, tensors: dict) -> dict:
        clock.sync()
        stamps.append(time.perf_counter())
        return {}

    call = dict(prompt_embeds=embeds[0], negative_prompt_embeds=embeds[1], height=height * 8, width=width * 8,
                num_frames=(frames - 1) * 4 + 1, guidance_scale=5.0, output_type="latent",
                callback_on_step_end=on_step)  # fmt: skip
    with torch.inference_mode():
        pipe(**call, num_inference_steps=2, generator=torch.Generator("cpu").manual_seed(0))
        stamps.clear()
        clock.sync()
        start = time.perf_counter()
        pipe(**call, num_inference_steps=setup.steps, generator=torch.Generator("cpu").manual_seed(0))
    later = (stamps[-1] - stamps[0]) / (len(stamps) - 1) if len(stamps) > 1 else stamps[0] - start
    return {"s_per_step": round((stamps[-1] - start) / len(stamps), 4), "first_step_s": round(stamps[0] - start, 4),
            "later_steps_s": round(later, 4), "steps": len(stamps)}  # fmt: skip


def phase_c(setup: Setup, clock: Clock, report: Report, best: str) -> None:
    """The pipeline path: plain diffusers, First Block Cache's two bounds, and the product's optimised set-up."""
    import torch
    from diffusers import FirstBlockCacheConfig

    from generator.diffusers.fullsize import build_transformer, load_config
    from generator.diffusers.speedups import apply_speedups
    from generator.families import FAMILIES

    text_dim = load_config(setup.family)["transformer"]["config"]["text_dim"]
    result: dict[str, Any] = {"steps": setup.steps, "output_type": "latent"}
    plain = _pipeline(setup, build_transformer(setup.family, device=setup.device, dtype=torch.bfloat16))
    plain.transformer.set_attention_backend("native")  # diffusers' default, whatever phase B left active
    result["plain"] = _pipeline_steps(plain, setup, clock, text_dim)
    report.phase("C_pipeline", result)
    for threshold, label in ((0.0, "first_block_cache_every_step_full"), (1e9, "first_block_cache_every_step_cached")):
        plain.transformer.enable_cache(FirstBlockCacheConfig(threshold=threshold))
        result[label] = _pipeline_steps(plain, setup, clock, text_dim)
        plain.transformer.disable_cache()
        report.phase("C_pipeline", result)
    del plain
    _free(setup)
    if clock.left() < 100:
        result["optimised"] = {"skipped": "out of time"}
    else:
        optimised = _pipeline(setup, build_transformer(setup.family, device=setup.device, dtype=torch.bfloat16))
        speedups = ("fuse_qkv", "compile")
        applied = apply_speedups(optimised, FAMILIES[setup.family], speedups, device=setup.device,
                                 attention="auto", compile_backend=setup.compile_backend)  # fmt: skip
        result["optimised"] = {**_pipeline_steps(optimised, setup, clock, text_dim), "set_up": applied.notes}
        plain_step, fast_step = result["plain"]["s_per_step"], result["optimised"]["s_per_step"]
        result["optimised"]["speed_up"] = round(plain_step / fast_step, 2)
    report.phase("C_pipeline", result)


def phase_d(setup: Setup, clock: Clock, report: Report) -> None:
    """VAE decode of the check's latent: float32 vs bf16, tiling off vs on, with peak memory."""
    import torch

    from generator.diffusers.fullsize import build_model, load_config

    spec = load_config(setup.family)["vae"]
    frames, height, width = setup.latent
    latents = torch.randn(1, spec["config"]["z_dim"], frames, height, width, generator=torch.Generator().manual_seed(0))
    rows: dict[str, Any] = {"latent": list(latents.shape)}
    for dtype in (torch.float32, torch.bfloat16):
        vae = build_model(spec, device=setup.device, dtype=dtype)
        for tiled in (False, True):
            key = f"{str(dtype).removeprefix('torch.')}_{'tiled' if tiled else 'whole'}"
            if clock.left() < 60:
                rows[key] = {"skipped": "out of time"}
                continue
            vae.enable_tiling() if tiled else vae.disable_tiling()
            _free(setup)
            rows[key] = _decode(vae, latents.to(setup.device, dtype), clock, setup)
            report.phase("D_vae_decode", rows)
        del vae
        _free(setup)
    report.phase("D_vae_decode", rows)


def _decode(vae: Any, latents: Any, clock: Clock, setup: Setup) -> dict[str, Any]:
    import torch

    try:
        with torch.inference_mode():
            seconds = clock.time(lambda: vae.decode(latents))
    except torch.OutOfMemoryError:
        seconds = None
    if seconds is None:  # out of the handler first, so the failed decode's memory can go
        _free(setup)
        return {"out_of_memory": True}
    return {"seconds": round(seconds, 3), "peak_gb": _memory_gb(setup)}


def phase_e(setup: Setup, clock: Clock, report: Report, best: str) -> None:
    """If time is left: the bigger transformer's forward at the same size, with the best backend of phase B."""
    import torch

    from generator.diffusers.fullsize import build_transformer, load_config, parameter_count

    if clock.left() < 90:
        report.phase("E_big", {"skipped": f"out of time ({clock.left():.0f} s left)"})
        return
    config = load_config(setup.big_family)["transformer"]["config"]
    start = time.perf_counter()
    model = build_transformer(setup.big_family, device=setup.device, dtype=torch.bfloat16)
    clock.sync()
    built = time.perf_counter() - start
    model.set_attention_backend(best)
    tflop = forward_tflop(config, _tokens(setup), setup.text_len)
    seconds = _step_seconds(model, _inputs(setup, config, torch.bfloat16), clock, 1)
    report.phase("E_big", {"config": setup.big_family, "build_s": round(built, 1), "backend": best,
                           "parameters_billion": round(parameter_count(model) / 1e9, 2),
                           "tflop_per_forward": round(tflop, 3), **_rate(tflop, seconds),
                           "memory_gb": _memory_gb(setup)})  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="gpu_check.json", help="JSON report, rewritten after each phase")
    parser.add_argument("--cpu-smoke", action="store_true", help="toy sizes on a CPU: checks the script, not speed")
    parser.add_argument("--budget-s", type=float, default=BUDGET_S, help="wall-clock budget of the phases")
    args = parser.parse_args(argv)

    import torch

    setup = SMOKE if args.cpu_smoke else GPU
    if setup.device == "cuda" and not torch.cuda.is_available():
        print("no CUDA GPU here: run with --cpu-smoke on a CPU", file=sys.stderr)
        return 2
    if setup.device == "cpu":
        torch.set_num_threads(1)
    clock = Clock(args.budget_s, setup.device)
    report = Report(Path(args.out), setup)
    model = phase_a(setup, clock, report)
    best = phase_b(setup, clock, report, model)
    del model
    _free(setup)
    phase_c(setup, clock, report, best)
    _free(setup)
    phase_d(setup, clock, report)
    _free(setup)
    phase_e(setup, clock, report, best)
    report.finish()
    print(f"wrote {args.out} in {time.perf_counter() - clock.started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
