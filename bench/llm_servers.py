"""Real-server figures for issue 15: 20 varied requests through `dailies spec --director llm` against each server.

For every server named (NAME=URL, OpenAI-compatible, e.g. the two `make test-llm` starts), each request runs the
real command in a fresh process (as a creator would) and the figures are:
- format failures: the model's answer could not be read (invalid output twice, not a valid shot) or the command
  failed;
- answered by the model: the LLM director's own reading, no fallback to the offline director, within 60 s;
- stated fields kept: every field the message states (as the offline grammar reads it) holds the creator's
  value in the result (exact for camera, framing, time, aspect, duration, fps, seed; one shared word for style,
  lighting, mood and the content; every effect and removal said);
- invented non-creative fields: aspect, duration, fps, seed or a character the message never gave.
The small model's taste is not measured.

    .venv/bin/python bench/llm_servers.py --server llama-cpp-python=http://127.0.0.1:P/v1 --model smollm2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from agent.director.offline import read_offline
from agent.director.words_win import (
    CONTENT_FIELDS,
    EXACT_FIELDS,
    NON_CREATIVE_FIELDS,
    REWORDABLE_FIELDS,
    content_words,
    stated_fields,
)
from agent.spec import ShotSpec

LIMIT_S = 60.0
BASE = ShotSpec(subject="a lighthouse keeper", action="climbs the stairs", setting="a lighthouse", time_of_day="dusk")
# (message, refines BASE?)
REQUESTS: list[tuple[str, bool]] = [
    ("a red fox trots through a snowy birch forest at golden hour, slow pan left", False),
    ("golden hour, a lighthouse on a cliff, low angle close-up", False),
    ("a knight rides through a misty forest at night, drone shot rising", False),
    ("a cat sleeping on a windowsill in the rain", False),
    ("tracking shot of a horse galloping on a beach at dawn, 6 seconds, vertical", False),
    ("an old man reading by a window, slow push in, 24fps", False),
    ("wide shot of a neon city street at night, film noir, 2.39:1", False),
    ("a hummingbird drinking from a flower, extreme close-up, slow motion", False),
    ("two kids flying a kite on a hill, handheld, 10 seconds at 30 fps", False),
    ("a chef flipping pancakes in a busy kitchen, medium shot, seed 1234", False),
    ("Ana is a tall woman in a yellow raincoat. Ana waits at a bus stop in the snow", False),
    ("a spaceship drifting past Saturn, the camera orbits left, anime style", False),
    ("bird's eye view of a crowded market at midday, time-lapse", False),
    ("a dancer spinning in an empty theatre, dutch angle, square", False),
    ("make a video", False),
    ("make it night", True),
    ("slower, and a low angle", True),
    ("twice as long, vertical", True),
    ("no camera movement, soft backlight, melancholy", True),
    ("swap the keeper for a young girl with a lantern", True),
]


def run_one(message: str, base: ShotSpec | None, url: str, model: str, folder: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "DAILIES_LLM_BASE_URL": url,
        "DAILIES_LLM_MODEL": model,
        "DAILIES_LLM_TIMEOUT_S": str(LIMIT_S),
        "DAILIES_DATA_DIR": str(folder / "data"),
    }
    command = [sys.executable, "-m", "bots.cli.main", "spec", message, "--director", "llm"]
    if base is not None:
        path = folder / "base.json"
        path.write_text(base.model_dump_json(), encoding="utf-8")
        command += ["--base", str(path)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=LIMIT_S * 3)
    seconds = time.monotonic() - started
    spec = ShotSpec.model_validate_json(done.stdout) if done.returncode == 0 else None
    notes = [line.removeprefix("note: ") for line in done.stderr.splitlines() if line.startswith("note: ")]
    director = next((line.split(": ", 1)[1] for line in done.stderr.splitlines() if line.startswith("director: ")), "")
    return {"rc": done.returncode, "spec": spec, "notes": notes, "director": director, "seconds": seconds}


def kept(field: str, result: ShotSpec, offline: ShotSpec) -> bool:
    """Whether a stated field holds the creator's value in the result."""
    ours, theirs = getattr(offline, field), getattr(result, field)
    if field in EXACT_FIELDS:
        return ours == theirs
    if field in (*REWORDABLE_FIELDS, *CONTENT_FIELDS):
        return (ours is None and theirs is None) or bool(content_words(ours) & content_words(theirs))
    if field == "effects":
        return all(e in theirs for e in ours)
    if field == "negative_prompt":
        return all(p.lower() in (theirs or "").lower() for p in (ours or "").split(", ") if p)
    if field == "characters":
        return {c.name for c in ours} <= {c.name for c in theirs}
    return True


def measure(name: str, url: str, model: str) -> dict[str, object]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (message, refine) in enumerate(REQUESTS, 1):
            base = BASE if refine else None
            outcome = run_one(message, base, url, model, Path(tmp))
            offline = read_offline(message, base, None)
            stated = stated_fields(offline.reading, base, offline.spec)
            spec = outcome["spec"]
            assert spec is None or isinstance(spec, ShotSpec)
            kept_fields = [f for f in stated if spec is not None and kept(f, spec, offline.spec)]
            invented = []
            if spec is not None:
                invented = [
                    f
                    for f in NON_CREATIVE_FIELDS
                    if f not in stated and getattr(spec, f) is not None and getattr(spec, f) != getattr(base, f, None)
                ]
                known = {c.name for c in (base.characters if base else [])} | {c.name for c in offline.spec.characters}
                invented += [f"character {c.name}" for c in spec.characters if c.name not in known]
            notes = outcome["notes"]
            assert isinstance(notes, list)
            row = {
                "request": index,
                "message": message,
                "director": outcome["director"],
                "seconds": round(float(outcome["seconds"]), 1),  # type: ignore[arg-type]
                "format_failure": outcome["rc"] != 0
                or any("invalid output twice" in n or "not a valid shot" in n for n in notes),
                "stated": len(stated),
                "kept": len(kept_fields),
                "invented": invented,
                "fallback": next((n for n in notes if "used the offline director" in n), None),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    answered = [r for r in rows if r["director"] == "llm" and r["seconds"] <= LIMIT_S]  # type: ignore[operator]
    return {
        "server": name,
        "requests": len(rows),
        "format_failures": sum(bool(r["format_failure"]) for r in rows),
        "answered_by_model_pct": round(100 * len(answered) / len(rows), 1),
        "stated_fields_kept_pct": round(100 * sum(r["kept"] for r in rows) / max(1, sum(r["stated"] for r in rows)), 1),  # type: ignore[misc]
        "invented_non_creative": sum(len(r["invented"]) for r in rows),  # type: ignore[arg-type]
        "median_s": round(statistics.median(float(r["seconds"]) for r in rows), 1),  # type: ignore[arg-type]
        "max_s": max(float(r["seconds"]) for r in rows),  # type: ignore[arg-type]
        "fallbacks": [r["fallback"] for r in rows if r["fallback"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", action="append", required=True, help="NAME=URL of an OpenAI-compatible server")
    parser.add_argument("--model", default="smollm2")
    parser.add_argument("--out", default=None, help="write the figures as JSON here too")
    args = parser.parse_args()
    figures = []
    for item in args.server:
        name, url = item.split("=", 1)
        figures.append(measure(name, url, args.model))
    for summary in figures:
        print(json.dumps(summary, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
