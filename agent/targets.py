"""Render targets: which renderer and model family serve a thread's backend/model choice, or why none can."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from agent.state import ThreadOptions
from generator.backends import BACKENDS, resolve_family
from generator.errors import Failure
from generator.families import ModelFamily
from tools.renderer import Renderer

PREVIZ = "previz"


@dataclass(frozen=True)
class Target:
    """Where renders go: the renderer, and the model family (and model) requests are compiled for."""

    renderer: Renderer
    family: ModelFamily
    model: str | None = None


class RenderTargets:
    """The registry of what this studio renders with: its main target, renderers for other choices, and previz.

    `renderers` are ready renderers keyed "backend" (its default model) or "backend:model". Previz is always
    served: by the main target when it is previz, else by the renderer `make_previz` builds on first use.
    Targets are built once per choice and kept.
    """

    def __init__(
        self,
        main: Target,
        backend: str,
        *,
        renderers: Mapping[str, Renderer] | None = None,
        make_previz: Callable[[], Renderer],
    ) -> None:
        self.main = main
        self.backend = backend
        self._renderers = dict(renderers or {})
        self._make_previz = make_previz
        self._targets: dict[tuple[str, str | None], Target] = {}

    def served(self) -> list[str]:
        """What threads may pick: "backend" or "backend:model", the main one first."""
        main = self.backend + (f":{self.main.model}" if self.main.model else "")
        return list(dict.fromkeys([main, *self._renderers, PREVIZ]))

    def previz(self) -> Target | Failure:
        """The previz target (animatics and camera guides' previews), whatever the main one is."""
        return self.route(ThreadOptions(backend=PREVIZ))

    def route(self, options: ThreadOptions | None) -> Target | Failure:
        """The target of a thread's options: the main one unless they pick another backend or model."""
        if options is None or not options.picks_backend:
            return self.main
        backend = options.backend or self.backend
        model = options.model
        if backend == self.backend and model in (None, self.main.model):
            return self.main
        if backend == PREVIZ:
            model = None  # previz has one model
        key = (backend, model)
        if key not in self._targets:
            target = self._build(backend, model)
            if isinstance(target, Failure):
                return target
            self._targets[key] = target
        return self._targets[key]

    def _build(self, backend: str, model: str | None) -> Target | Failure:
        renderer = self._renderers.get(f"{backend}:{model}") if model else self._renderers.get(backend)
        if renderer is None and backend == PREVIZ:
            renderer = self._make_previz()
        if renderer is None or backend not in BACKENDS:
            wanted = backend + (f" ({model})" if model else "")
            message = f"{wanted} isn't served here; this studio renders with: {', '.join(self.served())}"
            return Failure(kind="model_unavailable", message=message)
        try:
            family = resolve_family(backend, model)
        except ValueError as exc:
            return Failure(kind="model_unavailable", message=str(exc))
        return Target(renderer, family, model)
