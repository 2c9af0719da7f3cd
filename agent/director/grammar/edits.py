"""Edits a message asks of the shot so far: swaps, additions, wider/tighter, slower/faster, seeds, removals."""

from __future__ import annotations

import re

# "swap the knight for a fox", "make the dog a cat", "a fox instead of the dog": (old, new).
SWAP = (
    re.compile(
        r"(?<![a-z])(?:swap|switch|replace|change|turn|trade|exchange)(?: out)? (?P<old>[a-z0-9' ]{2,40}?) "
        r"(?:for|with|to|into|by) (?P<new>[a-z0-9' ]{2,60}?)(?=\s*(?:$|[,.;!?]|\binstead\b|\bplease\b|\band\b))"
    ),
    re.compile(
        r"(?<![a-z])(?:make|turn) the (?P<old>[a-z]+(?: [a-z]+)?) (?:into )?(?P<new>(?:a|an) [a-z0-9' ]{2,60}?)"
        r"(?=\s*(?:$|[,.;!?]|\binstead\b|\bplease\b))"
    ),
    re.compile(
        r"(?<![a-z])(?P<new>(?:a|an|the|some|two|three) [a-z0-9' ]{2,60}?) instead of (?:the |a |an )?"
        r"(?P<old>[a-z0-9' ]{2,40}?)(?=\s*(?:$|[,.;!?]))"
    ),
    re.compile(r"(?<![a-z])(?P<new>[a-z]+) instead of (?:the |a |an )?(?P<old>[a-z]+)(?=\s*(?:$|[,.;!?]))"),
    re.compile(
        r"(?<![a-z])instead of (?:the |a |an )?(?P<old>[a-z0-9' ]{2,40}?),? (?:use |make it |show |have )?"
        r"(?P<new>(?:a|an|the|some) [a-z0-9' ]{2,60}?|[a-z]+)(?=\s*(?:$|[,.;!?]))"
    ),
)
# "wider", "a bit tighter", "get closer": one shot size step.
SHOT_STEP = re.compile(
    r"(?<![a-z])(?:(?P<wider>(?:a (?:bit|little|touch) |slightly |much )?wider(?: shot| framing| frame)?"
    r"|frame (?:it )?wider"
    r"|go wide|loosen (?:up )?the (?:shot|framing)|show more of the (?:scene|setting|surroundings)"
    r"|(?:make )?(?:the [a-z]+ |him |her |it |them )?smaller in (?:the )?frame)"
    r"|(?P<tighter>(?:a (?:bit|little|touch) |slightly |much )?(?:tighter|closer)(?: shot| framing| frame| in)?"
    r"|frame (?:it )?(?:tighter|closer)|go tight|get closer"
    r"|(?:make )?(?:the [a-z]+ |him |her |it |them )?(?:bigger|larger) in (?:the )?frame|fill (?:more of )?the frame))"
    r"(?![a-z])"
)
# "slower", "speed it up": one camera speed step.
SPEED_STEP = re.compile(
    r"(?<![a-z])(?:(?P<slower>slower|more slowly|slow (?:it|the camera|the move|the pan|this|that|things"
    r"|everything)? ?down"
    r"|less fast|not so fast|too fast|half speed|calmer|gentler)"
    r"|(?P<faster>faster|quicker|more quickly|speed (?:it|the camera|the move|the pan|this|that|things)? ?up|too slow"
    r"|double speed|snappier|more energetic))(?![a-z])"
)
# "add a red collar": joins the subject.
ADD = re.compile(
    r"(?<![a-z])(?:add|include|put in|throw in|also show|give (?:him|her|them|it))\s+(?P<x>(?:a|an|the|some|two|three)"
    r"\s[a-z0-9' ]{2,60}?)(?=\s*(?:$|[,.;!?]|\bplease\b|\btoo\b))"
)
SEED = re.compile(r"(?<![a-z])seed(?: number| of| =|:| to| is)? ?#?(?P<n>\d{1,18})(?![0-9])")
# "no cars", "without people": the negative prompt.
NEGATIVE = re.compile(
    r"(?<![a-z])(?:no|without|avoid|don't show|do not show|never show|exclude|get rid of|lose|remove|drop|keep out)"
    r" (?:any |the |all )?(?P<x>[a-z][a-z' ]{1,30}?)(?=\s*(?:$|[,.;!?]|\band\b|\bplease\b|\bin the shot\b|\bin frame\b"
    r"|\banywhere\b|\bthis time\b))"
)
# Words after "no" that are not things to keep out of the shot ("no wait", "no problem").
NOT_NEGATIVE = frozenset(
    {"wait", "way", "problem", "need", "worries", "thanks", "longer", "more", "idea", "clue", "change", "changes",
     "doubt", "matter", "one", "it", "that", "this", "camera movement", "movement", "motion", "camera motion", "style",
     "filter", "effects", "effect", "moves", "move"}
)  # fmt: skip
# Removing a whole field: "no style", "drop the effects", "any time of day".
CLEAR = {
    "style": re.compile(r"(?<![a-z])(?:no|drop the|lose the|remove the|without the|plain|no more) (?:style|filter"
        r"|look)"),
    "effects": re.compile(r"(?<![a-z])(?:no|drop the|lose the|remove the|without|no more|remove all|drop all) "
                          r"(?:effects|fx|special effects)"),
    "time_of_day": re.compile(r"(?<![a-z])(?:any time of day|whatever time|time doesn't matter)"),
}  # fmt: skip
