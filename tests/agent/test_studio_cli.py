"""`dailies demo` and `dailies chat` on top of the Studio: the scripted session and a terminal conversation."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from agent.spec import Storyboard
from bots.cli.chat import chat_loop
from bots.cli.demo import demo_settings, run_demo
from bots.cli.main import main
from bots.settings import Settings
from tests.agent.test_graph import SMALL, WrongCamera, studio_for
from tools.reel import probe


async def test_demo_builds_three_shots_with_a_visible_revision_and_a_reel(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    console = Console(file=io.StringIO(), width=200)
    # The demo's own script and default renderer (the job queue), on a smaller previz frame for speed.
    summary = await run_demo(demo_settings(Settings(), out), out, console, family=SMALL)
    assert summary["turns"] == 7 and len(summary["shots"]) == 3  # 3 shots, a refinement, /variations, /pick, /reel
    for shot in summary["shots"]:
        assert Path(shot["take"]).is_file()
    assert summary["reel"]["duration_s"] == summary["shots_total_s"] == 6.0
    assert probe(Path(summary["reel"]["path"])).num_frames == 3 * 48
    board = Storyboard.model_validate_json((out / "storyboard.json").read_text())
    assert [s.take_id for s in board.shots] == [s["take_id"] for s in summary["shots"]]
    assert board.shots[1].spec.style == board.shots[0].spec.style == "35mm film"  # inherited
    assert (out / "contact_sheet.png").stat().st_size > 0
    first, second = summary["fault_injection"]["attempts"]
    assert first["faults"] == ["camera_reversed"] and first["passed"] is False
    assert second["faults"] == [] and second["passed"] is True and second["strategy"] == "reseed"
    assert "instead of pan_right" in summary["fault_injection"]["revisions"][0]["reason"]
    assert summary["refinement"] == ["ben: time_of_day golden_hour -> dusk"]
    assert len(summary["variations"]) == 3 and board.shots[2].take_id in summary["variations"]
    assert json.loads((out / "summary.json").read_text())["shots"] == summary["shots"]
    log = console.file.getvalue()  # type: ignore[attr-defined]
    assert "revision -> attempt 2 (reseed)" in log and "fault injection camera_reversed" in log
    directors = [(t["turn"], t["director"]) for t in summary["turn_directors"]]
    assert directors == [(1, "offline"), (2, "offline"), (3, "offline"), (4, "offline"), (5, None), (6, None)]


async def test_demo_with_the_llm_director_names_it_on_each_turn(tmp_path: Path) -> None:
    from tools.testing.openai_server import ScriptedOpenAI, reply

    def model(request: dict) -> object:
        if "PromptRewrite" in json.dumps(request.get("response_format")):  # the schema's title
            return reply({"prompt": "the camera pans right, a red fox sniffing the snow", "reason": "camera first"})
        return reply({"question": None})  # an empty patch: the creator's words, read by the grammar, fill the shot

    out = tmp_path / "demo"
    console = Console(file=io.StringIO(), width=200)
    with ScriptedOpenAI(model, dialect="llama-cpp-python") as server:
        configured = Settings(llm_base_url=server.base_url, llm_model="smollm2")
        summary = await run_demo(demo_settings(configured, out, "llm"), out, console, family=SMALL)
    assert [t["director"] for t in summary["turn_directors"]][:4] == ["llm"] * 4
    assert summary["fault_injection"]["attempts"][1]["strategy"] == "llm_rewrite"
    assert len(summary["shots"]) == 3


def test_demo_llm_without_an_endpoint_is_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "--director", "llm", "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "DAILIES_LLM_BASE_URL" in err and err.count("\n") == 1


def test_demo_reports_an_unusable_out_folder_in_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["demo", "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dailies: cannot create output folder") and err.count("\n") == 1


def script(*lines: str):  # type: ignore[no-untyped-def]
    pending = list(lines)

    async def read(prompt: str) -> str | None:
        return pending.pop(0) if pending else None

    return read


async def test_chat_runs_commands_and_resumes_the_conversation() -> None:
    text = io.StringIO()
    console = Console(file=text, width=200)
    async with studio_for(WrongCamera(wrong=0)) as studio:
        turns = await chat_loop(
            studio,
            "terminal",
            "you",
            console,
            script(
                "a red fox in the snow, the camera pans left, 1 second, 12fps",
                "/variations 2",
                "/final",
                "/no",
                "/approve",
                "/storyboard",
                "/move 1 2",
                "/reel",
                "/sheet",
                "/warp 9",
                "/quit",
                "never read",
            ),
        )
    log = text.getvalue()
    assert turns == 10
    assert "you: subject none -> a red fox" in log
    assert "of 2 variations" in log
    assert "storyboard: 1 shots" in log and "1. take " in log
    assert "there is no shot 2" in log  # /move 1 2 on a one-shot board: a one-line error, the chat goes on
    assert "reel: " in log and "contact sheet: " in log
    assert "approve the final render" in log and "final render declined" in log
    assert "unknown command /warp" in log
    later = io.StringIO()
    async with studio_for(WrongCamera(wrong=0)) as studio:
        assert await chat_loop(studio, "terminal", "you", Console(file=later, width=200), script("/takes")) == 1
        assert len(await studio.takes("terminal")) == 3
    assert "conversation 'terminal': 1 shots on the storyboard" in later.getvalue()


async def test_a_note_repeated_by_every_take_is_shown_once_per_chat() -> None:
    text = io.StringIO()
    async with studio_for(WrongCamera(wrong=0)) as studio:
        lines = ("a red fox in the snow, the camera pans left, 12fps", "make it dusk")
        assert await chat_loop(studio, "terminal", "you", Console(file=text, width=200), script(*lines)) == 2
        takes = await studio.takes("terminal")
    log = text.getvalue()
    assert len(takes) == 2 and log.count("take ") >= 2
    assert log.count("no duration asked for") == 1, log


async def test_chat_offers_to_answer_an_approval_left_by_a_previous_session() -> None:
    async with studio_for(WrongCamera(wrong=0)) as studio:
        await chat_loop(studio, "t", "you", Console(file=io.StringIO()), script("an owl, 1 second", "/final"))
    text = io.StringIO()
    async with studio_for(WrongCamera(wrong=0)) as studio:
        await chat_loop(studio, "t", "you", Console(file=text, width=200), script("/yes"))
        takes = await studio.takes("t")
    assert "waits for approval" in text.getvalue()
    assert [t.kind for t in takes] == ["draft", "final"]


def test_chat_without_a_usable_director_is_a_one_line_error(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DAILIES_DIRECTOR", "llm")  # no endpoint configured
    assert main(["chat", "--out", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("dailies: the llm director needs DAILIES_LLM_BASE_URL")
