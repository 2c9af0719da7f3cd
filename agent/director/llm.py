"""The LLM director: any OpenAI-compatible endpoint, structured output, the creator's words win, offline fallback."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import openai
from pydantic import ValidationError

from agent.director.base import DirectorReply, TokenUsage, Turn
from agent.director.grammar.characters import apply_canon
from agent.director.intake import clean_message
from agent.director.offline import QUESTION, OfflineRead, read_offline
from agent.director.patch import SpecPatch, apply_patch, patched_fields
from agent.director.words_win import check_words
from agent.markup import strip_markup
from agent.spec import ShotSpec, Storyboard
from prompts import load_prompt
from tools.llm.structured import Answer, LLMFailure, StructuredChat, endpoint_client

MAX_HISTORY_TURNS = 12
# Room for the values of a patch beyond its keys: a few short phrases, a character or two.
PATCH_CONTENT_TOKENS = 150


def history_text(history: Sequence[Turn]) -> str:
    """The recent turns, one labelled line each (the author beside the text, never inside it)."""
    turns = list(history)[-MAX_HISTORY_TURNS:]
    # Turns saved before markup was cleaned at the door may still hold some: the model never sees it.
    return "\n".join(f"- {strip_markup(t.author)}: {strip_markup(t.text)}" for t in turns) or "(none yet)"


def _characters_text(base: ShotSpec | None, storyboard: Storyboard | None) -> str:
    known = {
        c.name.casefold(): c
        for c in [*(storyboard.characters if storyboard else []), *(base.characters if base else [])]
    }
    if not known:
        return "(none yet)"
    return "; ".join(f"{c.name}: {c.description}" for c in known.values())


def _spec_text(base: ShotSpec | None) -> str:
    shown = (base or ShotSpec()).model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return json.dumps(shown) if shown else "{} (nothing yet)"


class LLMDirector:
    """Asks an OpenAI-compatible model for a patch; the creator's words, as the grammar reads them, win over it."""

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
        self._owns_client = client is None
        self.client = client or endpoint_client(base_url, api_key, timeout_s)
        self.chat = StructuredChat(self.client, model, timeout_s=timeout_s)

    async def aclose(self) -> None:
        """Close the HTTP client this made (one handed in belongs to whoever made it)."""
        if self._owns_client:
            await self.client.close()

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
        offline = read_offline(message, base, storyboard)
        try:
            answer = await self.chat.ask(
                self._messages(message, author, base, history, storyboard),
                SpecPatch,
                content_tokens=PATCH_CONTENT_TOKENS,
            )
        except LLMFailure as failure:
            why = f"the LLM director failed ({failure}); used the offline director instead"
            return _offline_reply(why, offline, base, author, _usage(failure))
        usage = _usage(answer)
        patch = answer.value
        try:
            model_spec, fit_notes = apply_patch(base, patch)
        except ValidationError as exc:  # a patch within its own limits that the spec still refuses
            why = f"the LLM's patch was not a valid shot ({exc.error_count()} errors); used the offline director"
            return _offline_reply(why, offline, base, author, usage)
        grounding = " ".join([message, *(t.text for t in history), base.model_dump_json() if base else ""])
        checked = check_words(
            model=model_spec,
            offline=offline.spec,
            reading=offline.reading,
            base=base,
            changed_by_model=patched_fields(patch),
            message=message,
            grounding=grounding,
        )
        spec = _with_mentioned_characters(apply_canon(checked.spec, storyboard), offline.spec)
        # A question only when there is still nothing to film (the model's, else the offline one); then the model's
        # guesses (a style, a mood for "make a video") are not the creator's shot: only what the words said stays.
        question = None if _has_content(spec) else (patch.question or QUESTION)
        if question is not None:
            spec, checked.suggested = offline.spec, set()
        return DirectorReply.diffed(
            base,
            spec,
            author,
            suggested=checked.suggested,
            question=question,
            notes=[*offline.character_notes, *answer.notes, *fit_notes, *checked.notes],
            usage=usage,
            director=self.name,
        )

    def _messages(
        self,
        message: str,
        author: str,
        base: ShotSpec | None,
        history: Sequence[Turn],
        storyboard: Storyboard | None,
    ) -> list[dict[str, Any]]:
        system = load_prompt(
            "director",
            author=strip_markup(author) or "a creator",
            spec=_spec_text(base),
            history=history_text(history),
            characters=_characters_text(base, storyboard),
        )
        return [{"role": "system", "content": system}, {"role": "user", "content": message}]


def _offline_reply(
    why: str, offline: OfflineRead, base: ShotSpec | None, author: str, usage: TokenUsage
) -> DirectorReply:
    """The offline director's reading, noting first why the LLM's was not used (tokens spent still count)."""
    notes = [why, *offline.notes]
    if offline.question is None and base is not None and offline.spec == base:
        notes.append("nothing in that message changed the shot")
    return DirectorReply.diffed(base, offline.spec, author, question=offline.question, notes=notes, usage=usage)


def _usage(spent: Answer[SpecPatch] | LLMFailure) -> TokenUsage:
    return TokenUsage(calls=spent.calls, prompt_tokens=spent.prompt_tokens, completion_tokens=spent.completion_tokens)


def _has_content(spec: ShotSpec) -> bool:
    return bool(spec.subject or spec.setting or spec.action or spec.characters)


def _with_mentioned_characters(spec: ShotSpec, offline: ShotSpec) -> ShotSpec:
    """A known character the message mentions joins the shot with its canonical description."""
    missing = [c for c in offline.characters if all(c.name.casefold() != s.name.casefold() for s in spec.characters)]
    return spec.model_copy(update={"characters": [*spec.characters, *missing]}) if missing else spec
