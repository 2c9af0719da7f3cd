"""Ask an OpenAI-compatible server for a JSON answer of a given shape, whatever structured output it speaks.

The ladder, from most to least enforced:
1. `json_schema` (strict) with the answer's own schema, where a field with a default may be left out: llama.cpp's
   llama-server, vLLM, LM Studio and Ollama build a grammar from it, so a model writes only the fields it sets.
2. `json_schema` (strict) with every property required and nullable, for OpenAI's strict mode, which refuses a
   schema that leaves a property out of `required`; then the same without length and range limits, when strict
   mode rejects those.
3. `json_object` with the schema beside it: llama-cpp-python's server turns that schema into a grammar.
4. plain: no response_format; the schema is outlined in the prompt, the answer is found, validated and repaired.
A rung the server rejects (HTTP 4xx, or a 5xx that names response_format) is skipped from then on: the rung
that answered is remembered per endpoint (base URL and model) for the life of the process. Every call has a
max_tokens sized from the schema and a low temperature, so a small model cannot run on until its context is
full. Failures are `LLMFailure` with one line that keeps the server's own reason.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import openai
from pydantic import BaseModel

from tools.llm.repair import Unusable, read_answer
from tools.llm.schema import LIMIT_KEYWORDS, lenient_schema, max_tokens_for, outline, strict_schema, without_limits

T = TypeVar("T", bound=BaseModel)

RUNGS = ("json_schema", "json_schema_all_required", "json_schema_no_limits", "json_object", "plain")
DEFAULT_TEMPERATURE = 0.2
MAX_REASON = 240  # characters of a server's error text kept in a note
# A 5xx is the server's fault, not the request's, unless its text is about the structured-output request.
_ABOUT_FORMAT = re.compile(r"response_format|json_schema|json_object|schema|grammar|'text'", re.IGNORECASE)
_ABOUT_LIMITS = re.compile("|".join(LIMIT_KEYWORDS))
# OpenAI's strict mode: "'required' is required to be supplied and to be an array including every key in properties".
_ABOUT_REQUIRED = re.compile(r"required|additionalProperties", re.IGNORECASE)
# The line that starts the part of a system prompt that changes from request to request (prompts/*.md).
REQUEST_HEADING = "## This request"
_PYDANTIC_MSG = re.compile(r"""'msg': (?P<q>["'])(?P<msg>.+?)(?P=q)(?:,|\})""")

# What each endpoint answered to: (base URL, model) -> rung.
_REMEMBERED: dict[tuple[str, str], str] = {}


class LLMFailure(Exception):
    """No usable answer (unreachable, timeout, HTTP error, refusal, invalid output twice); str() is one line.

    `calls`, `prompt_tokens` and `completion_tokens` count what was spent on the way (tokens still cost)."""

    calls = prompt_tokens = completion_tokens = 0


@dataclass
class Answer(Generic[T]):
    """A validated answer, how it was obtained, and what it cost."""

    value: T
    rung: str
    notes: list[str] = field(default_factory=list)
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class _Spent:
    deadline: float
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, body: dict[str, Any]) -> None:
        self.calls += 1
        usage = body.get("usage") or {}
        self.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self.completion_tokens += int(usage.get("completion_tokens") or 0)


class _Rejected(Exception):
    """The server refused this rung's response_format; the next rung may do."""


def endpoint_client(base_url: str | None, api_key: str | None, timeout_s: float) -> openai.AsyncOpenAI:
    """A client for one OpenAI-compatible endpoint: local servers need no key; the ladder does its own retrying."""
    return openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=0)


def forget_endpoints() -> None:
    """Forget what every endpoint answered to (tests start each from the top of the ladder)."""
    _REMEMBERED.clear()


def server_reason(exc: openai.APIStatusError) -> str:
    """The server's own error text, in one short line."""
    body = exc.body
    message: Any = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("detail") or body.get("error")
        if isinstance(message, dict):
            message = message.get("message")
    if not message:
        message = exc.response.text if exc.response is not None else str(exc)
    text = " ".join(str(message).split())
    if quoted := _PYDANTIC_MSG.search(text):  # FastAPI servers paste a whole validation error: keep its message
        text = quoted.group("msg")
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."


