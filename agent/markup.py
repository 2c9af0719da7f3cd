"""Chat markup (Discord mentions, channel links, custom emoji, ...): meaningless to a video model, and removed."""

from __future__ import annotations

import re

# Discord's message formatting: <@id> <@!id> users, <@&id> roles, <#id> channels, </name sub:id> slash commands,
# <:name:id> <a:name:id> custom emoji, <t:unix[:style]> timestamps, <id:browse> guild navigation; and the mass
# pings @everyone / @here. Any length of id: a snowflake today, but "<@123>" is no more a description.
MARKUP = re.compile(
    r"<(?:@[!&]?\d+|#\d+|/[^<>:\n]{1,100}:\d+|a?:\w{1,64}:\d+|t:-?\d+(?::[tTdDfFR])?|id:[\w-]{1,40}(?::\d+)?)>"
    r"|(?<![\w@])@(?:everyone|here)(?!\w)",
    re.IGNORECASE,
)
# Invisible formatting (zero-width characters, bidirectional overrides) and control characters other than
# newline and tab: they can hide words from a reader, and a text encoder reads them as noise.
INVISIBLE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACE_RUN = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+(?=[,.;:!?])")
_EMPTY_CLAUSE = re.compile(r"([,;:])(?:\s*[,;:])+")


def has_markup(text: str) -> bool:
    """Whether `text` holds chat markup or invisible characters that `strip_markup` would remove."""
    return MARKUP.search(text) is not None or INVISIBLE.search(text) is not None


def strip_markup(text: str) -> str:
    """`text` without chat markup and invisible characters, with the gaps they leave tidied; otherwise as written."""
    if not has_markup(text):
        return text
    text = INVISIBLE.sub("", MARKUP.sub(" ", text))
    text = _SPACE_RUN.sub(" ", text)
    text = _SPACE_BEFORE_PUNCTUATION.sub("", text)
    text = _EMPTY_CLAUSE.sub(r"\1", text)
    return text.lstrip(" \t\n,;:.!?").rstrip(" \t\n,;:")
