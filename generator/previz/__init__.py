"""The previz backend: a CPU procedural animatic (the embedded default generator)."""

from __future__ import annotations

from generator.previz.renderer import MODEL_NAME, PrevizGenerator

__all__ = ["MODEL_NAME", "PrevizGenerator"]
