"""Prompts are files in this folder, loaded by name; a missing variable is an error."""

from __future__ import annotations

import string
from importlib import resources


class PromptError(KeyError):
    """A prompt file is missing or a variable it uses was not given."""


def prompt_names() -> list[str]:
    """Names of every prompt file shipped with Dailies."""
    folder = resources.files(__package__)
    return sorted(p.name.removesuffix(".md") for p in folder.iterdir() if p.name.endswith(".md"))


def load_prompt(name: str, **variables: object) -> str:
    """The prompt `name`.md with its $variables filled in; every variable must be given."""
    try:
        text = resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no prompt named {name!r}; known: {', '.join(prompt_names())}") from None
    template = string.Template(text)
    used = {m.group("named") or m.group("braced") for m in template.pattern.finditer(text)} - {None}
    missing = used - variables.keys()
    if missing:
        raise PromptError(f"prompt {name!r} needs variables: {', '.join(sorted(missing))}")
    return template.substitute({k: str(v) for k, v in variables.items()})
