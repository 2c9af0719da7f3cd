"""The LLM director: any OpenAI-compatible endpoint, structured output, explicit words win, offline fallback."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import openai
from pydantic import ValidationError

from agent.director.base import DirectorReply, TokenUsage, Turn
from agent.director.grammar.characters import apply_canon, read_characters
from agent.director.grammar.reading import read_message
from agent.director.intake import clean_message
from agent.director.offline import OfflineDirector, apply_reading
from agent.director.patch import SpecPatch, apply_patch
from agent.markup import strip_markup
from agent.spec import ShotSpec, Storyboard
from prompts import load_prompt

MAX_HISTORY_TURNS = 12


class LLMFailure(Exception):
    """The model gave no usable patch (refusal, timeout, HTTP error, invalid output twice)."""


def _history_text(history: Sequence[Turn]) -> str:
    turns = list(history)[-MAX_HISTORY_TURNS:]
    # Turns saved before markup was cleaned at the door may still hold some: the model never sees it.
    return "\n".join(f"{strip_markup(t.author)}: {strip_markup(t.text)}" for t in turns) or "(none yet)"


def _characters_text(base: ShotSpec | None, storyboard: Storyboard | None) -> str:
    known = {
        c.name.casefold(): c
        for c in [*(storyboard.characters if storyboard else []), *(base.characters if base else [])]
    }
    if not known:
        return "(none yet)"
    return "; ".join(f"{c.name}: {c.description}" for c in known.values())


def _add_usage(usage: TokenUsage, body: dict[str, Any]) -> None:
    usage.calls += 1
    counted = body.get("usage") or {}
    usage.prompt_tokens += int(counted.get("prompt_tokens") or 0)
    usage.completion_tokens += int(counted.get("completion_tokens") or 0)


class LLMDirector:
    """Asks an OpenAI-compatible model for a patch; the deterministic reading of explicit words wins over it."""

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
        self.model = model
        self.timeout_s = timeout_s
        self.client = client or openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=0
        )
        self.offline = OfflineDirector()

    async def direct(
        self,
        message: str,
        *,
        author: str,
        base: ShotSpec | None = None,
        history: Sequence[Turn] = (),
        storyboard: Storyboard | None = None,
    ) -> DirectorReply:
        message = clean_message(message)
        usage = TokenUsage()
        try:
            patch = await self._ask(message, author, base, history, storyboard, usage)
        except LLMFailure as failure:
            why = f"the LLM director failed ({failure}); used the offline director instead"
            return await self._offline_reply(why, message, author, base, history, storyboard, usage)
        try:
            spec, notes = apply_patch(base, patch)
        except ValidationError as exc:  # a patch that passed the schema but not the spec's own rules
            why = f"the LLM's patch was not a valid shot ({exc.error_count()} errors); used the offline director"
            return await self._offline_reply(why, message, author, base, history, storyboard, usage)
        spec, explicit_notes = self._explicit_words_win(message, base, spec)
        spec = apply_canon(spec, storyboard)
        characters = read_characters(message, base, storyboard)
        for character in characters.characters:  # a name the message mentions keeps its canonical description
            if all(c.name.casefold() != character.name.casefold() for c in spec.characters):
                spec = spec.model_copy(update={"characters": [*spec.characters, character]})
        question = patch.question
        if question and (spec.subject or spec.setting or spec.characters) and base is not None:
            question = None  # a refinement of a shot that already has content needs no question
        return DirectorReply.diffed(
            base,
            spec,
            author,
            question=question,
            notes=[*notes, *explicit_notes, *characters.notes],
            usage=usage,
            director=self.name,
        )

    async def _offline_reply(
        self,
        why: str,
        message: str,
        author: str,
        base: ShotSpec | None,
        history: Sequence[Turn],
        storyboard: Storyboard | None,
        usage: TokenUsage,
    ) -> DirectorReply:
        """The offline director's reading, noting first why the LLM's was not used (tokens spent still count)."""
        reply = await self.offline.direct(message, author=author, base=base, history=history, storyboard=storyboard)
        reply.notes.insert(0, why)
        reply.usage = usage
        return reply

    def _explicit_words_win(self, message: str, base: ShotSpec | None, spec: ShotSpec) -> tuple[ShotSpec, list[str]]:
        """Where the message names a move, speed, aspect, duration or fps outright, that reading replaces the LLM's."""
        reading = read_message(message, base_move=base.camera_movement if base else None)
        offline_spec, _ = apply_reading(base, reading)
        explicit_fields = set(reading.explicit)
        if reading.relative_duration is not None:
            explicit_fields.add("duration_s")
        notes = []
        update: dict[str, Any] = {}
        for name in sorted(explicit_fields):
            ours = getattr(offline_spec, name)
            if getattr(spec, name) != ours:
                notes.append(
                    f"kept the explicit {name} {ours!r} from your words over the model's {getattr(spec, name)!r}"
                )
                update[name] = ours
        return (spec.model_copy(update=update) if update else spec), notes

    async def _ask(
        self,
        message: str,
        author: str,
        base: ShotSpec | None,
        history: Sequence[Turn],
        storyboard: Storyboard | None,
        usage: TokenUsage,
    ) -> SpecPatch:
        system = load_prompt(
            "director",
            spec=json.dumps((base or ShotSpec()).model_dump(mode="json"), indent=1),
            history=_history_text(history),
            characters=_characters_text(base, storyboard),
        )
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": f"{strip_markup(author)}: {message}"},
        ]
        for attempt in (1, 2):
            try:
                raw = await self.client.chat.completions.with_raw_response.parse(
                    model=self.model, messages=messages, response_format=SpecPatch, timeout=self.timeout_s
                )
            except openai.APITimeoutError:
                raise LLMFailure(f"no answer within {self.timeout_s:g} s") from None
            except openai.APIStatusError as exc:
                raise LLMFailure(f"HTTP {exc.status_code}") from None
            except openai.APIConnectionError:
                raise LLMFailure("cannot reach the LLM endpoint") from None
            body = raw.http_response.json()
            _add_usage(usage, body)
            try:
                completion = raw.parse()
            except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
                raise LLMFailure(type(exc).__name__) from None
            except ValidationError as exc:
                if attempt == 2:
                    raise LLMFailure("invalid output twice") from None
                content = (body.get("choices") or [{}])[0].get("message", {}).get("content") or ""
                messages.append({"role": "assistant", "content": content})
                messages.append(
                    {
                        "role": "user",
                        "content": f"That reply did not match the schema: {exc.errors(include_url=False)}. "
                        "Answer again with only the JSON patch.",
                    }
                )
                continue
            choice = completion.choices[0].message
            if choice.refusal:
                raise LLMFailure(f"refused: {choice.refusal}")
            if choice.parsed is None:
                raise LLMFailure("empty reply")
            return choice.parsed
        raise LLMFailure("invalid output twice")
