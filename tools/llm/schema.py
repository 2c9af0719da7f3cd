"""JSON schemas of pydantic answer models, in the shapes servers accept, and the token budget they need."""

from __future__ import annotations

import copy
import json
from typing import Any

from pydantic import BaseModel

# Keywords that bound a value. Grammar-based servers (llama.cpp) enforce them; OpenAI's strict mode rejects some.
LIMIT_KEYWORDS = ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "pattern")
# Rough characters per token of JSON keys and punctuation (a schema's skeleton), for the max_tokens budget.
CHARS_PER_TOKEN = 3
MIN_MAX_TOKENS = 64
MAX_MAX_TOKENS = 2048


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema as OpenAI's strict mode wants it: every property required, no extra ones, no
    defaults. A grammar built from it makes a model write every key (null where unchanged): the long answer."""
    schema = copy.deepcopy(model.model_json_schema())
    _walk(schema, _make_strict)
    return schema


def lenient_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's own JSON schema, no extra properties: a field with a default may be left out. A grammar built
    from it lets a model write only the fields it sets (far fewer tokens than every key with null)."""
    schema = copy.deepcopy(model.model_json_schema())
    _walk(schema, _make_lenient)
    return schema


def without_limits(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema without length, range and pattern limits (for servers whose strict mode rejects them)."""
    bare = copy.deepcopy(schema)
    _walk(bare, lambda node: [node.pop(key, None) for key in LIMIT_KEYWORDS])
    return bare


def compact(schema: dict[str, Any]) -> str:
    """The schema as one line of JSON without titles, to paste into a prompt."""
    short = copy.deepcopy(schema)
    _walk(short, lambda node: node.pop("title", None) if isinstance(node.get("title"), str) else None)
    return json.dumps(short, separators=(",", ":"))


def outline(schema: dict[str, Any]) -> str:
    """The schema in one short line a model reads (name: type, name?: may be left out, enums as a|b|c): a fifth of
    the tokens of the JSON schema, for the prompt of a server that enforces the schema with a grammar or not at all
    (the answer is validated against the schema itself either way)."""
    definitions = schema.get("$defs") or {}
    required = set(schema.get("required") or [])
    lines = []
    for name, prop in (schema.get("properties") or {}).items():
        optional = "" if name in required else "?"
        lines.append(f"{name}{optional}: {_type_words(prop, definitions)}")
    return "{" + "; ".join(lines) + "}"


def _type_words(prop: dict[str, Any], definitions: dict[str, Any]) -> str:
    if "$ref" in prop:
        return _type_words(definitions.get(prop["$ref"].rsplit("/", 1)[-1], {}), definitions)
    if "anyOf" in prop:  # "or null" is what the ? already says
        options = [o for o in prop["anyOf"] if o.get("type") != "null"] or prop["anyOf"]
        return " or ".join(_type_words(option, definitions) for option in options)
    if "enum" in prop:
        return "|".join(str(value) for value in prop["enum"])
    kind = prop.get("type", "any")
    if kind == "array":
        most = f" (at most {prop['maxItems']})" if "maxItems" in prop else ""
        return f"[{_type_words(prop.get('items') or {}, definitions)}]{most}"
    if kind == "object" and "properties" in prop:
        return outline(prop)
    if kind in ("integer", "number") and "minimum" in prop and "maximum" in prop:
        return f"{kind} {prop['minimum']}-{prop['maximum']}"
    return "text" if kind == "string" else kind


def skeleton(schema: dict[str, Any]) -> str:
    """The shortest answer the schema allows, roughly: every key with null, for sizing max_tokens."""
    properties = schema.get("properties") or {}
    return json.dumps({name: None for name in properties})


def max_tokens_for(schema: dict[str, Any], content_tokens: int) -> int:
    """A max_tokens that fits the keys the answer must write plus `content_tokens` of keys and values it chooses
    to write, and stops a runaway."""
    required = {name: None for name in schema.get("required") or []}
    structure = len(json.dumps(required)) // CHARS_PER_TOKEN + 1 if required else 0
    return max(MIN_MAX_TOKENS, min(MAX_MAX_TOKENS, structure + content_tokens))


def enum_values(schema: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Top-level properties that take one of a fixed set of strings, with those strings."""
    out: dict[str, tuple[str, ...]] = {}
    for name, prop in (schema.get("properties") or {}).items():
        for option in [prop, *prop.get("anyOf", [])]:
            if isinstance(option.get("enum"), list):
                out[name] = tuple(str(v) for v in option["enum"])
    return out


def _make_strict(node: dict[str, Any]) -> None:
    node.pop("default", None)
    if node.get("type") == "object" and isinstance(node.get("properties"), dict):
        node["required"] = list(node["properties"])
        node["additionalProperties"] = False


def _make_lenient(node: dict[str, Any]) -> None:
    if "anyOf" in node or "type" in node:
        node.pop("default", None)
    if node.get("type") == "object" and isinstance(node.get("properties"), dict):
        node["additionalProperties"] = False


def _walk(node: Any, visit: Any) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in list(node.values()):
            _walk(value, visit)
    elif isinstance(node, list):
        for item in node:
            _walk(item, visit)
