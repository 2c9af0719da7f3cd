"""Who, what and where: a conservative reading of subject, action and setting from what is left of a message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from agent.director.grammar.text import CLAUSE_BREAKS, Token, tokenize
from agent.director.grammar.words import (
    ATTRIBUTE_PREPS,
    AUXILIARIES,
    CLAUSE_SPLITTERS,
    CLOTHING,
    DETERMINERS,
    NOT_A_SETTING,
    NOUN_ING,
    PATH_PREPS,
    PLACES,
    PRONOUNS,
    RIDDEN,
    STATIC_PREPS,
    VAGUE,
    VERB_BEFORE_PREP_ING,
    VERBS,
    words_of,
)

_DISCOURSE = (
    r"(?:(?:ok|okay|so|now|and|also|actually|no wait|wait|hmm|hey|please|pls|just|then|but|yes|yeah|well|cool|great|"
    r"nice|perfect|alright|right|oh|no|hi|hello|instead|maybe|let's try|lets try|try|of|showing|featuring|i meant"
    r"|i mean|"
    r"meant|i said|rather|switch to|change to|go with|go for|use|have|lets|let's|add|now do|do)(?:\s+|$))*"
)
_REQUEST = (
    r"(?:(?:can|could|would|will) you (?:please )?(?:make|create|generate|render|show|give|do|film|shoot|animate)"
    r"(?: me| us)? |i (?:want|need|would like|'d like|wanna|am thinking|'m thinking)(?: of| about)?(?: to (?:see|have"
    r"|make|"
    r"get|do))? |let'?s (?:see|have|do|get|make|try|go with|film|shoot) |(?:please )?(?:show|give|make|create|generate|"
    r"render|produce|film|shoot|animate|imagine|picture|do|add|use|swap in|put|change (?:it|the subject) to|"
    r"replace (?:it|the subject) with)(?: me| us| in)? (?!of\b)"  # "film of a cat": the medium, not the verb
    r"|we see |we follow |there (?:is|are|'s) |it'?s |it is |this is |"
    r"open(?:ing)? (?:on|with) |start(?:ing)? (?:on|with) |cut to |)"
)
_MEDIUM = (
    r"(?:(?:(?:a|an|the|one|some|my)\s+)?(?:(?:short|quick|little|brief|cool|nice|simple|new|single|beautiful|great"
    r"|good|lovely|dramatic|stunning|cinematic|epic|underwater|\d+ ?(?:second|sec|s))\s+)*"
    r"(?:video|clip|shot|scene|film|movie|animation|footage|"
    r"sequence|take|version|render|image|picture|frame|vid|one|reel|short)s?(?:\s+(?:of|with|where|in which|showing|"
    r"featuring|about|that shows|depicting|for)\b|\s*$))?"
)
_LEAD_IN = re.compile(rf"^{_DISCOURSE}{_REQUEST}{_MEDIUM}\s*")
_IT_SHOULD = re.compile(r"^(?:make )?it (?:be |is )?")
# A verdict on the take ("this looks amazing", "that is so good"): praise names nothing in the shot.
_VERDICT = re.compile(
    r"^(?:this|that|it|these|those)(?: one| take| shot| version| clip)? (?:looks?|is|seems?|feels?|was|are|were)"
    r"(?: (?:so|really|very|just|pretty|super|absolutely|kinda|quite|too))* (?!(?:a|an|the|some|my|our)\b)[a-z]+$"
)


@dataclass
class Content:
    subject: str | None = None
    action: str | None = None
    setting: str | None = None
    target: str | None = None  # the noun a camera move points at ("push in on the knight")
    subject_is_target: bool = False  # the subject was only named as what the camera points at
    from_target: set[str] = field(default_factory=set)  # fields read only from a camera target
    crossed: bool = False  # the setting is the place a move crosses ("pan left across a busy market")


# Nouns a base-form verb may follow though they do not end in -s: "the couple dance", "people walk".
_PLURAL_NOUNS = frozenset(
    {"people", "children", "men", "women", "couple", "pair", "twins", "family", "crowd", "police"}
)


def _is_verb(tokens: list[Token], i: int) -> bool:
    word = tokens[i].text
    previous = tokens[i - 1].text if i > 0 else ""
    if previous in DETERMINERS or previous in {"of", "and", "very", "so"}:
        return False
    if word.endswith("ing") and len(word) > 4 and word not in NOUN_ING:
        return True
    if word in NOUN_ING and i > 0 and i + 1 < len(tokens) and tokens[i + 1].text in {"a", "an", "the"}:
        return True  # "two kids building a sandcastle": an -ing word with an object is a verb
    if word in VERB_BEFORE_PREP_ING and i > 0 and i + 1 < len(tokens):
        following = [t.text for t in tokens[i + 1 :]]
        return bool(_prep_at(following, 0, STATIC_PREPS) or _prep_at(following, 0, PATH_PREPS))
    if word in VERBS:  # a base form follows a plural subject: "two dogs play", "a bride and groom kiss"
        before = {t.text for t in tokens[max(0, i - 4) : i - 1]}
        return (previous.endswith("s") and not previous.endswith("ss")) or previous in _PLURAL_NOUNS or "and" in before
    stem = _stem(word)
    return stem is not None and stem in VERBS


_IRREGULAR = {"does": "do", "goes": "go", "has": "have"}


def _stem(word: str) -> str | None:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 2:
        return word[:-1]
    return None


def _by_first_word(preps: tuple[str, ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    table: dict[str, list[tuple[str, ...]]] = {}
    for prep in preps:
        parts = tuple(prep.split())
        table.setdefault(parts[0], []).append(parts)
    return {first: tuple(sorted(options, key=len, reverse=True)) for first, options in table.items()}


_PREP_TABLES = {STATIC_PREPS: _by_first_word(STATIC_PREPS), PATH_PREPS: _by_first_word(PATH_PREPS)}


def _prep_at(words: list[str], i: int, preps: tuple[str, ...]) -> int:
    """Length in words of the preposition starting at i (0 if none)."""
    for parts in _PREP_TABLES[preps].get(words[i], ()) if i < len(words) else ():
        if tuple(words[i : i + len(parts)]) == parts:
            return len(parts)
    return 0


_DANGLING = words_of(
    "a an the of in at on to by with and or from into onto over under for as is are was were its his her their "
    "while during near through across along toward towards around instead please too then now no without "
    "sunny rainy snowy foggy misty stormy cloudy windy overcast heavy"
)


def _span(original: str, tokens: list[Token]) -> str | None:
    words = [t for t in tokens if t.is_word or t.text in "'&"]
    while words and words[-1].text in _DANGLING:
        words = words[:-1]
    if not words:
        return None
    text = original[words[0].start : words[-1].end].strip(" ,;:-")
    first = text.split(" ", 1)[0]
    if first.lower() in DETERMINERS and first != first.lower():
        text = first.lower() + text[len(first) :]
    return text or None


def _content_words(tokens: list[Token]) -> list[str]:
    return [
        t.text
        for t in tokens
        if t.is_word and t.text not in VAGUE and t.text not in DETERMINERS and t.text not in PRONOUNS
    ]


_REVEALS = frozenset({"reveal", "reveals", "revealing"})


def clauses(norm: str, masked: list[tuple[int, int]]) -> list[tuple[list[Token], bool]]:
    """Unmasked stretches of words between punctuation and masked phrases; flag: right after a masked phrase."""
    out: list[tuple[list[Token], bool]] = []
    current: list[Token] = []
    after_mask = False
    pending_after_mask = False
    for token in tokenize(norm):
        is_masked = any(s <= token.start < e for s, e in masked)
        if token.text in _REVEALS and current and current[-1].text == "to":
            current.pop()  # "from a raindrop to reveal a city": what the move starts on, then what it shows
        if is_masked or token.text in CLAUSE_BREAKS or token.text in CLAUSE_SPLITTERS or token.text in _REVEALS:
            if current:
                out.append((current, after_mask))
                current = []
            pending_after_mask = is_masked
            continue
        if not current:
            after_mask = pending_after_mask
            pending_after_mask = False
        current.append(token)
    if current:
        out.append((current, after_mask))
    return out


def _strip_lead_in(tokens: list[Token], norm: str) -> list[Token]:
    if not tokens:
        return tokens
    start = tokens[0].start
    text = norm[start : tokens[-1].end]
    cut = _LEAD_IN.match(text)
    offset = cut.end() if cut else 0
    rest = [t for t in tokens if t.start >= start + offset]
    text = norm[rest[0].start : rest[-1].end] if rest else ""
    cut = _IT_SHOULD.match(text)
    if cut and rest:
        base = rest[0].start
        rest = [t for t in rest if t.start >= base + cut.end()]
    return rest


def _split_setting(original: str, tokens: list[Token]) -> tuple[str | None, str | None]:
    """A setting phrase, cut where an action starts inside it ('the park walking his dog')."""
    for i in range(1, len(tokens)):
        if _is_verb(tokens, i) and tokens[i].text.endswith("ing"):
            return _span(original, tokens[:i]), _span(original, tokens[i:])
    return _span(original, tokens), None


def _find_setting_prep(words: list[str], start: int) -> tuple[int, int] | None:
    """Where the setting starts: the first 'in/at/on ...' with a place after it (a later one naming a known place
    wins: 'sitting on a bench in a park'), else the first 'through ...'."""
    path: tuple[int, int] | None = None
    first: tuple[int, int] | None = None
    for i in range(start, len(words)):
        length = _prep_at(words, i, STATIC_PREPS)
        if length:
            rest = [w for w in words[i + length :] if w not in DETERMINERS]
            if rest and rest[0] not in NOT_A_SETTING and not (set(words[i + length : i + length + 4]) & CLOTHING):
                if _rides(words[i], rest):
                    continue
                if _names_a_place(words, i + length):
                    return i, length
                first = first or (i, length)
            continue
        length = _prep_at(words, i, PATH_PREPS)
        if length and path is None and i + length < len(words):
            path = (i, length)
    return first or path


def _names_a_place(words: list[str], start: int) -> bool:
    """Whether the words from `start` up to the next preposition name a known place."""
    for i in range(start, len(words)):
        if i > start and (_prep_at(words, i, STATIC_PREPS) or _prep_at(words, i, PATH_PREPS)):
            return False
        if words[i] in PLACES:
            return True
    return False


def _rides(prep: str, rest: list[str]) -> bool:
    """'on a bike', 'on a red horse through ...': what the subject rides, not where the shot is."""
    if prep != "on":
        return False
    for j, word in enumerate(rest[:3]):
        if word in RIDDEN:
            after = rest[j + 1 : j + 2]
            return not after or bool(_prep_at(after, 0, STATIC_PREPS) or _prep_at(after, 0, PATH_PREPS))
    return False


def parse_clause(original: str, tokens: list[Token]) -> Content:
    """Subject, action and setting of one clause ('a knight rides through a misty forest')."""
    words = [t.text for t in tokens]
    if not words:
        return Content()
    first_prep = _prep_at(words, 0, STATIC_PREPS) or _prep_at(words, 0, PATH_PREPS)
    if first_prep:  # "in a misty forest": a place on its own
        setting, action = _split_setting(original, tokens[first_prep:])
        return Content(setting=setting, action=action)
    if words[0] in ATTRIBUTE_PREPS:  # "with a flashlight": what someone has, never someone
        return Content()
    if _is_verb(tokens, 0) and words[0].endswith("ing"):  # "flying over a waterfall": an action with no one named
        found = _find_setting_prep(words, 1)
        action_tokens = tokens[: found[0]] if found else tokens
        setting = _split_setting(original, tokens[found[0] + found[1] :])[0] if found else None
        return Content(action=_span(original, action_tokens), setting=setting)
    verb = None
    i = 1
    while i < len(words):
        if _prep_at(words, i, STATIC_PREPS) or _prep_at(words, i, PATH_PREPS):
            window = set(words[i : i + 5])
            if not window & CLOTHING:
                break
        if words[i] in AUXILIARIES and i + 1 < len(words) and _is_verb(tokens, i + 1):
            verb = i + 1
            subject_end = i
            break
        if _is_verb(tokens, i):
            if i + 1 < len(words) and not words[i].endswith("ing") and _is_verb(tokens, i + 1):
                i += 1
                continue
            verb, subject_end = i, i
            break
        if words[i] in ATTRIBUTE_PREPS:
            i += 1
            continue
        i += 1
    if verb is None:
        found = _find_setting_prep(words, 1)
        subject_tokens = tokens[: found[0]] if found else tokens
        while subject_tokens and subject_tokens[-1].text in AUXILIARIES:
            subject_tokens = subject_tokens[:-1]
        setting = action = None
        if found:
            setting, action = _split_setting(original, tokens[found[0] + found[1] :])
        while subject_tokens and subject_tokens[-1].text in _DANGLING:
            subject_tokens = subject_tokens[:-1]
        head = subject_tokens[-1].text if subject_tokens else ""
        if not found and head in PLACES:
            return Content(setting=_span(original, subject_tokens))
        return Content(subject=_span(original, subject_tokens), setting=setting, action=action)
    subject_tokens = tokens[:subject_end]
    while subject_tokens and subject_tokens[-1].text in {"who", "that", "which", "and"}:
        subject_tokens = subject_tokens[:-1]
    found = _find_setting_prep(words, verb + 1)
    action_tokens = tokens[verb : found[0]] if found else tokens[verb:]
    setting = _split_setting(original, tokens[found[0] + found[1] :])[0] if found else None
    return Content(subject=_span(original, subject_tokens), action=_span(original, action_tokens), setting=setting)


# A move "across a busy market" crosses a place; "on the knight" or "around the statue" points at a thing.
_CROSSING = words_of("across along over through throughout past into above")


def _camera_target(tokens: list[Token], camera_ends: list[int]) -> tuple[list[Token], bool] | None:
    """The words a camera move points at, when the clause follows the move ('push in on the knight'), and
    whether the move crosses them ('pan left across a busy market')."""
    if not any(0 <= tokens[0].start - end <= 2 for end in camera_ends):
        return None
    words = [t.text for t in tokens]
    length = _prep_at(words, 0, STATIC_PREPS) or _prep_at(words, 0, PATH_PREPS)
    if words[:2] == ["to", "reveal"]:
        length = 2
    elif words[:1] in (["to"], ["after"], ["behind"], ["alongside"], ["following"], ["follows"]):
        length = 1
    elif words[0] == "from" and "to" in words[2:]:  # "tilt down from the sky to a girl": the move ends on her
        length = words.index("to", 2) + 1
    return tokens[length:], length > 0 and words[0] in _CROSSING


def _names_someone(subject: str | None) -> bool:
    """Whether a subject has a word of its own ('a knight'), not only a pronoun ('him')."""
    return bool(subject and _content_words(tokenize(subject.lower())))


def _after_crossing(original: str, tokens: list[Token], setting: str | None) -> bool:
    """Whether a target's setting follows a crossing preposition ('track him through a train station')."""
    for previous, token in pairwise(tokens):
        if setting and original[token.start :].startswith(setting):
            return previous.text in _CROSSING
    return False


