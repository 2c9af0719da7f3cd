"""`dailies demo [--out DIR] [--director offline|llm]`: a scripted session that builds a three-shot storyboard.

Seven turns by two creators on the embedded defaults (offline director, previz, the critic; `--director llm`
reads the messages with the configured LLM endpoint instead, and revises with it):
shot 1 is described and refined; shot 2 inherits shot 1's look and goes through previz's
fault injection (the camera turns the wrong way on its first attempt, on purpose) so the
critique, the revision and the passing second attempt are real and visible; shot 3 is
rendered as three variations and one is picked. The approved takes are cut into a reel.
DIR receives the takes, reel.mp4, contact_sheet.png, storyboard.json and summary.json; the summary names the
director that read each message (an LLM turn that fell back says so: offline).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from agent import events as ev
from agent.director.factory import DIRECTORS, DirectorConfigError, make_director
from agent.studio import Studio, TurnResult
from bots.cli.chat import TerminalEvents
from bots.cli.errors import UserError
from bots.settings import Settings

SHOT_1 = (
    "a red fox trots through a snowy birch forest at golden hour, wide shot, "
    "the camera pans left slowly, 35mm film, 2 seconds"
)
REFINE_1 = "make it dusk"
SHOT_2 = "close-up of the fox sniffing the snow, the camera pans right, 2 seconds"
SHOT_3 = "an owl watches from a branch, low angle, the camera tilts up, 2 seconds"


@dataclass
class DemoLog:
    """What happened, turn by turn, for the printed summary."""

    lines: list[str] = field(default_factory=list)
    revisions: list[ev.Revision] = field(default_factory=list)
    critiques: dict[str, ev.CritiqueReady] = field(default_factory=dict)
    turns: list[dict[str, Any]] = field(default_factory=list)  # author, text, director of each turn

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.SpecChanged) and self.turns:
            self.turns[-1]["director"] = event.director
        elif isinstance(event, ev.Revision):
            self.revisions.append(event)
        elif isinstance(event, ev.CritiqueReady):
            self.critiques[event.take_id] = event


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="scripted session: a three-shot storyboard and a reel, offline")
    parser.add_argument("--out", default="demo-out", help="folder for the takes, reel, contact sheet and storyboard")
    parser.add_argument(
        "--director",
        choices=DIRECTORS,
        default="offline",
        help="offline (default) or llm: the endpoint in DAILIES_LLM_BASE_URL / DAILIES_LLM_MODEL",
    )
    parser.set_defaults(func=run)


def demo_settings(settings: Settings, out: Path, director: str = "offline") -> Settings:
    """The embedded defaults, whatever the environment says (previz, no judge), with the director asked for."""
    return settings.model_copy(
        update={
            "data_dir": out / "state",
            "director": director,
            "backend": "previz",
            "model": None,
            "judge_enabled": False,
            "approve_final_renders": True,
        }
    )


async def run_demo(settings: Settings, out: Path, console: Console, **studio_options: Any) -> dict:
    """Play the script; returns the summary (also written to out/summary.json). Options go to Studio.open."""
    thread = f"demo-{uuid.uuid4().hex[:6]}"
    printer = TerminalEvents(console)
    log = DemoLog()

    def both(event: ev.Event) -> None:
        log(event)
        printer(event)

    started = time.perf_counter()
    async with Studio.open(settings.studio_config(), media_dir=out / "takes", **studio_options) as studio:
        turn = 0

        async def say(author: str, text: str, call: Awaitable[TurnResult], aside: str = "") -> TurnResult:
            nonlocal turn
            turn += 1
            console.print(f"\n[bold]turn {turn}[/] [cyan]{author}[/]: {text}", highlight=False)
            log.turns.append({"turn": turn, "author": author, "text": text, "director": None})
            if aside:
                console.print(f"  [dim]({aside})[/]", highlight=False)
            result = await call
            printer.close()
            if result.kind == "error":
                raise RuntimeError(f"demo turn {turn} failed: {result.error.message if result.error else result.notes}")
            return result

        first = await say("ana", SHOT_1, studio.send(thread, "ana", SHOT_1, both))
        refined = await say("ben", REFINE_1, studio.send(thread, "ben", REFINE_1, both))
        await studio.approve(thread, refined.take_id, "ana")
        second = await say(
            "ana",
            SHOT_2,
            studio.send(thread, "ana", SHOT_2, both, faults=("camera_reversed",)),
            aside="demo: previz fault injection camera_reversed on attempt 1, so the critic has something to catch",
        )
        await studio.approve(thread, second.take_id, "ben")
        third = await say("ben", SHOT_3, studio.send(thread, "ben", SHOT_3, both))
        variations = await say("ana", "/variations 3", studio.variations(thread, 3, "ana", both))
        pick = _pick(variations, log)
        await say("ben", f"/pick {pick}", studio.pick(thread, pick, "ben"))
        board = await studio.approve(thread, pick, "ben")
        console.print(f"\n[bold]turn {turn + 1}[/] [cyan]ana[/]: /reel", highlight=False)
        reel_path = await studio.reel(thread, out=out / "reel.mp4")
        sheet = await studio.contact_sheet(thread, out=out / "contact_sheet.png")
        board_path = out / "storyboard.json"
        board_path.write_text(board.model_dump_json(indent=2), encoding="utf-8")
        summary = _summary(
            thread, board, [first, refined, second, third, variations], log, reel_path, sheet, board_path
        )
    summary["turns"] = turn + 1
    summary["turn_directors"] = log.turns
    summary["seconds"] = round(time.perf_counter() - started, 2)
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def _pick(variations: TurnResult, log: DemoLog) -> str:
    """The creator's pick: the variation the critic scored highest."""
    ranked = sorted(
        variations.take_ids,
        key=lambda t: log.critiques[t].critique.score if t in log.critiques else 0.0,
        reverse=True,
    )
    return ranked[0]


