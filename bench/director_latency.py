"""Director benchmark: offline latency per message, and LLM calls and tokens per turn against the scripted server.

Offline: every VBench prompt in ../shared/data/vbench (when present) plus the test phrasings and
conversations, each read by the offline director; prints median, p95 and max milliseconds per message.
LLM: a scripted conversation against the scripted OpenAI-compatible server on 127.0.0.1 where some turns
answer at once, one answers invalid JSON first (a retry), one refuses (offline fallback); prints calls
and tokens per turn. The server's token counts are the ones it reports (a rough 4-characters-a-token
count of the request), so they show the prompt's size, not any real model's bill.

    .venv/bin/python bench/director_latency.py [--repeat 3]      target: offline median <= 5 ms
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path

from agent.director.base import TokenUsage, Turn
from agent.director.llm import LLMDirector
from agent.director.offline import OfflineDirector
from agent.director.patch import SpecPatch
from agent.spec import ShotSpec
from agent.testing.phrasings import CONVERSATIONS, PHRASINGS
from tools.testing.openai_server import ScriptedOpenAI, refusal, reply

ROOT = Path(__file__).resolve().parents[1]

VBENCH = ROOT.parent / "shared" / "data" / "vbench"


def corpus() -> list[str]:
    messages = [m for m, _ in PHRASINGS] + [m for conversation in CONVERSATIONS for m, _ in conversation]
    for name in ("VBench2_full_text.txt", "all_dimension.txt"):
        path = VBENCH / name
        if path.exists():
            messages += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return messages


def offline_latency(repeat: int) -> dict[str, float]:
    director = OfflineDirector()
    messages = corpus()
    for message in messages[:50]:  # warm the regex caches
        director.direct_sync(message, author="bench")
    timings: list[float] = []
    for _ in range(repeat):
        base: ShotSpec | None = None
        for message in messages:
            started = time.perf_counter()
            result = director.direct_sync(message, author="bench", base=base)
            timings.append((time.perf_counter() - started) * 1000)
            base = result.spec if len(timings) % 4 else None  # every few messages refine, then start afresh
    timings.sort()
    return {
        "messages": len(timings),
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 3),
        "max_ms": round(timings[-1], 3),
    }


def _patch(**fields: object) -> dict[str, object]:
    return {name: fields.get(name) for name in SpecPatch.model_fields}


async def llm_turns() -> dict[str, object]:
    turns = [
        (
            "a knight rides through a misty forest at dawn",
            [reply(_patch(subject="a knight", setting="a misty forest"))],
        ),
        ("make it night", [reply(_patch(time_of_day="night"))]),
        ("swap the knight for a fox", ["{not json", reply(_patch(subject="a fox"))]),
        ("slow push in, 8 seconds, vertical", [reply(_patch(camera_movement="dolly_in", camera_speed="slow"))]),
        ("make it look like a bloody war crime", [refusal()]),
        ("twice as long", [reply(_patch(duration_s=16.0))]),
    ]
    script = [item for _, answers in turns for item in answers]
    per_turn: list[dict[str, object]] = []
    total = TokenUsage()
    with ScriptedOpenAI(script) as server:
        director = LLMDirector(base_url=server.base_url, model="bench", timeout_s=5.0)
        base: ShotSpec | None = None
        history: list[Turn] = []
        for message, _ in turns:
            started = time.perf_counter()
            result = await director.direct(message, author="bench", base=base, history=history)
            per_turn.append(
                {
                    "message": message,
                    "director": result.director,
                    "calls": result.usage.calls,
                    "prompt_tokens": result.usage.prompt_tokens,
                    "completion_tokens": result.usage.completion_tokens,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }
            )
            total.calls += result.usage.calls
            total.prompt_tokens += result.usage.prompt_tokens
            total.completion_tokens += result.usage.completion_tokens
            history.append(Turn(author="bench", text=message))
            base = result.spec
    n = len(turns)
    return {
        "turns": per_turn,
        "calls_per_turn": round(total.calls / n, 2),
        "prompt_tokens_per_turn": round(total.prompt_tokens / n, 1),
        "completion_tokens_per_turn": round(total.completion_tokens / n, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpus (default 3)")
    args = parser.parse_args()
    figures = {"offline": offline_latency(args.repeat), "llm_scripted": asyncio.run(llm_turns())}
    figures["offline"]["target_median_ms"] = 5.0
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
