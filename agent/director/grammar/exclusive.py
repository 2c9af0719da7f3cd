"""Effects a shot holds one of at a time (rain or snow; slow or fast motion): a new one said replaces the old."""

from __future__ import annotations

import re
from collections.abc import Sequence

EXCLUSIVE_EFFECTS = (
    frozenset({"rain", "snow"}),
    frozenset({"slow motion", "fast motion", "time-lapse", "hyperlapse"}),
)
# The adjective a text field carries for a weather effect ("a rainy street"), changed along with the effect.
ADJECTIVES = {"rain": "rainy", "snow": "snowy"}
# Words that keep the old effect beside the new one: "add some snow", "snow as well".
_ADDING = re.compile(r"(?<![a-z])(?:add|adding|also|as well|plus|both|too|along with|on top of|mixed with)(?![a-z])")


def replaced_effects(said: Sequence[str], current: Sequence[str], norm: str) -> dict[str, str]:
    """Each current effect the message replaces, with its replacement: {"rain": "snow"} for "make it snow"."""
    if _ADDING.search(norm):
        return {}
    out: dict[str, str] = {}
    for new in said:
        group = next((g for g in EXCLUSIVE_EFFECTS if new in g), frozenset())
        for old in current:
            if old in group and old not in said and old not in out:
                out[old] = new
    return out


def reword(text: str, old: str, new: str) -> str | None:
    """`text` with the old effect's adjective turned into the new one's ("a rainy street" -> "a snowy street")."""
    before, after = ADJECTIVES.get(old), ADJECTIVES.get(new)
    if not before or not after:
        return None
    pattern = re.compile(rf"(?i)\b{before}\b")
    return pattern.sub(after, text) if pattern.search(text) else None


def effect_in_place_of(old: str, new_words: str) -> str | None:
    """The effect of `old`'s group that `new_words` names ("snow instead of rain" -> "snow"), if any."""
    words = set(re.findall(r"[a-z-]+", new_words.lower()))
    group = next((g for g in EXCLUSIVE_EFFECTS if old in g), frozenset())
    return next((e for e in sorted(group) if e != old and set(e.split()) <= words), None)
