"""Expected render failures: exceptions inside the generator, values at the front ends."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

FailureKind = Literal[
    "cancelled", "out_of_memory", "invalid_request", "model_unavailable", "queue_full", "over_quota", "internal"
]


class Failure(BaseModel):
    """An expected failure, shown to a creator as one friendly line."""

    kind: FailureKind
    message: str
    retryable: bool = False


class GeneratorError(Exception):
    """Base of the generator's expected failures; `kind` names which."""

    kind: FailureKind = "internal"
    retryable = False

    def to_failure(self) -> Failure:
        return Failure(kind=self.kind, message=str(self), retryable=self.retryable)


class RenderCancelled(GeneratorError):
    kind = "cancelled"


class OutOfMemory(GeneratorError):
    kind = "out_of_memory"
    retryable = True


class InvalidRequest(GeneratorError):
    kind = "invalid_request"


class ModelUnavailable(GeneratorError):
    kind = "model_unavailable"


class QueueFull(GeneratorError):
    kind = "queue_full"
    retryable = True


class OverQuota(GeneratorError):
    kind = "over_quota"
