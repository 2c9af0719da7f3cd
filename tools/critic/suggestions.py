"""Actionable suggestions for failed checks, worded so the reviser can apply them.

Each suggestion names its fix as "put '...' first in the prompt", "add '...' to the prompt" or
"add '...' to the negative prompt", the forms the agent's reviser applies mechanically.
"""

from __future__ import annotations

from generator.vocabulary import CAMERA_PHRASES
from tools.critique import Check


def _words(move: str) -> str:
    return "stayed still" if move == "static" else f"moved {move.replace('_', ' ')}"


def camera_move(check: Check) -> str:
    expected, detected = str(check.expected), str(check.value)
    wanted = CAMERA_PHRASES.get(expected, expected.replace("_", " "))
    text = f"camera {_words(detected)} instead of {expected.replace('_', ' ')}: put '{wanted}' first in the prompt"
    if detected in CAMERA_PHRASES and detected != "static":
        text += f" and add '{CAMERA_PHRASES[detected]}' to the negative prompt"
    elif detected == "static":
        text += " and add 'static camera, still image' to the negative prompt"
    return text


def camera_speed(check: Check) -> str:
    measured = check.detail.removeprefix("measured ")
    wanted = str(check.expected).split(" ")[0]
    if measured == "slow" or (measured == "medium" and wanted == "fast"):
        return f"camera moved {measured}, not {wanted}: add '{wanted} camera movement' to the prompt"
    return (
        f"camera moved {measured}, not {wanted}: add '{wanted}, smooth camera movement' to the prompt "
        "and add 'fast camera movement' to the negative prompt"
    )


_FIXED: dict[str, str] = {
    "motion_amount": "almost static: stronger motion wording; add 'dynamic motion, clearly visible movement' "
    "to the prompt and add 'static, still image' to the negative prompt",
    "flicker": "flicker: use more denoising steps and add 'flicker, strobing, flashing' to the negative prompt",
    "frozen_frames": "frozen or repeated frames: add 'frozen frame, stutter' to the negative prompt; try another seed",
    "sharpness": "blurred frames: use more denoising steps and add 'blurry, out of focus' to the negative prompt",
    "scene_cuts": "the clip cuts to another shot: add 'one continuous shot' to the prompt and add "
    "'scene cut, transition' to the negative prompt",
}


def exposure(check: Check) -> str:
    parts: list[str] = []
    if "black" in check.detail:
        parts.append("'black frames, fade to black'")
    if "blown" in check.detail:
        parts.append("'overexposed, blown-out highlights'")
    listed = " and ".join(parts) or "'black frames, overexposed'"
    return f"bad exposure ({check.detail}): add {listed} to the negative prompt and try another seed"


def judge(check: Check) -> str:
    field = check.name.removeprefix("judge_")
    wanted = str(check.expected or "")
    if field == "artifacts":
        return f"visible artifacts ({check.value}): add '{check.value}' to the negative prompt"
    if field == "subject":
        return f"the subject is not clearly visible: add '{wanted}, clearly visible in frame' to the prompt"
    if field == "time_of_day":
        return f"the light does not read as {wanted}: add '{wanted.replace('_', ' ')} lighting' to the prompt"
    if field == "style":
        return f"the look is not {wanted}: add '{wanted} style' to the prompt"
    if field == "character":
        return (
            f"the character does not look like the reference ({check.detail}): render again from the reference "
            "image as the first frame, and repeat the character's description in the prompt"
        )
    if field == "setting":
        return f"the setting does not read as {wanted}: add 'set in {wanted}' to the prompt"
    return f"{field.replace('_', ' ')} does not match '{wanted}': add '{wanted}' to the prompt"


def for_check(check: Check) -> str:
    """One actionable suggestion for a failed check."""
    if check.name == "camera_move":
        return camera_move(check)
    if check.name == "camera_speed":
        return camera_speed(check)
    if check.name == "exposure":
        return exposure(check)
    if check.name.startswith("judge_"):
        return judge(check)
    if check.name in _FIXED:
        return _FIXED[check.name]
    if check.name == "duration":
        return (
            f"clip lasts {check.value} s instead of {check.expected} s: render the spec's frame count "
            "(num_frames = duration x fps, snapped for the model)"
        )
    if check.name == "complete":
        return f"the file is cut short ({check.detail}): render and encode the take again"
    if check.name == "fps":
        return f"clip plays at {check.value} fps instead of {check.expected}: encode at the requested frame rate"
    if check.name == "frame_size":
        return f"frame is {check.value}, not {check.expected}: render at the requested size and aspect ratio"
    return f"{check.name.replace('_', ' ')} failed ({check.detail or check.value}): try another seed"


def suggestions(checks: list[Check]) -> list[str]:
    """A suggestion for every failed check, in check order, without repeats."""
    out: list[str] = []
    for check in checks:
        if not check.passed:
            text = for_check(check)
            if text not in out:
                out.append(text)
    return out
