"""What the director reads and writes: a message without chat markup, within its length limit; fields that fit.

Every front end (the CLI, the terminal chat, the Discord bot, through the Studio) and both directors go through
`clean_message`, so neither the offline grammar nor an LLM's prompt ever sees `@everyone` or `<@123>`, and a
message too long for a shot is refused with one line before anything runs. `fit_fields` keeps a spec the
director builds inside the ShotSpec's limits: a refinement that would grow a field past its limit (one more
"add a hare" on a long subject, one more "no rain" on a long negative prompt) leaves that field as it was and
says so, rather than cutting off the words just asked for; a field new this turn that is too long (an LLM's
essay) is clipped on a word boundary, with a note.
"""

from __future__ import annotations

from typing import Any

from agent.markup import strip_markup
from agent.spec import MAX_EFFECT, MAX_TEXT

# One message fits whole into any text field of a spec; Discord's own message limit is the same 2000.
MAX_MESSAGE_CHARS = MAX_TEXT
TEXT_FIELDS = ("subject", "action", "setting", "style", "lighting", "mood", "negative_prompt")
# How far back from the limit a cut may move to end on a word rather than in the middle of one.
WORD_BACKTRACK = 40


class MessageTooLong(ValueError):
    """A message longer than a shot description may be; its text is the one line to show the creator."""

    def __init__(self, length: int, limit: int = MAX_MESSAGE_CHARS) -> None:
        super().__init__(f"your description is {length} characters; the limit is {limit}")
        self.length = length
        self.limit = limit


def clean_message(text: str) -> str:
    """The message as the director reads it: markup removed, ends trimmed; MessageTooLong when over the limit."""
    cleaned = strip_markup(text).strip()
    if len(cleaned) > MAX_MESSAGE_CHARS:
        raise MessageTooLong(len(cleaned))
    return cleaned


def clip_text(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, on a word boundary when one is near."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", max(0, limit - WORD_BACKTRACK))
    if space > 0 and not text[limit].isspace():
        cut = cut[:space]
    return cut.rstrip(" ,;:")


def fit_fields(data: dict[str, Any], base: dict[str, Any] | None = None) -> list[str]:
    """Bring, in place, the over-long text fields of spec data (a ShotSpec model_dump) within their limits: back to
    the base's value where it had one, else clipped. The notes say which, and how long the field would have been."""
    notes: list[str] = []

    def fit(value: str, limit: int, what: str) -> str:
        clipped = clip_text(value, limit)
        if clipped != value:
            notes.append(f"{what} was {len(value)} characters; kept the first {len(clipped)} (the limit is {limit})")
        return clipped

    for name in TEXT_FIELDS:
        value, before = data.get(name), (base or {}).get(name)
        if not isinstance(value, str) or len(value) <= MAX_TEXT:
            continue
        if isinstance(before, str) and len(before) <= MAX_TEXT:
            notes.append(
                f"left the {name} as it was: that change would make it {len(value)} characters, over the limit of "
                f"{MAX_TEXT}; say it in fewer words"
            )
            data[name] = before
        else:
            data[name] = fit(value, MAX_TEXT, f"the {name}")
    data["effects"] = [fit(e, MAX_EFFECT, "an effect") if isinstance(e, str) else e for e in data.get("effects") or []]
    for character in data.get("characters") or []:
        if isinstance(character, dict) and isinstance(character.get("description"), str):
            character["description"] = fit(character["description"], MAX_TEXT, f"{character.get('name')}'s description")
    return notes
