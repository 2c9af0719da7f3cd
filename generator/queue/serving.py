"""What a render worker serves (backend, family, model) and which jobs it may take."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from generator.families import find_family
from generator.request import RenderRequest


class Serves(BaseModel):
    """A worker's offer: its backend, the family it renders, and its model as given to `dailies worker`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: str
    family: str | None = None
    model: str | None = None

    def accepts(self, request: RenderRequest) -> bool:
        """A previz job to a previz worker; a diffusers job to the same model (or family, when it names none)."""
        wanted = request_backend(request)
        if wanted == "previz":
            return self.backend == "previz"
        if wanted is not None and self.backend != wanted:
            return False
        if request.model is not None:
            return self.model == request.model
        return self.family is not None and self.family == request.family

    def describe(self) -> str:
        if self.backend == "previz":
            return "previz"
        if self.model is None or self.model == self.family:
            return f"{self.backend} {self.family or self.model or 'default'}"
        return f"{self.backend} {self.model} (family {self.family or 'unknown'})"


def request_backend(request: RenderRequest) -> str | None:
    """The backend a request's family implies (None for a family this process does not know)."""
    family = find_family(request.family)
    return family.backend if family is not None else None


def describe_request(request: RenderRequest) -> str:
    backend = request_backend(request) or "an unknown backend"
    if backend == "previz":
        return "previz"
    if request.model is not None:
        return f"{backend} model {request.model!r} (family {request.family})"
    return f"{backend} family {request.family!r}"


def unavailable_message(request: RenderRequest, offers: Iterable[Serves]) -> str:
    """One line for a creator: what the job asked for and what the render workers serve."""
    served = sorted({offer.describe() for offer in offers})
    there = f"the render workers serve: {', '.join(served)}" if served else "no render workers are running"
    return f"no render worker serves {describe_request(request)}; {there}"
