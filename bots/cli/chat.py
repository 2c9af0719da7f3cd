"""`dailies chat`: an interactive terminal conversation with the agent, with rich progress bars."""

from __future__ import annotations

import argparse
import asyncio
import shlex
from collections.abc import Awaitable, Callable
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from agent import events as ev
from agent.studio import Studio, StudioError, TurnResult
from bots.cli.errors import UserError
from bots.settings import Settings

HELP = """\
Type what the shot should show; every message refines the same shot. Commands:
  /approve [TAKE]       put the current take (or TAKE) on the storyboard as the next shot
  /reroll [TAKE]        the same shot with a new seed
  /variations [N]       N seeds of the current shot (default 3); then /pick TAKE
  /pick TAKE            make TAKE the current take
  /extend [TAKE] [TEXT] continue a take from its last frames
  /final [TAKE]         final-quality render (asks for approval when that is on)
  /yes, /no             answer a pending approval
  /storyboard           list the shots        /move N M   move shot N to M    /remove N
  /reel [crossfade]     cut the storyboard into one mp4
  /sheet                contact sheet PNG of the storyboard
  /takes                list this thread's takes          /spec   show the current spec
  /help                 this text             /quit       leave (the conversation is saved)"""

Reader = Callable[[str], Awaitable[str | None]]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("chat", help="interactive terminal conversation with the agent")
    parser.add_argument("--out", default=None, help="data folder for takes and the conversation (default: settings)")
    parser.add_argument("--thread", default="terminal", help="conversation name; the same name resumes it")
    parser.add_argument("--author", default="you", help="your name in the conversation")
    parser.set_defaults(func=run)