def _summary(thread, board, results, log: DemoLog, reel: Path, sheet: Path, board_path: Path) -> dict:
    from tools.reel import probe

    reel_info = probe(reel)
    shots = [
        {
            "shot": number,
            "take_id": shot.take_id,
            "subject": shot.spec.subject,
            "camera": shot.spec.camera_movement,
            "duration_s": shot.duration_s,
            "score": shot.score,
            "take": shot.take_path,
        }
        for number, shot in enumerate(board.shots, 1)
    ]
    revised = results[2]
    return {
        "thread": thread,
        "shots": shots,
        "shots_total_s": round(sum(s.duration_s or 0 for s in board.shots), 3),
        "reel": {"path": str(reel), "duration_s": round(reel_info.duration_s, 3), "bytes": reel.stat().st_size},
        "contact_sheet": str(sheet),
        "storyboard": str(board_path),
        "fault_injection": {
            "shot": 2,
            "fault": "camera_reversed (previz option, off by default): attempt 1 turned the camera the wrong way",
            "attempts": [a.model_dump() for a in revised.attempts],
            "revisions": [r.model_dump(exclude={"thread_id", "kind"}) for r in log.revisions],
        },
        "refinement": [f"{c.author}: {c.field} {c.old} -> {c.new}" for c in results[1].changes],
        "variations": results[4].take_ids,
    }


def print_summary(console: Console, summary: dict) -> None:
    console.print("\n[bold]Demo summary[/]", highlight=False)
    for shot in summary["shots"]:
        console.print(
            f"  shot {shot['shot']}: take {shot['take_id']} - {shot['subject']}, {shot['camera']}, "
            f"{shot['duration_s']} s, critic score {shot['score']}",
            highlight=False,
        )
    console.print(f"  shot 1 refined: {'; '.join(summary['refinement'])}", highlight=False)
    fault = summary["fault_injection"]
    console.print(f"  shot 2 went through a deliberate fault: {fault['fault']}.", highlight=False)
    for attempt in fault["attempts"]:
        verdict = "passed" if attempt["passed"] else "failed"
        how = f" after revision ({attempt['strategy']}: {'; '.join(attempt['changes'])})" if attempt["strategy"] else ""
        injected = f" with injected fault {', '.join(attempt['faults'])}" if attempt["faults"] else ""
        console.print(
            f"    attempt {attempt['attempt']}{injected}{how}: {verdict}, score {attempt['score']:.2f}", highlight=False
        )
    for revision in fault["revisions"]:
        console.print(f"    the critic said: {revision['reason']}", highlight=False)
    console.print(f"  variations of shot 3: {', '.join(summary['variations'])}", highlight=False)
    reel = summary["reel"]
    console.print(
        f"  reel: {reel['path']} ({reel['duration_s']} s; the shots sum to {summary['shots_total_s']} s; "
        f"{reel['bytes']} bytes)",
        highlight=False,
    )
    console.print(f"  contact sheet: {summary['contact_sheet']}", highlight=False)
    console.print(f"  storyboard: {summary['storyboard']}", highlight=False)
    for said in summary["turn_directors"]:
        director = f"{said['director']} director" if said["director"] else "a command, no director"
        console.print(f"  turn {said['turn']} ({said['author']}, {director}): {said['text']}", highlight=False)
    console.print(f"  {summary['turns']} turns in {summary['seconds']} s", highlight=False)


def run(args: argparse.Namespace, settings: Settings) -> int:
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder {out}: {exc.strerror or exc}") from None
    settings = demo_settings(settings, out, args.director)
    try:
        make_director(settings.director_config())  # an LLM demo needs its endpoint: say so in one line
    except DirectorConfigError as exc:
        raise UserError(str(exc)) from None
    progress = Console(stderr=True, soft_wrap=True)
    from generator.queue.store import JobStoreError

    try:
        summary = asyncio.run(run_demo(settings, out, progress))
    except JobStoreError as exc:
        raise UserError(str(exc)) from None
    print_summary(Console(soft_wrap=True), summary)
    return 0
