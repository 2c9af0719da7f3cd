"""DiffusersGenerator: one warm diffusers pipeline rendering RenderRequests with progress, cancel and OOM retry."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from generator.base import CancelToken, Progress, ProgressCallback, RenderResult
from generator.diffusers import cogvideox, hunyuan, ltx, wan
from generator.diffusers.attention import AttentionChoice
from generator.diffusers.condition import read_last_frames
from generator.diffusers.loader import family_for_model, load_pipeline, pipeline_class, resolve_source
from generator.diffusers.memory import MemoryPlan, apply_plan, choose_plan, free_vram_bytes, lower_plan
from generator.diffusers.reference import set_flow_shift, torch_dtypes, use_reference_scheduler
from generator.diffusers.speedups import SpeedupRefused, apply_speedups, refuse_combinations, reset_cache_state
from generator.errors import InvalidRequest, ModelUnavailable, OutOfMemory, RenderCancelled
from generator.families import ModelFamily
from generator.guide import render_guide
from generator.reference import reference_frame
from generator.request import RenderRequest
from generator.segments import noise_seed

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


@dataclass
class Loaded:
    """A pipeline ready to render: the family whose rules it runs under, its memory plan, its attention choice."""

    pipe: Any
    family: ModelFamily
    plan: MemoryPlan
    notes: list[str]
    attention: AttentionChoice | None = None
    sibling: Any = None  # the conditioned pipeline over the same weights (LTX, Wan TI2V), built on first use
    guided: Any = None  # the pipeline that takes a camera guide (itself or one over its weights), built on first use

    def call_context(self) -> contextlib.AbstractContextManager:
        return self.attention.call_context() if self.attention is not None else contextlib.nullcontext()


class _Stop(Exception):
    """Raised from the step callback to leave a cancelled render at once: no more steps, no VAE decode."""


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
        attention: str = "auto",
        family: ModelFamily | None = None,
        dtype: str | None = None,
        compile_backend: str = "inductor",
        allow_pickle: bool = False,
    ) -> None:
        self.family = family or family_for_model(model)
        self.model = model
        self.i2v_model = i2v_model
        self.speedups = tuple(speedups)
        self.attention = attention
        self._device = device
        self._dtype = dtype  # None: the family's dtype on a GPU, float32 on a CPU
        self._compile_backend = compile_backend
        self._allow_pickle = allow_pickle  # the operator trusts pickled weights (they can run code as they load)
        self._main: Loaded | None = None
        self._i2v: Loaded | None = None

    @classmethod
    def from_pipeline(cls, pipe: Any, family: ModelFamily, **options: Any) -> DiffusersGenerator:
        """Adopt a pipeline built in code (full-size random weights in benchmarks) with the same set-up as a load."""
        generator = cls(None, family=family, **options)
        generator._refuse_early()
        generator._main = generator._prepare(pipe, family)
        return generator

    # -- loading ----------------------------------------------------------------------------------

    @property
    def device(self) -> str:
        if self._device is None:
            import torch

            self._device = "cuda" if torch.cuda.is_available() else "cpu"
        return self._device

    @property
    def plan(self) -> MemoryPlan:
        return self._main.plan if self._main is not None else "none"

    @property
    def plans(self) -> dict[str, MemoryPlan]:
        """The memory plan of each loaded pipeline: each is measured when it loads and lowered on its own."""
        loaded = {"text-to-video": self._main, "image-to-video": self._i2v}
        return {role: entry.plan for role, entry in loaded.items() if entry is not None}

    @property
    def pipeline(self) -> Any:
        """The loaded diffusers pipeline (None before load)."""
        return self._main.pipe if self._main is not None else None

    @property
    def load_notes(self) -> list[str]:
        return list(self._main.notes) if self._main is not None else []

    def _refuse_early(self) -> None:
        try:  # before minutes of loading weights
            refuse_combinations(self.family, self.speedups)
        except SpeedupRefused as exc:
            raise ModelUnavailable(str(exc)) from None

    def _load(self, model: str | None, *, i2v: bool = False) -> Any:
        dtype = torch_dtypes(self.family, self.device, self._dtype)
        source = resolve_source(model, self.family)
        cls = pipeline_class(source, self.family, i2v=i2v)
        pipe = load_pipeline(source, dtype=dtype, pipeline_class=cls, allow_pickle=self._allow_pickle)
        if type(pipe).__name__ not in ADAPTERS:
            raise ModelUnavailable(f"{type(pipe).__name__} is not a pipeline Dailies drives")
        return pipe

    def _apply_plan(self, pipe: Any, plan: MemoryPlan) -> list[str]:
        offload_text = "offload_text_encoder" in self.speedups
        return apply_plan(pipe, plan, self.device, tile_vae=self.family.vae_tiling, offload_text_encoder=offload_text)

    def _place(self, pipe: Any, plan: MemoryPlan, size_family: ModelFamily) -> tuple[MemoryPlan, list[str]]:
        """Apply `plan`, a plan lower after each out-of-memory; each retry runs once the handler has been left."""
        import torch

        while True:
            try:
                return plan, self._apply_plan(pipe, plan)
            except torch.OutOfMemoryError:
                failed = plan
            _free_cuda(self.device)
            lower = lower_plan(failed)
            if lower is None:
                raise OutOfMemory(f"out of GPU memory placing {size_family.title} even with {failed}")
            plan = lower

    def _prepare(self, pipe: Any, size_family: ModelFamily) -> Loaded:
        """Reference scheduler, a memory plan from free VRAM now, speed-ups: the same for every pipeline."""
        notes = use_reference_scheduler(pipe, self.family)
        plan, placed = self._place(pipe, choose_plan(free_vram_bytes(self.device), size_family), size_family)
        try:
            applied = apply_speedups(
                pipe, self.family, self.speedups, device=self.device, attention=self.attention,
                compile_backend=self._compile_backend,
            )  # fmt: skip
        except SpeedupRefused as exc:
            raise ModelUnavailable(str(exc)) from None
        return Loaded(pipe, self.family, plan, notes + placed + applied.notes, applied.attention)

    def load(self) -> None:
        """Load the pipeline once, pick a memory plan from free VRAM, apply speed-ups."""
        if self._main is None:
            self._refuse_early()
            self._main = self._prepare(self._load(self.model), self.family)

    def _load_i2v(self) -> Loaded:
        if self._i2v is None:
            if not self.i2v_model:
                hint = f" (e.g. {self.family.i2v_hub_id})" if self.family.i2v_hub_id else ""
                raise ModelUnavailable(
                    f"{self.family.title} continues a take with its image-to-video model: "
                    f"set DAILIES_I2V_MODEL to its folder or hub id{hint}"
                )
            try:  # its size (Wan 1.3B's sibling is a 14B) decides its plan
                size_family = family_for_model(self.i2v_model)
            except ValueError:
                size_family = self.family
            self._i2v = self._prepare(self._load(self.i2v_model, i2v=True), size_family)
        return self._i2v

    # -- rendering --------------------------------------------------------------------------------

    def _pipeline_for(self, adapter: ModuleType, conditioned: bool, guided: bool = False) -> tuple[Loaded, Any]:
        main = self._main
        assert main is not None
        if guided:
            return main, self._guided_pipeline(adapter)
        if not conditioned:
            if adapter.needs_condition(main.pipe):
                raise InvalidRequest(f"{self.model} is an image-to-video model: give it a take to continue from")
            return main, main.pipe
        if adapter.takes_condition(main.pipe):
            return main, main.pipe
        main.sibling = main.sibling or adapter.sibling(main.pipe)
        if main.sibling is not None:
            return main, main.sibling
        i2v = self._load_i2v()
        return i2v, i2v.pipe

    def _guided_pipeline(self, adapter: ModuleType) -> Any | None:
        """The pipeline that takes a camera guide with these weights, or None where they have no guide path."""
        assert self._main is not None
        self._main.guided = self._main.guided or adapter.guided_pipeline(self._main.pipe)
        return self._main.guided

    def _guide_frames(
        self, request: RenderRequest, adapter: ModuleType, conditioned: bool, notes: list[str],
        cancel: CancelToken | None,
    ) -> np.ndarray | None:  # fmt: skip
        """The previz animatic of this request when it asks for a guide and these weights can take one."""
        if request.guide is None:
            return None
        if conditioned:
            notes.append("an extension continues from its earlier take: no camera guide")
            return None
        if self._guided_pipeline(adapter) is None:
            why = self.family.guide_how or "no guide path"
            notes.append(f"{self.family.title} takes no camera guide ({why}): rendered from the words alone")
            return None
        return render_guide(request, cancel=cancel)

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

    def _takes_image(self, adapter: ModuleType) -> bool:
        """Whether this model has an image input: its own pipeline, a sibling over its weights, or an I2V model."""
        main = self._main
        assert main is not None
        if adapter.takes_condition(main.pipe) or self.i2v_model:
            return True
        main.sibling = main.sibling or adapter.sibling(main.pipe)
        return main.sibling is not None

    def _reference_frame(self, request: RenderRequest, adapter: ModuleType, notes: list[str]) -> np.ndarray | None:
        """The first character's reference image as the first frame, or None (text only) where there is no input."""
        first, *others = request.reference_images
        if not self._takes_image(adapter):
            names = ", ".join(ref.name for ref in request.reference_images)
            notes.append(
                f"{self.family.title} has no image input here (set DAILIES_I2V_MODEL for its image-to-video "
                f"model): {names} drawn from the words only"
            )
            return None
        notes.append(f"{first.name}'s reference image is the first frame (image-to-video conditioning)")
        if others:
            notes.append(f"one image input: {', '.join(ref.name for ref in others)} drawn from the words only")
        return reference_frame(first.path, request.width, request.height)[None]

    def _call(
        self, pipe: Any, loaded: Loaded, kwargs: dict, seed: int, progress: ProgressCallback | None,
        cancel: CancelToken | None,
    ) -> np.ndarray:  # fmt: skip
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
                raise _Stop  # leave now: diffusers' own interrupt flag still runs the VAE decode
            return {}

        if cancel is not None and cancel.cancelled:
            raise RenderCancelled("cancelled before it started")
        generator = torch.Generator(device="cpu").manual_seed(seed)  # CPU noise: same take on any device
        finished = False
        try:
            with torch.inference_mode(), loaded.call_context():
                output = pipe(**kwargs, generator=generator, output_type="np", callback_on_step_end=on_step_end)
            finished = True
        except _Stop:
            output = None
        finally:
            if not finished:  # diffusers resets cache hooks only at the end of a finished call
                reset_cache_state(pipe)
        if output is None:
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
        check_request(request, self.family)
        started = time.perf_counter()
        self.load()
        assert self._main is not None
        adapter = ADAPTERS[type(self._main.pipe).__name__]
        notes = list(self._main.notes)
        condition = self._condition_frames(request, adapter, notes)
        continuing = condition is not None
        guide = self._guide_frames(request, adapter, continuing, notes, cancel)
        if condition is None and request.reference_images:
            if guide is None:
                condition = self._reference_frame(request, adapter, notes)
            else:
                names = ", ".join(ref.name for ref in request.reference_images)
                notes.append(f"the camera guide conditions this render: {names} drawn from the words only")
        frames = self._render_retrying(request, adapter, condition, guide, progress, cancel, notes)
        if continuing and (skip := adapter.overlap(condition)) > 0:
            frames = frames[skip:]
            notes.append(f"dropped the first {skip} frame(s), which repeat the earlier take")
        if request.segment is not None and len(frames) > request.segment.frames:
            notes.append(f"kept {request.segment.frames} of {len(frames)} frames: the shot ends there")
            frames = frames[: request.segment.frames]
        return RenderResult(
            frames=frames,
            fps=request.fps,
            backend=self.name,
            model=self.model or self.family.name,
            seed=request.seed,
            render_s=round(time.perf_counter() - started, 3),
            notes=notes,
        )

    def _render_retrying(
        self,
        request: RenderRequest,
        adapter: ModuleType,
        condition: np.ndarray | None,
        guide: np.ndarray | None,
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
        notes: list[str],
    ) -> np.ndarray:
        """Render; after an out-of-memory, retry once a plan lower; a second one becomes an OutOfMemory value."""
        import torch

        size = f"{request.width}x{request.height}, {request.num_frames} frames"
        for attempt in (1, 2):
            loaded, pipe = self._pipeline_for(adapter, condition is not None, guide is not None)
            schedule = set_flow_shift(
                pipe, loaded.family, request.width, request.height, image_to_video=condition is not None
            )
            kwargs = adapter.call_kwargs(pipe, request, loaded.family, condition)
            if guide is not None:
                kwargs, guided = adapter.guide_kwargs(pipe, kwargs, request, guide)
                schedule.append(f"camera guide: {guided}")
            try:
                frames = self._call(pipe, loaded, kwargs, noise_seed(request), progress, cancel)
                if loaded is not self._main:  # the image-to-video checkpoint's own plan and set-up
                    notes.extend(f"image-to-video model: {note}" for note in loaded.notes)
                notes.extend(schedule)
                return frames
            except torch.OutOfMemoryError:
                failed = loaded.plan
            # Out of the handler: the failed forward's traceback, and the activations it held, are gone.
            _free_cuda(self.device)
            lower = lower_plan(failed)
            if attempt == 2:
                raise OutOfMemory(
                    f"out of GPU memory at {size}, also after retrying with {failed}; "
                    "try fewer frames or a smaller size"
                )
            if lower is None:
                raise OutOfMemory(f"out of GPU memory at {size} even with {failed}; try fewer frames or a smaller size")
            self._replan(loaded, lower, notes)
        raise AssertionError("unreachable")

    def _replan(self, loaded: Loaded, lower: MemoryPlan, notes: list[str]) -> None:
        notes.extend(self._apply_plan(loaded.pipe, lower))
        notes.append(f"out of memory with plan {loaded.plan}; retried once with {lower}")
        loaded.plan = lower
        loaded.sibling = loaded.guided = None  # rebuilt over the re-placed modules


def _free_cuda(device: str) -> None:
    if device.startswith("cuda"):
        import gc

        import torch

        gc.collect()
        torch.cuda.empty_cache()