class StructuredChat:
    """One model on one OpenAI-compatible endpoint, asked for answers that validate against pydantic models.

    `timeout_s` bounds a whole answer, every call of it together (the retry, a rung the server refused).
    """

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        model: str,
        *,
        timeout_s: float = 30.0,
        temperature: float = DEFAULT_TEMPERATURE,
    ) -> None:
        self.client = client
        self.model = model
        self.timeout_s = timeout_s
        self.temperature = temperature

    @property
    def endpoint(self) -> tuple[str, str]:
        return (str(self.client.base_url), self.model)

    @property
    def rung(self) -> str:
        """The rung this endpoint answered to last (the top one before it was asked)."""
        return _REMEMBERED.get(self.endpoint, RUNGS[0])

    async def ask(self, messages: list[dict[str, Any]], answer: type[T], *, content_tokens: int = 256) -> Answer[T]:
        """The model's answer to `messages` as an `answer`; LLMFailure when there is none."""
        spent = _Spent(deadline=time.monotonic() + self.timeout_s)
        rungs = RUNGS[RUNGS.index(self.rung) :]
        try:
            for index, rung in enumerate(rungs):
                if index > 0 and not _worth_trying(rung, spent):
                    continue
                try:
                    value, notes = await self._ask_on(rung, messages, answer, content_tokens, spent)
                except _Rejected as rejected:
                    spent.notes.append(f"{rung} refused: {rejected}")
                    continue
                _REMEMBERED[self.endpoint] = rung
                return Answer(
                    value, rung, [*spent.notes, *notes], spent.calls, spent.prompt_tokens, spent.completion_tokens
                )
            raise LLMFailure(f"the server takes no structured output ({'; '.join(spent.notes)})")
        except LLMFailure as failure:
            failure.calls, failure.prompt_tokens = spent.calls, spent.prompt_tokens
            failure.completion_tokens = spent.completion_tokens
            raise

    async def _ask_on(
        self,
        rung: str,
        messages: list[dict[str, Any]],
        answer: type[T],
        content_tokens: int,
        spent: _Spent,
    ) -> tuple[T, list[str]]:
        """Up to two calls on one rung: the second says briefly what was wrong with the first answer."""
        all_required = rung in ("json_schema_all_required", "json_schema_no_limits")
        schema = strict_schema(answer) if all_required else lenient_schema(answer)
        max_tokens = max_tokens_for(schema, content_tokens)
        sent = _with_schema_in_prompt(messages, schema) if rung in ("json_object", "plain") else list(messages)
        problem = ""
        for attempt in (1, 2):
            if attempt == 2:
                sent = [*sent, _correction(problem)]
            text, cut_off = await self._complete(rung, sent, answer, schema, max_tokens, spent)
            try:
                return read_answer(text, answer, schema, cut_off=cut_off)
            except Unusable as exc:
                problem = str(exc)
        raise LLMFailure(f"invalid output twice ({problem})")

    async def _complete(
        self,
        rung: str,
        messages: list[dict[str, Any]],
        answer: type[BaseModel],
        schema: dict[str, Any],
        max_tokens: int,
        spent: _Spent,
    ) -> tuple[str, bool]:
        """One call: the assistant's text, and whether max_tokens cut it off. Raises _Rejected or LLMFailure."""
        extra: dict[str, Any] = {}
        if rung.startswith("json_schema"):
            sent_schema = without_limits(schema) if rung == "json_schema_no_limits" else schema
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": answer.__name__, "strict": True, "schema": sent_schema},
            }
        elif rung == "json_object":
            extra["response_format"] = {"type": "json_object", "schema": schema}
        left = spent.deadline - time.monotonic()
        if left <= 0:
            raise LLMFailure(f"no answer within {self.timeout_s:g} s")
        try:
            raw = await self.client.chat.completions.with_raw_response.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=self.temperature,
                timeout=left,
                **extra,
            )
        except openai.APITimeoutError:
            raise LLMFailure(f"no answer within {self.timeout_s:g} s") from None
        except openai.APIConnectionError:
            raise LLMFailure(f"cannot reach the LLM endpoint at {self.client.base_url}") from None
        except openai.APIStatusError as exc:
            reason = server_reason(exc)
            if rung != "plain" and _rejects_format(exc.status_code, reason):
                raise _Rejected(f"HTTP {exc.status_code}: {reason}") from None
            raise LLMFailure(f"HTTP {exc.status_code}: {reason}") from None
        body = raw.http_response.json()
        spent.add(body)
        choice = (body.get("choices") or [{}])[0]
        message = choice.get("message") or {}
        if message.get("refusal"):
            raise LLMFailure(f"refused: {message['refusal']}")
        if choice.get("finish_reason") == "content_filter":
            raise LLMFailure("the server's content filter stopped the answer")
        return message.get("content") or "", choice.get("finish_reason") == "length"


def _rejects_format(status: int, reason: str) -> bool:
    """Whether an HTTP error says the server does not take this kind of structured-output request."""
    if status in (400, 404, 415, 422, 501):
        return True
    return status >= 500 and bool(_ABOUT_FORMAT.search(reason))


def _worth_trying(rung: str, spent: _Spent) -> bool:
    """Whether a strict-mode variant is worth a call after the rung above was refused: every property required when
    strict mode asked for that, no limits when it refused the limits. The other rungs are always worth one."""
    last = spent.notes[-1] if spent.notes else ""
    if rung == "json_schema_all_required":
        return last.startswith("json_schema refused") and bool(_ABOUT_REQUIRED.search(last))
    if rung == "json_schema_no_limits":
        return last.startswith("json_schema") and bool(_ABOUT_LIMITS.search(last))
    return True


def _with_schema_in_prompt(messages: list[dict[str, Any]], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages with the schema in the system message (servers without a schema mode read it): before its
    REQUEST_HEADING when it has one, so that the unchanging part of the prompt comes first and a server's prompt
    cache (llama.cpp reuses the longest common prefix) skips it on the next request; else at its end."""
    rule = f"Answer with only one JSON object of this shape (a key with ? may be left out):\n{outline(schema)}"
    if messages and messages[0].get("role") == "system" and isinstance(messages[0].get("content"), str):
        static, heading, request = messages[0]["content"].partition(REQUEST_HEADING)
        content = f"{static.rstrip()}\n\n{rule}\n\n{heading}{request}" if heading else f"{static}\n\n{rule}"
        return [{**messages[0], "content": content}, *messages[1:]]
    return [{"role": "system", "content": rule}, *messages]


def _correction(problem: str) -> dict[str, str]:
    """The retry's extra message: what was wrong, briefly (not the whole invalid answer again)."""
    return {
        "role": "user",
        "content": f"Your last answer was not usable: {problem}. Answer again with only the JSON object.",
    }