class TerminalEvents:
    """Prints agent events to a rich console: progress bars on a terminal, plain lines otherwise."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._last_step = -1
        self.shown_notes: set[str] = set()  # the notes of results already shown in this chat

    def __call__(self, event: ev.Event) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is not None:
            handler(event)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress, self._task = None, None

    def _line(self, text: str) -> None:
        self.close()
        self.console.print(text, highlight=False)

    def _on_spec_changed(self, event: ev.SpecChanged) -> None:
        for change in event.changes:
            suggested = " [dim](the model's suggestion)[/]" if change.suggested else ""
            self._line(
                f"  [cyan]{change.author}[/]: {change.field} {_short(change.old)} -> {_short(change.new)}{suggested}"
            )
        for note in event.notes:  # said as the message is read; the result's notes do not repeat it
            self.shown_notes.add(note)
            self._line(f"  [dim]note: {note}[/]")

    def _on_queued(self, event: ev.Queued) -> None:
        eta = f", ready in about {event.eta_s:.0f} s" if event.eta_s is not None else ""
        self._line(f"  queued: {event.position} ahead{eta}")

    def _on_progress(self, event: ev.Progress) -> None:
        if not self.console.is_terminal:
            if event.step == event.total:
                self.console.print(f"  rendered attempt {event.attempt}: {event.total}/{event.total} {event.stage}")
            return
        if self._progress is None:
            self._progress = Progress(
                TextColumn("  attempt {task.fields[attempt]} {task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(event.stage, total=event.total, attempt=event.attempt)
        assert self._task is not None
        self._progress.update(
            self._task, completed=event.step, total=event.total, description=event.stage, attempt=event.attempt
        )

    def _on_animatic(self, event: ev.AnimaticReady) -> None:
        take, guided = event.take, " (the take's camera guide)" if event.guided else ""
        self._line(
            f"  [magenta]animatic[/]{guided}: {take.width}x{take.height}, {take.duration_s:g} s -> {take.path}; "
            "the model take follows"
        )

    def _on_take_ready(self, event: ev.TakeReady) -> None:
        take = event.take
        self._line(
            f"  [green]take {event.take_id}[/] ({event.take_kind}, attempt {event.attempt}): "
            f"{take.width}x{take.height}, {take.duration_s:g} s at {take.fps} fps, seed {take.seed}, "
            f"{take.bytes / 1024:.0f} KiB -> {take.path}"
        )

    def _on_critique(self, event: ev.CritiqueReady) -> None:
        critique = event.critique
        verdict = "[green]passed[/]" if critique.passed else "[red]failed[/]"
        motion = critique.camera_motion
        expected = f" (asked {motion.expected})" if motion.expected else ""
        self._line(
            f"  critique of {event.take_id}: {verdict}, score {critique.score:.2f}, camera {motion.detected}{expected}"
        )
        for check in critique.failed_checks:
            self._line(f"    [red]x[/] {check.name}: {check.detail or check.value}")

    def _on_revision(self, event: ev.Revision) -> None:
        self._line(f"  [yellow]revision -> attempt {event.attempt}[/] ({event.strategy}): {event.reason}")
        for change in event.changes:
            self._line(f"    - {change}")

    def _on_question(self, event: ev.Question) -> None:
        self._line(f"[bold]dailies:[/] {event.text}")

    def _on_approval_needed(self, event: ev.ApprovalNeeded) -> None:
        self._line(f"[bold]dailies:[/] approve the {event.summary}? (/yes or /no)")

    def _on_done(self, event: ev.Done) -> None:
        score = f", score {event.critique.score:.2f}" if event.critique else ""
        if all(a.strategy == "variation" for a in event.attempts):
            tries = f" of {len(event.attempts)} variations"
        else:
            tries = f" after {len(event.attempts)} attempts" if len(event.attempts) > 1 else ""
        self._line(f"  [bold]best take {event.best_take_id}[/]{score}{tries}")

    def _on_error(self, event: ev.Error) -> None:
        self._line(f"  [red]{event.error_kind}[/]: {event.message}")


def _short(value: object) -> str:
    text = "none" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


async def _stdin_reader(prompt: str) -> str | None:
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


async def chat_loop(studio: Studio, thread: str, author: str, console: Console, read: Reader) -> int:
    """Read lines until /quit or end of input; each line is a message or a command. Returns the turn count."""
    printer = TerminalEvents(console)
    pending = await studio.pending(thread)
    if pending is not None and pending.approval:
        console.print(f"resumed: the {pending.approval} waits for approval (/yes or /no)")
    elif pending is not None and pending.question:
        console.print(f"resumed: waiting for your answer to: {pending.question}", highlight=False)
    elif pending is not None:
        console.print(f"resumed: finishing the run cut off in {', '.join(pending.nodes)}")
        await studio.recover(thread, printer)
    board = await studio.storyboard(thread)
    if board.shots or await studio.spec(thread):
        console.print(f"conversation {thread!r}: {len(board.shots)} shots on the storyboard")
    turns = 0
    while True:
        line = await read("> ")
        if line is None:
            break
        line = line.strip()
        if not line:
            continue
        if line.lower() in ("/quit", "/exit", "quit", "exit"):  # the bare words too: never a shot to render
            break
        turns += 1
        try:
            await _handle(studio, thread, author, line, printer, console)
        except StudioError as exc:
            printer.close()
            console.print(f"[red]{exc}[/]")
        finally:
            printer.close()
    return turns


async def _handle(
    studio: Studio, thread: str, author: str, line: str, printer: TerminalEvents, console: Console
) -> None:
    if not line.startswith("/"):
        _report(console, await studio.send(thread, author, line, printer), printer.shown_notes)
        return
    words = shlex.split(line[1:]) if line.count('"') % 2 == 0 else line[1:].split()
    command, args = words[0].lower(), words[1:]
    first = args[0] if args else None
    if command == "help":
        console.print(HELP)
    elif command == "approve":
        board = await studio.approve(thread, first, author)
        console.print(f"storyboard: {len(board.shots)} shots; the next shot keeps the look, place and cast")
    elif command == "reroll":
        _report(console, await studio.reroll(thread, first, author, printer), printer.shown_notes)
    elif command == "variations":
        _report(console, await studio.variations(thread, _number(first, 3), author, printer), printer.shown_notes)
    elif command == "pick":
        if first is None:
            raise StudioError("say which take: /pick TAKE")
        _report(console, await studio.pick(thread, first, author), printer.shown_notes)
    elif command == "extend":
        takes = {t.take_id for t in await studio.takes(thread)}
        take_id = first if first in takes else None
        text = " ".join(args[1:] if take_id else args) or None
        _report(console, await studio.extend(thread, take_id, author, text, printer), printer.shown_notes)
    elif command == "final":
        _report(console, await studio.final_render(thread, first, author, printer), printer.shown_notes)
    elif command in ("yes", "no"):
        _report(console, await studio.resume(thread, command == "yes", author, printer), printer.shown_notes)
    elif command == "storyboard":
        _print_board(console, await studio.storyboard(thread))
    elif command == "move":
        if len(args) != 2:
            raise StudioError("say which shot and where: /move N M")
        _print_board(console, await studio.reorder(thread, _number(args[0], 0), _number(args[1], 0), author))
    elif command == "remove":
        _print_board(console, await studio.remove(thread, _number(first, 0), author))
    elif command == "reel":
        path = await studio.reel(thread, crossfade=first == "crossfade")
        console.print(f"reel: {path}")
    elif command == "sheet":
        console.print(f"contact sheet: {await studio.contact_sheet(thread)}")
    elif command == "takes":
        for record in await studio.takes(thread):
            score = f"{record.critique.score:.2f}" if record.critique else "-"
            console.print(
                f"  {record.take_id}  {record.kind:9} attempt {record.attempt}  score {score}  {record.take.path}"
            )
    elif command == "spec":
        spec = await studio.spec(thread)
        console.print_json(spec.model_dump_json(exclude_none=True) if spec else "null")
    else:
        raise StudioError(f"unknown command /{command}; /help lists them")


def _number(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise StudioError(f"{text!r} is not a number") from None


def _report(console: Console, result: TurnResult, shown: set[str]) -> None:
    # A render's notes repeat on every take ("snapped to 848x480", "used 4 s"): each is shown once per chat.
    for note in result.notes:
        if note not in shown:
            shown.add(note)
            console.print(f"  [dim]note: {note}[/]")
    if result.kind == "picked":
        console.print(f"take {result.take_id} is now the current take")
    elif result.kind == "declined":
        console.print("final render declined")


def _print_board(console: Console, board: object) -> None:
    shots = getattr(board, "shots", [])
    if not shots:
        console.print("the storyboard is empty")
    for number, shot in enumerate(shots, 1):
        spec = shot.spec
        console.print(
            f"  {number}. take {shot.take_id}: {spec.subject or '-'}, "
            f"{spec.camera_movement or '-'}, {shot.duration_s} s"
        )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.out:
        settings = settings.model_copy(update={"data_dir": Path(args.out)})
    try:
        settings.ensure_data_dir()
    except OSError as exc:
        raise UserError(f"cannot create data folder {settings.data_dir}: {exc.strerror or exc}") from None
    console = Console(stderr=True, soft_wrap=True)
    console.print(f"Dailies chat ({settings.director_kind} director, {settings.backend} backend). /help for commands.")

    async def main() -> int:
        async with Studio.open(settings.studio_config()) as studio:
            return await chat_loop(studio, args.thread, args.author, console, _stdin_reader)

    from agent.director.factory import DirectorConfigError
    from generator.queue.store import JobStoreError

    try:
        asyncio.run(main())
    except (DirectorConfigError, JobStoreError) as exc:
        raise UserError(str(exc)) from None
    return 0
