"""The generator interface: render a RenderRequest to frames, with progress and cancellation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from generator.request import RenderRequest


@dataclass(frozen=True)
class Progress:
    """One progress report from a backend, safe to send across threads."""

    step: int
    total: int
    elapsed_s: float
    eta_s: float | None = None
    stage: str = "denoise"


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """A thread-safe flag a front end sets and a backend polls between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass
class RenderResult:
    """Frames (T, H, W, 3) uint8 RGB, and how they were made."""

    frames: np.ndarray
    fps: int
    backend: str
    model: str
    seed: int
    render_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def height(self) -> int:
        return int(self.frames.shape[1])

    @property
    def width(self) -> int:
        return int(self.frames.shape[2])


@runtime_checkable
class Generator(Protocol):
    """A backend holding whatever it needs warm; one render at a time per instance."""

    name: str

    def render(
        self,
        request: RenderRequest,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> RenderResult: ...
