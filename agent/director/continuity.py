"""Whether a message asks the shot to start from the previous shot's last frame (continuous action)."""

from __future__ import annotations

import re

_SHOT = r"(?:the )?(?:last|previous|prior|earlier|first|other) (?:shot|take|one|clip)"
_CONTINUE = re.compile(
    rf"(?i)\b(?:continu(?:e|es|ing)|carr(?:y|ies|ying) on|pick(?:s|ing)? up) (?:on )?(?:right )?(?:from|where) {_SHOT}"
    r"(?: (?:left off|ends|ended|stops|stopped))?"
    rf"|\bstart(?:s|ing)? (?:from|on|at) (?:the )?(?:last|final) frame of {_SHOT}"
    r"|\bcontinuous action\b|\bone continuous (?:action|movement|motion) (?:across|over) the cut\b"
)
_NOT = re.compile(
    rf"(?i)\b(?:don'?t|do not|no longer|not|never|stop) (?:continu\w*|carry on|pick up|start)\b[^.;!?]*\b{_SHOT}"
    r"|\b(?:fresh start|hard cut|new scene)\b"
)


def continuity_wish(message: str) -> tuple[bool | None, list[tuple[int, int]]]:
    """True when the message asks to continue from the previous shot, False when it asks not to, else None; and
    the spans of the words that said so (they describe the cut, not what the shot shows)."""
    if hit := _NOT.search(message):
        return False, [hit.span()]
    if hits := list(_CONTINUE.finditer(message)):
        return True, [hit.span() for hit in hits]
    return None, []
