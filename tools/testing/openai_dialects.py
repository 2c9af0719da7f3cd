"""What real OpenAI-compatible servers accept, for the scripted server: each dialect rejects what its server rejects.

- `openai`: json_schema, json_object (when a message says "JSON"), text; max_tokens >= 1; temperature 0-2. A strict
  json_schema must list every property of every object in `required` and set `additionalProperties: false`
  (HTTP 400 otherwise, in OpenAI's words).
- `llama-cpp-python` (its `llama_cpp.server`): `response_format.type` must be text or json_object (a "schema"
  beside it becomes a grammar); json_schema is answered with HTTP 500 and pydantic's complaint, as that server does.
- `llama-server` (llama.cpp's own): json_schema and json_object + schema; a generation that would pass the
  context (no max_tokens on a runaway answer) is HTTP 500 "the request exceeds the available context size".
- `lm-studio`: json_schema or text only; json_object is HTTP 400.
- `no-structured-output`: any response_format is HTTP 400 (an older proxy or a bare completion server).
Error bodies follow each server's shape; the exact texts were read off the real servers (docs/director.md).
"""

from __future__ import annotations

from typing import Any

DIALECTS = ("openai", "llama-cpp-python", "llama-server", "lm-studio", "no-structured-output")
CONTEXT_TOKENS = 4096  # the context a runaway answer fills when nothing bounds it

# As llama-cpp-python 0.3.36 says it (HTTP 500, type internal_server_error), traceback line and all.
LLAMA_CPP_PYTHON_JSON_SCHEMA = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
    "'ctx': {'expected': \"'text' or 'json_object'\"}}\n\n"
    '  File "/site-packages/llama_cpp/server/app.py", line 376, in create_chat_completion\n'
    "    POST /v1/chat/completions"
)
LLAMA_SERVER_CONTEXT = "the request exceeds the available context size, try increasing it"


def rejection(dialect: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """The HTTP status and error body this dialect answers `request` with, or None when it takes it."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; known: {', '.join(DIALECTS)}")
    common = _common(request)
    if common is not None:
        return common
    kind = (request.get("response_format") or {}).get("type")
    if kind is None or kind == "text":
        return None
    if dialect == "llama-cpp-python" and kind not in ("json_object",):
        error = {"message": LLAMA_CPP_PYTHON_JSON_SCHEMA, "type": "internal_server_error", "param": None, "code": None}
        return 500, {"error": error}
    if dialect == "lm-studio" and kind != "json_schema":
        return 400, {"error": "'response_format.type' must be 'json_schema' or 'text'"}
    if dialect == "no-structured-output":
        return 400, {"error": {"message": "response_format is not supported", "type": "invalid_request_error"}}
    if dialect == "openai" and kind == "json_object" and "json" not in str(request.get("messages")).lower():
        message = (
            "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."
        )
        return 400, {"error": {"message": message, "type": "invalid_request_error"}}
    if kind == "json_schema" and not isinstance(
        (request["response_format"].get("json_schema") or {}).get("schema"), dict
    ):
        return 400, {
            "error": {"message": "response_format.json_schema.schema is required", "type": "invalid_request_error"}
        }
    if dialect == "openai" and kind == "json_schema" and (problem := _not_strict(request["response_format"])):
        return 400, {"error": {"message": problem, "type": "invalid_request_error", "param": "response_format"}}
    return None


def _not_strict(response_format: dict[str, Any]) -> str | None:
    """OpenAI's complaint about a strict json_schema whose objects leave a property out of `required` or allow
    extra ones; None when the schema is fine (or not strict)."""
    spec = response_format.get("json_schema") or {}
    if not spec.get("strict"):
        return None
    prefix = f"Invalid schema for response_format '{spec.get('name', 'response')}': In context=()"
    stack: list[Any] = [spec["schema"]]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(node.values())
        if node.get("type") != "object" or not isinstance(node.get("properties"), dict):
            continue
        missing = [name for name in node["properties"] if name not in (node.get("required") or [])]
        if missing:
            return (
                f"{prefix}, 'required' is required to be supplied and to be an array including every key in "
                f"properties. Missing '{missing[0]}'."
            )
        if node.get("additionalProperties") is not False:
            return f"{prefix}, 'additionalProperties' is required to be supplied and to be false."
    return None


def _common(request: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """What every server refuses: a bad max_tokens or temperature, no messages."""
    if not request.get("messages"):
        return 400, {"error": {"message": "'messages' is required", "type": "invalid_request_error"}}
    max_tokens = request.get("max_tokens", request.get("max_completion_tokens"))
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        return 400, {
            "error": {"message": f"max_tokens must be at least 1, got {max_tokens}", "type": "invalid_request_error"}
        }
    temperature = request.get("temperature")
    if temperature is not None and not (isinstance(temperature, int | float) and 0 <= temperature <= 2):
        return 400, {
            "error": {"message": f"temperature must be 0-2, got {temperature}", "type": "invalid_request_error"}
        }
    return None


def runaway_answer(
    dialect: str, request: dict[str, Any], prefix: str, unit: str
) -> tuple[int, dict[str, Any] | None, str]:
    """A model that writes `prefix`, then never stops repeating `unit`: cut at the request's max_tokens (finish
    "length"); without one it fills the context, which llama-server answers with HTTP 500.
    Returns (status, error body or None, content)."""
    max_tokens = request.get("max_tokens", request.get("max_completion_tokens"))
    if max_tokens is None and dialect == "llama-server":
        return 500, {"error": {"code": 500, "message": LLAMA_SERVER_CONTEXT, "type": "server_error"}}, ""
    tokens = max_tokens or CONTEXT_TOKENS
    text = prefix + unit * (tokens * 4 // max(1, len(unit)) + 1)
    return 200, None, text[: tokens * 4]
