"""The backend registry: names to generator factories; previz goes through the same path as the rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.families import PREVIZ, ModelFamily, get_family

if TYPE_CHECKING:
    from generator.base import Generator


@dataclass(frozen=True)
class BackendOptions:
    """What an operator sets for a backend beside the model: the image-to-video sibling, speed-ups, attention."""

    i2v_model: str | None = None
    speedups: tuple[str, ...] = ()
    attention: str = "auto"  # diffusers attention backend, or "auto" for the fastest that runs here


def _make_previz(model: str | None, options: BackendOptions) -> Generator:
    from generator.previz import PrevizGenerator

    return PrevizGenerator()


def _previz_family(model: str | None) -> ModelFamily:
    return PREVIZ


def _make_diffusers(model: str | None, options: BackendOptions) -> Generator:
    from generator.diffusers.backend import DiffusersGenerator

    return DiffusersGenerator(
        model, i2v_model=options.i2v_model, speedups=options.speedups, attention=options.attention
    )


def _diffusers_family(model: str | None) -> ModelFamily:
    from generator.diffusers.loader import family_for_model  # reads JSON only: no torch

    return family_for_model(model)


# name -> (factory, family resolver). Imports stay lazy so the base install never touches torch.
BACKENDS: dict[str, tuple[Callable[..., Generator], Callable[[str | None], ModelFamily]]] = {
    "previz": (_make_previz, _previz_family),
    "diffusers": (_make_diffusers, _diffusers_family),
}


def resolve_family(backend: str, model: str | None) -> ModelFamily:
    """The model family a backend will render `model` with (ValueError if unknown)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; known backends: {', '.join(sorted(BACKENDS))}")
    return BACKENDS[backend][1](model)


def make_generator(backend: str, *, model: str | None = None, options: BackendOptions | None = None) -> Generator:
    """A new generator instance; callers keep it warm and use it for one job at a time."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; known backends: {', '.join(sorted(BACKENDS))}")
    return BACKENDS[backend][0](model, options or BackendOptions())


__all__ = ["BACKENDS", "BackendOptions", "get_family", "make_generator", "resolve_family"]
