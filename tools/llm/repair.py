"""Reading a model's JSON answer: find it in the text, close it when cut off, fix or drop what does not validate."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tools.llm.schema import enum_values

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)(?:```|$)", re.DOTALL)
MAX_SUMMARY = 300  # characters of validation errors sent back to the model on a retry
WORD_BACKTRACK = 40  # how far back from a length limit a cut may move to end on a word


class Unusable(ValueError):
    """No valid answer could be made of the text; the message is short enough to send back to the model."""


def read_answer(text: str, answer: type[T], schema: dict[str, Any], *, cut_off: bool = False) -> tuple[T, list[str]]:
    """The answer in `text`, validated, with notes on every repair; Unusable when there is none. An answer
    `cut_off` at max_tokens keeps its complete fields."""
    data, notes = extract_json(text, cut_off=cut_off)
    if not isinstance(data, dict):
        raise Unusable(f"expected one JSON object, got {type(data).__name__}")
    notes += _drop_unknown(data, answer)
    notes += _normalise_enums(data, schema)
    for _ in range(len(answer.model_fields) + 1):  # each pass repairs at least one field or stops
        try:
            return answer.model_validate(data), notes
        except ValidationError as exc:
            repaired = _drop_invalid(data, answer, exc)
            if not repaired:
                raise Unusable(summarise(exc)) from None
            notes += repaired
    raise Unusable("the answer could not be repaired")


def extract_json(text: str, *, cut_off: bool = False) -> tuple[Any, list[str]]:
    """The first JSON value in `text` (inside a code fence or not); when `cut_off`, a value cut mid-way is closed."""
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    start = min((i for i in (body.find("{"), body.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise Unusable("the answer holds no JSON object")
    try:
        value, _ = json.JSONDecoder().raw_decode(body, start)
        return value, []
    except json.JSONDecodeError as exc:
        if not cut_off:
            raise Unusable(f"the answer is not valid JSON ({exc.msg} at character {exc.pos - start})") from None
    closed = close_truncated(body[start:])
    if closed is None:
        raise Unusable("the answer was cut off before its first complete field")
    try:
        return json.loads(closed), ["the answer was cut off at its token limit; kept its complete fields"]
    except json.JSONDecodeError:
        raise Unusable("the answer is not valid JSON") from None


def close_truncated(text: str) -> str | None:
    """`text` (JSON cut off mid-way) cut back to its last complete member and closed; None when nothing is complete."""
    stack: list[str] = []
    in_string = escaped = False
    safe: tuple[int, list[str]] | None = None  # (cut position, open containers there)
    for i, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]":
            if not stack:
                return None
            stack.pop()
            if not stack:
                return text[: i + 1]
            safe = (i + 1, list(stack))
        elif char == ",":
            safe = (i, list(stack))
    if safe is None:
        return None
    cut, open_containers = safe
    return text[:cut].rstrip().rstrip(",") + "".join(reversed(open_containers))


def summarise(exc: ValidationError) -> str:
    """Validation errors in one short line: 'field: reason; ...'."""
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in exc.errors(include_url=False)]
    text = "; ".join(parts)
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 3] + "..."


def _drop_unknown(data: dict[str, Any], answer: type[BaseModel]) -> list[str]:
    unknown = [key for key in data if key not in answer.model_fields]
    for key in unknown:
        del data[key]
    return [f"ignored the model's unknown fields: {', '.join(map(str, unknown))}"] if unknown else []


def _normalise_enums(data: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """'Pan Left' -> 'pan_left', 'GOLDEN HOUR' -> 'golden_hour': the same word in the schema's spelling."""
    for name, allowed in enum_values(schema).items():
        value = data.get(name)
        if isinstance(value, str) and value not in allowed:
            spelled = re.sub(r"[\s-]+", "_", value.strip().lower())
            if spelled in allowed:
                data[name] = spelled
    return []


def clip_words(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, on a word boundary when one is near the end."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", max(0, limit - WORD_BACKTRACK))
    if space > 0 and not text[limit].isspace():
        cut = cut[:space]
    return cut.rstrip(" ,;:")


def _clip_too_long(data: Any, error: dict[str, Any]) -> str | None:
    """Clip the over-long string an error points at (an essay is still an answer); the note, or None."""
    *path, last = error["loc"]
    holder = data
    for step in path:
        holder = holder[step] if isinstance(holder, dict | list) else None
    limit = (error.get("ctx") or {}).get("max_length")
    if not isinstance(holder, dict | list) or not isinstance(limit, int) or not isinstance(holder[last], str):
        return None
    value = holder[last]
    holder[last] = clip_words(value, limit)
    what = ".".join(str(p) for p in error["loc"])
    return f"the {what} was {len(value)} characters; kept the first {len(holder[last])} (the limit is {limit})"


def _drop_invalid(data: dict[str, Any], answer: type[BaseModel], exc: ValidationError) -> list[str]:
    """Clip an over-long string; set each other invalid optional field back to its default, or drop the invalid
    item of a list. The notes say which."""
    notes: list[str] = []
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        if not loc or loc[0] not in data:
            continue
        if error["type"] == "string_too_long" and (note := _clip_too_long(data, error)):
            notes.append(note)
            continue
        name = str(loc[0])
        field = answer.model_fields.get(name)
        if field is None or field.is_required():
            continue
        if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data[name], list) and loc[1] < len(data[name]):
            data[name][loc[1]] = _DROPPED
            notes.append(f"dropped an invalid item of the model's {name} ({error['msg']})")
            continue
        data.pop(name)
        notes.append(f"dropped the model's invalid {name} ({error['msg']})")
    for name, value in data.items():
        if isinstance(value, list) and _DROPPED in value:
            data[name] = [item for item in value if item is not _DROPPED]
    return notes


class _Dropped:
    """Marks a list item to remove once every error of one pass is read (indices stay valid meanwhile)."""


_DROPPED = _Dropped()
