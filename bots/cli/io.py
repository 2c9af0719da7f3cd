"""Reading user files for the CLI, with one-line errors instead of tracebacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from bots.cli.errors import UserError

M = TypeVar("M", bound=BaseModel)

# A spec or base file is a few KiB even with every field at its limit; a bigger file is not one of ours.
MAX_JSON_FILE_BYTES = 1024 * 1024
# How much of a user's value or field name an error line quotes.
QUOTE_CHARS = 80


def describe_validation_error(error: ValidationError) -> str:
    """All problems of a pydantic error on one line: 'fps: frame rate must be ...; seed: ...'."""
    parts = []
    for item in error.errors():
        where = _clipped(".".join(str(p) for p in item["loc"]) or "input")
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "is not a known field"
        elif item["type"] == "literal_error":
            message = f"{_clipped(repr(item['input']))} is not one of: {item['ctx']['expected']}"
        parts.append(f"{where}: {message}")
    return _printable("; ".join(parts))


def _clipped(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _printable(text: str) -> str:
    """`text` with control characters (a newline in a field name, say) escaped, so it stays one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def read_json_model(path: str | Path, model: type[M], what: str) -> M:
    """Load and validate a JSON file as `model`, or raise a one-line UserError."""
    path = Path(path)
    try:
        with path.open("rb") as file:  # read no more than the limit, whatever the file claims (/dev/zero)
            raw = file.read(MAX_JSON_FILE_BYTES + 1)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise UserError(f"{what} file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {what} file {path}: {exc}") from None
    if len(raw) > MAX_JSON_FILE_BYTES:
        raise UserError(f"{what} file {path} is over {MAX_JSON_FILE_BYTES // 2**20} MiB: too big to be a {what}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{what} file {path} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits; arrays nested thousands deep
        why = "nests too deeply" if isinstance(exc, RecursionError) else "holds a number too long to read"
        raise UserError(f"{what} file {path} is not a {what}: it {why}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UserError(f"{what} file {path} is invalid: {describe_validation_error(exc)}") from None


def print_json(model: BaseModel) -> None:
    print(model.model_dump_json(indent=2))
