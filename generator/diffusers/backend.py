"""DiffusersGenerator: one warm diffusers pipeline rendering RenderRequests with progress, cancel and OOM retry."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from generator.base import CancelToken, Progress, ProgressCallback, RenderResult
from generator.diffusers import cogvideox, hunyuan, ltx, wan
from generator.diffusers.condition import read_last_frames
from generator.diffusers.loader import family_for_model, load_pipeline, resolve_source
from generator.diffusers.memory import MemoryPlan, apply_plan, choose_plan, free_vram_bytes, lower_plan
from generator.diffusers.speedups import apply_speedups
from generator.errors import InvalidRequest, ModelUnavailable, OutOfMemory, RenderCancelled
from generator.families import ModelFamily
from generator.request import RenderRequest

# pipeline class -> the adapter module that knows its arguments
ADAPTERS: dict[str, ModuleType] = {
    name: module for module in (wan, ltx, cogvideox, hunyuan) for name in module.PIPELINES
}


def check_request(request: RenderRequest, family: ModelFamily) -> None:
    """Refuse what the pipeline would otherwise round or ignore silently: frame rule, size, length, faults."""
    if request.faults:
        raise InvalidRequest(
            f"fault injection ({', '.join(request.faults)}) is a demo and test aid of the previz backend; "
            f"{family.title} cannot inject faults"
        )
    problems = []
    if request.num_frames != family.snap_frames(request.num_frames) or request.num_frames > family.max_frames:
        problems.append(f"{request.num_frames} frames (needs {family.frame_rule}, at most {family.max_frames})")
    for side, value in (("width", request.width), ("height", request.height)):
        if value % family.size_multiple:
            problems.append(f"{side} {value} (needs a multiple of {family.size_multiple})")
    if problems:
        raise InvalidRequest(f"{family.title} cannot render " + "; ".join(problems) + ": compile the shot first")


class DiffusersGenerator:
    """A diffusers pipeline kept warm; one render at a time (use a WarmWorker to serve requests)."""

    name = "diffusers"

    def __init__(
        self,
        model: str | None,
        *,
        i2v_model: str | None = None,
        device: str | None = None,
        speedups: tuple[str, ...] = (),
        family: ModelFamily | None = None,
    ) -> None:
        self.family = family or family_for_model(model)
        self.model = model
        self.i2v_model = i2v_model
        self.speedups = tuple(speedups)
        self._device = device
        self._pipe: Any = None
        self._i2v_pipe: Any = None
        self._plan: MemoryPlan = "none"
        self.load_notes: list[str] = []

    # -- loading ----------------------------------------------------------------------------------

    @property
    def device(self) -> str:
        if self._device is None:
            import torch

            self._device = "cuda" if torch.cuda.is_available() else "cpu"
        return self._device

    @property
    def plan(self) -> MemoryPlan:
        return self._plan

    def _dtype(self) -> Any:
        import torch

        return torch.bfloat16 if self.device.startswith("cuda") else torch.float32

    def _load(self, model: str | None, family: ModelFamily) -> Any:
        pipe = load_pipeline(resolve_source(model, family), dtype=self._dtype())
        if type(pipe).__name__ not in ADAPTERS:
            raise ModelUnavailable(f"{type(pipe).__name__} is not a pipeline Dailies drives")
        return pipe

    def load(self) -> None:
        """Load the pipeline once, pick a memory plan from free VRAM, apply speed-ups."""
        if self._pipe is not None:
            return
        pipe = self._load(self.model, self.family)
        self._plan = choose_plan(free_vram_bytes(self.device), self.family)
        self.load_notes = apply_plan(pipe, self._plan, self.device) + apply_speedups(pipe, self.speedups)
        self._pipe = pipe

    def _load_i2v(self) -> Any:
        if self._i2v_pipe is None:
            if not self.i2v_model:
                hint = f" (e.g. {self.family.i2v_hub_id})" if self.family.i2v_hub_id else ""
                raise ModelUnavailable(
                    f"{self.family.title} continues a take with its image-to-video model: "
                    f"set DAILIES_I2V_MODEL to its folder or hub id{hint}"
                )
            pipe = self._load(self.i2v_model, self.family)
            apply_plan(pipe, self._plan, self.device)
            apply_speedups(pipe, self.speedups)
            self._i2v_pipe = pipe
        return self._i2v_pipe

    # -- rendering --------------------------------------------------------------------------------

    def _pipeline_for(self, adapter: ModuleType, conditioned: bool) -> Any:
        pipe = self._pipe
        if conditioned and not adapter.is_conditioned(pipe):
            return adapter.conditioned_pipeline(pipe, self._load_i2v)
        if not conditioned and adapter.is_conditioned(pipe):
            raise InvalidRequest(f"{self.model} is an image-to-video model: give it a take to continue from")
        return pipe

    def _condition_frames(self, request: RenderRequest, adapter: ModuleType, notes: list[str]) -> np.ndarray | None:
        if request.condition is None:
            return None
        wanted = adapter.CONDITION_FRAMES or request.condition.last_frames
        count = self.family.snap_frames(wanted)
        while count > wanted and count > 1:
            count -= self.family.frame_step
        if count != request.condition.last_frames:
            notes.append(f"{self.family.title} continues from {count} frame(s), not {request.condition.last_frames}")
        frames = read_last_frames(request.condition.path, count)
        if len(frames) != count:
            frames = frames[-self.family.snap_frames(len(frames)) :]
        notes.append(f"continued from the last {len(frames)} frame(s) of {request.condition.path}")
        return frames

    def _call(
        self, pipe: Any, kwargs: dict, seed: int, progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> np.ndarray:
        import torch

        started = time.perf_counter()
        last_step = [0]

        def on_step_end(p: Any, step: int, timestep: Any, tensors: dict) -> dict:
            done = last_step[0] = step + 1
            total = int(p.num_timesteps)
            elapsed = time.perf_counter() - started
            if progress is not None:
                progress(Progress(done, total, elapsed, elapsed / done * (total - done)))
            if cancel is not None and cancel.cancelled:
                p._interrupt = True  # diffusers skips the remaining steps
            return {}

        if cancel is not None and cancel.cancelled:
            raise RenderCancelled("cancelled before it started")
        generator = torch.Generator(device="cpu").manual_seed(seed)  # CPU noise: same take on any device
        with torch.inference_mode():
            output = pipe(**kwargs, generator=generator, output_type="np", callback_on_step_end=on_step_end)
        if cancel is not None and cancel.cancelled:
            raise RenderCancelled(f"cancelled after step {last_step[0]} of {kwargs['num_inference_steps']}")
        frames = np.asarray(output.frames[0], dtype=np.float32)
        return (np.clip(frames, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)

    def render(
        self,
        request: RenderRequest,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> RenderResult:
        """Render one request on this thread (a worker thread, never an event loop)."""
        import torch

        check_request(request, self.family)
        started = time.perf_counter()
        self.load()
        adapter = ADAPTERS[type(self._pipe).__name__]
        notes = list(self.load_notes)
        condition = self._condition_frames(request, adapter, notes)
        pipe = self._pipeline_for(adapter, condition is not None)
        kwargs = adapter.call_kwargs(pipe, request, self.family, condition)
        try:
            frames = self._call(pipe, kwargs, request.seed, progress, cancel)
        except torch.OutOfMemoryError:
            frames = self._retry_lower(request, adapter, condition, progress, cancel, notes)
        if (skip := adapter.overlap(condition)) > 0:
            frames = frames[skip:]
            notes.append(f"dropped the first {skip} frame(s), which repeat the earlier take")
        return RenderResult(
            frames=frames,
            fps=request.fps,
            backend=self.name,
            model=self.model or self.family.name,
            seed=request.seed,
            render_s=round(time.perf_counter() - started, 3),
            notes=notes,
        )

    def _retry_lower(
        self,
        request: RenderRequest,
        adapter: ModuleType,
        condition: np.ndarray | None,
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
        notes: list[str],
    ) -> np.ndarray:
        """One retry at the next lower memory plan; a second out-of-memory becomes an OutOfMemory value."""
        import torch

        failed_plan = self._plan
        lower = lower_plan(failed_plan)
        size = f"{request.width}x{request.height}, {request.num_frames} frames"
        if lower is None:
            raise OutOfMemory(
                f"out of GPU memory at {size} even with {failed_plan}; try fewer frames or a smaller size"
            )
        _free_cuda(self.device)
        for pipe in (self._pipe, self._i2v_pipe):
            if pipe is not None:
                notes.extend(apply_plan(pipe, lower, self.device))
        self._plan = lower
        notes.append(f"out of memory with plan {failed_plan}; retried once with {lower}")
        pipe = self._pipeline_for(adapter, condition is not None)
        kwargs = adapter.call_kwargs(pipe, request, self.family, condition)
        try:
            return self._call(pipe, kwargs, request.seed, progress, cancel)
        except torch.OutOfMemoryError:
            _free_cuda(self.device)
            raise OutOfMemory(
                f"out of GPU memory at {size}, also after retrying with {lower}; try fewer frames or a smaller size"
            ) from None


def _free_cuda(device: str) -> None:
    if device.startswith("cuda"):
        import gc

        import torch

        gc.collect()
        torch.cuda.empty_cache()


def make_diffusers_generator(
    model: str | None, *, i2v_model: str | None = None, speedups: tuple[str, ...] = ()
) -> Callable[[], DiffusersGenerator]:
    """A factory for WarmWorker: builds the generator (and loads weights) on the worker's thread."""

    def factory() -> DiffusersGenerator:
        generator = DiffusersGenerator(model, i2v_model=i2v_model, speedups=speedups)
        generator.load()
        return generator

    return factory