def read_content(original: str, norm: str, masked: list[tuple[int, int]], camera_ends: list[int]) -> Content:
    """Subject, action and setting from the words no other reading claimed."""
    content = Content()
    for tokens, _after_mask in clauses(norm, masked):
        if tokens and _VERDICT.match(norm[tokens[0].start : tokens[-1].end]):
            continue
        tokens = _strip_lead_in(tokens, norm)
        if not tokens or not _content_words(tokens):
            continue
        found = _camera_target(tokens, camera_ends)
        target, crossing = found if found is not None else (None, False)
        if target is not None:
            if not target:
                continue
            if content.target is None:
                content.target = _span(original, target)
            tokens = target
        part = parse_clause(original, tokens)
        before = {name: getattr(content, name) for name in ("subject", "action", "setting")}
        if content.subject is None and _names_someone(part.subject):
            content.subject = part.subject
            content.subject_is_target = target is not None
            content.action = content.action or part.action
            content.setting = content.setting or part.setting
        elif content.setting is None and part.setting and not _names_someone(part.subject):
            content.setting = part.setting
            content.action = content.action or part.action
        elif content.action is None and part.subject is None and part.action:
            content.action = part.action
        if target is not None:
            changed = {name for name, value in before.items() if value != getattr(content, name)}
            content.from_target |= changed
            crossing = crossing or _after_crossing(original, target, part.setting)
            content.crossed = content.crossed or (crossing and "setting" in changed)
    return content
