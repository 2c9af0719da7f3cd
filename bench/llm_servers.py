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
Each request's row also carries its prompt and completion tokens (as the server counted them) and the command's
seconds; the summary adds the machine's load averages before and after, the median tokens, the completion rate
(completion tokens over the seconds the command spent beyond a `--director offline` run of the same message:
the process start-up), so a run on a busy machine can be read against a quiet one. The small model's taste is
not measured.

    .venv/bin/python bench/llm_servers.py --server llama-cpp-python=http://127.0.0.1:P/v1 --model smollm2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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
_USAGE = re.compile(r"llm: (?P<calls>\d+) call\(s\), (?P<prompt>\d+) prompt \+ (?P<completion>\d+) completion tokens")
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


def run_one(
    message: str, base: ShotSpec | None, url: str, model: str, folder: Path, director: str = "llm"
) -> dict[str, object]:
    env = {
        **os.environ,
        "DAILIES_LLM_BASE_URL": url,
        "DAILIES_LLM_MODEL": model,
        "DAILIES_LLM_TIMEOUT_S": str(LIMIT_S),
        "DAILIES_DATA_DIR": str(folder / "data"),
    }
    command = [sys.executable, "-m", "bots.cli.main", "spec", message, "--director", director]
    if base is not None:
        path = folder / "base.json"
        path.write_text(base.model_dump_json(), encoding="utf-8")
        command += ["--base", str(path)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=LIMIT_S * 3)
    seconds = time.monotonic() - started
    spec = ShotSpec.model_validate_json(done.stdout) if done.returncode == 0 else None
    notes = [line.removeprefix("note: ") for line in done.stderr.splitlines() if line.startswith("note: ")]
    answered_by = next(
        (line.split(": ", 1)[1] for line in done.stderr.splitlines() if line.startswith("director: ")), ""
    )
    usage = _USAGE.search(done.stderr)
    tokens = {k: int(usage.group(k)) if usage else 0 for k in ("calls", "prompt", "completion")}
    return {"rc": done.returncode, "spec": spec, "notes": notes, "director": answered_by, "seconds": seconds, **tokens}


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


def measure(name: str, url: str, model: str) -> dict[str, object]:  # long: one row per request, then the summary
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for index, (message, refine) in enumerate(REQUESTS, 1):
            base = BASE if refine else None
            startup = run_one(message, base, url, model, Path(tmp), director="offline")["seconds"]
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
                "startup_s": round(float(startup), 1),  # type: ignore[arg-type]
                "calls": outcome["calls"],
                "prompt_tokens": outcome["prompt"],
                "completion_tokens": outcome["completion"],
                "format_failure": outcome["rc"] != 0
                or any("invalid output twice" in n or "not a valid shot" in n for n in notes),
                "stated": len(stated),
                "kept": len(kept_fields),
                "invented": invented,
                "fallback": next((n for n in notes if "used the offline director" in n), None),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    return summarise(name, rows, load_before)


def summarise(name: str, rows: list[dict[str, Any]], load_before: tuple[float, float, float]) -> dict[str, object]:
    """The must-show figures of one server's rows."""
    by_model = [r for r in rows if r["director"] == "llm"]
    in_time = [r for r in by_model if r["seconds"] <= LIMIT_S]
    stated = sum(r["stated"] for r in rows)
    kept_total = sum(r["kept"] for r in rows)
    seconds = [float(r["seconds"]) for r in rows]
    model_seconds = [max(0.1, float(r["seconds"]) - float(r["startup_s"])) for r in rows if r["completion_tokens"]]
    completion = sum(r["completion_tokens"] for r in rows if r["completion_tokens"])
    return {
        "server": name,
        "requests": len(rows),
        "format_failures": sum(bool(r["format_failure"]) for r in rows),
        "answered_by_model": len(by_model),
        "answered_by_model_within_60s": len(in_time),
        "answered_by_model_within_60s_pct": round(100 * len(in_time) / len(rows), 1),
        "stated_fields_kept": f"{kept_total}/{stated}",
        "stated_fields_kept_pct": round(100 * kept_total / max(1, stated), 1),
        "invented_non_creative": sum(len(r["invented"]) for r in rows),
        "invented": [f"{r['request']}: {f}" for r in rows for f in r["invented"]],
        "median_s": round(statistics.median(seconds), 1),
        "max_s": round(max(seconds), 1),
        "median_startup_s": round(statistics.median(float(r["startup_s"]) for r in rows), 1),
        "median_prompt_tokens": statistics.median(r["prompt_tokens"] for r in rows),
        "median_completion_tokens": statistics.median(r["completion_tokens"] for r in rows),
        "completion_tokens_per_s_beyond_startup": round(completion / max(0.1, sum(model_seconds)), 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "fallbacks": [f"{r['request']}: {r['fallback']}" for r in rows if r["fallback"]],
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
