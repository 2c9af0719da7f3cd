"""The backend registry: names to generator factories; previz goes through the same path as the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dailies.generator.families import PREVIZ, ModelFamily, get_family

if TYPE_CHECKING:
    from dailies.generator.base import Generator
    from dailies.settings import Settings


def _make_previz(model: str | None, settings: Settings | None) -> Generator:
    from dailies.generator.previz import PrevizGenerator

    return PrevizGenerator()


def _previz_family(model: str | None) -> ModelFamily:
    return PREVIZ


def _make_diffusers(model: str | None, settings: Settings | None) -> Generator:
    from dailies.generator.diffusers.backend import DiffusersGenerator

    return DiffusersGenerator(
        model,
        i2v_model=settings.i2v_model if settings else None,
        speedups=tuple(settings.speedups) if settings else (),
    )


def _diffusers_family(model: str | None) -> ModelFamily:
    from dailies.generator.diffusers.loader import family_for_model  # reads JSON only: no torch

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


def make_generator(backend: str, *, model: str | None = None, settings: Settings | None = None) -> Generator:
    """A new generator instance; callers keep it warm and use it for one job at a time."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; known backends: {', '.join(sorted(BACKENDS))}")
    return BACKENDS[backend][0](model, settings)


__all__ = ["BACKENDS", "get_family", "make_generator", "resolve_family"]
