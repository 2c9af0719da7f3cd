"""The terminal chat's event lines: the animatic is shown before the model take, with where it was written."""

from __future__ import annotations

import io

from rich.console import Console

from agent.events import AnimaticReady, TakeReady
from bots.cli.chat import TerminalEvents
from tools.take import Take


def _take(path: str, backend: str) -> Take:
    fields = dict(seed=7, width=64, height=32, num_frames=9, fps=8, duration_s=1.125, bytes=2048, render_s=0.2)
    return Take(path=path, backend=backend, model=backend, **fields)


def test_the_animatic_is_announced_with_its_file_then_the_take():
    out = io.StringIO()
    events = TerminalEvents(Console(file=out, force_terminal=False, width=200))
    events(AnimaticReady(thread_id="t", take=_take("/tmp/p.mp4", "previz"), guided=True))
    events(TakeReady(thread_id="t", take_id="ab12", take=_take("/tmp/a.mp4", "diffusers"), attempt=1))
    lines = out.getvalue().splitlines()
    assert lines[0] == "  animatic (the take's camera guide): 64x32, 1.125 s -> /tmp/p.mp4; the model take follows"
    assert lines[1].startswith("  take ab12 (draft, attempt 1)")
