"""The LLM reviser: a failed take's request and its critique -> a rewritten prompt, from any OpenAI-compatible
model. The rule strategies (`agent.revise`) stay the offline default and the fallback when the model fails.

Guards, not taste: the rewrite must change the prompt, keep the camera instruction the shot asked for, fit the
request's limits and touch the negative prompt only on a model that takes one. The new request is then made
unique against every request already submitted in the thread, as the rule strategies' are.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.director.factory import DirectorConfig
from agent.revise import Reviser, RevisionPlan, RuleReviser, failure_reason, make_unique, revise
from generator.families import ModelFamily
from generator.request import MAX_PROMPT_CHARS, RenderRequest
from generator.vocabulary import CAMERA_PHRASES
from prompts import load_prompt
from tools.critique import Critique
from tools.llm.structured import LLMFailure, StructuredChat, endpoint_client

STRATEGY = "llm_rewrite"
MAX_REASON = 300
# The longest prompt the model is asked to rewrite (and may answer): grammar servers build one rule per character
# of a bound, and llama-cpp-python cannot build one for the request's own 4000 (see agent/director/patch.py).
MAX_REWRITE = 1000
# Tokens for the rewrite beyond the answer's keys: the old prompt's length (about 3 characters a token) plus room.
REWRITE_SLACK_TOKENS = 160


class PromptRewrite(BaseModel):
    """The reviser's answer (sent as a strict JSON schema with the request's limits)."""

    model_config = ConfigDict(extra="forbid")

    prompt: Annotated[str, Field(min_length=1, max_length=MAX_REWRITE)] = Field(description="The whole new prompt.")
    negative_prompt: Annotated[str, Field(min_length=1, max_length=MAX_REWRITE)] | None = Field(
        None, description="The whole new negative prompt, or null to keep the old one."
    )
    reason: Annotated[str, Field(max_length=MAX_REASON)] = Field(description="What changed and why, in one sentence.")


class LLMReviser:
    """Asks an OpenAI-compatible model to rewrite the prompt; the rule strategies answer when it cannot."""

    name = "llm"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        client: openai.AsyncOpenAI | None = None,
    ) -> None:
        self._owns_client = client is None
        self.client = client or endpoint_client(base_url, api_key, timeout_s)
        self.chat = StructuredChat(self.client, model, timeout_s=timeout_s)

    async def aclose(self) -> None:
        """Close the HTTP client this made (one handed in belongs to whoever made it)."""
        if self._owns_client:
            await self.client.close()

    async def revise(
        self,
        previous: RenderRequest,
        critique: Critique,
        *,
        attempt: int,
        seen: Collection[str],
        family: ModelFamily,
        camera_movement: str | None = None,
    ) -> RevisionPlan:
        reason = failure_reason(critique)
        try:
            if max(len(previous.prompt), len(previous.negative_prompt or "")) > MAX_REWRITE:
                raise _NoRewrite(f"the prompt is longer than the {MAX_REWRITE} characters the model rewrites")
            rewrite = await self._ask(previous, critique, reason)
            request, changes = _apply(previous, rewrite, family, camera_movement)
        except (LLMFailure, ValidationError, _NoRewrite) as exc:
            plan = revise(previous, critique, attempt=attempt, seen=seen, family=family)
            why = exc if not isinstance(exc, ValidationError) else f"{exc.error_count()} invalid fields"
            plan.changes.insert(0, f"the LLM reviser failed ({why}); used the {plan.strategy} strategy")
            return plan
        if previous.faults:
            changes.append(f"fault injection off ({', '.join(previous.faults)} applies to the first attempt only)")
        request, extra = make_unique(request.model_copy(update={"faults": ()}), seen, attempt)
        return RevisionPlan(request=request, strategy=STRATEGY, reason=reason, changes=[*changes, *extra])

    async def _ask(self, previous: RenderRequest, critique: Critique, reason: str) -> PromptRewrite:
        suggestions = "\n".join(f"- {s}" for s in critique.suggestions) or "(none)"
        system = load_prompt(
            "reviser",
            prompt=previous.prompt,
            negative=previous.negative_prompt or "(none)",
            reason=reason,
            suggestions=suggestions,
        )
        messages = [{"role": "system", "content": system}, {"role": "user", "content": "Rewrite the prompt."}]
        budget = (len(previous.prompt) + len(previous.negative_prompt or "")) // 3 + REWRITE_SLACK_TOKENS
        answer = await self.chat.ask(messages, PromptRewrite, content_tokens=budget)
        return answer.value


class _NoRewrite(ValueError):
    """No usable rewrite: the prompt is too long to ask for one, or the rewrite is the old prompt."""


def _apply(
    previous: RenderRequest, rewrite: PromptRewrite, family: ModelFamily, camera_movement: str | None
) -> tuple[RenderRequest, list[str]]:
    """The request with the model's prompt (and negative prompt, where the family takes one), guarded."""
    prompt = " ".join(rewrite.prompt.split())
    if prompt == " ".join(previous.prompt.split()):
        raise _NoRewrite("the rewrite is the old prompt")
    changes = [f"prompt rewritten by the model: {rewrite.reason.strip() or 'no reason given'}"]
    wanted = CAMERA_PHRASES.get(camera_movement or "")
    if wanted and wanted in previous.prompt and wanted.lower() not in prompt.lower():
        prompt = f"{wanted}, {prompt}"[:MAX_PROMPT_CHARS]
        changes.append(f"kept the camera instruction '{wanted}' the model's rewrite left out")
    update: dict[str, object] = {"prompt": prompt}
    if (
        rewrite.negative_prompt
        and family.supports_negative_prompt
        and rewrite.negative_prompt != previous.negative_prompt
    ):
        update["negative_prompt"] = rewrite.negative_prompt
        changes.append("negative prompt rewritten by the model")
    return RenderRequest.model_validate(previous.model_dump() | update), changes


def make_reviser(config: DirectorConfig) -> Reviser:
    """The LLM reviser when the director is the LLM one (same endpoint), else the rule strategies."""
    if config.kind == "llm" and config.base_url and config.model:
        return LLMReviser(
            base_url=config.base_url, model=config.model, api_key=config.api_key, timeout_s=config.timeout_s
        )
    return RuleReviser()
