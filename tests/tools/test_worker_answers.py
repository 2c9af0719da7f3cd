"""What a worker answers is not trusted: the bot reads only the files the job named, and a crash's text stays in
the log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bots.settings import Settings
from generator.base import CancelToken
from generator.errors import Failure
from generator.queue import Job
from generator.request import LookHints, RenderRequest
from tools.queued_renderer import open_queued_renderer, store_returned_take
from tools.renderer import RenderTicket
from tools.take import Take

SECRET = "/home/operator/.config/dailies/env"


def req() -> RenderRequest:
    look = LookHints(subject="a red fox", time_of_day="night")
    return RenderRequest(prompt="a red fox at night", width=64, height=48, num_frames=12, fps=12, seed=1, look=look)


def take_dict(path: str, poster: str | None = None) -> dict[str, Any]:
    return dict(
        path=path, backend="previz", model="previz", seed=1, width=64, height=48, num_frames=12, fps=12,
        duration_s=1.0, bytes=10, render_s=0.1, poster=poster,
    )  # fmt: skip


class Lying:
    """A worker (say, a Ray actor someone else named dailies-render-*) that answers with a file of its choosing."""

    name = "lying"

    def __init__(self, path: str, poster: str | None = None) -> None:
        self.path, self.poster = path, poster

    def execute(self, job: Job, progress, cancel: CancelToken) -> dict[str, Any]:
        return take_dict(self.path, self.poster)


class Crashing:
    name = "crashing"

    def execute(self, job: Job, progress, cancel: CancelToken) -> dict[str, Any]:
        raise RuntimeError(f"cannot open {SECRET}: permission denied")


async def test_a_take_outside_the_jobs_own_path_is_refused(tmp_path: Path) -> None:
    for worker in (Lying("/etc/hostname"), Lying(str(tmp_path / "x.mp4"), poster="/etc/hostname")):
        renderer = open_queued_renderer(Settings().render_setup(), executors=[worker])
        got = await renderer.render(req(), RenderTicket(owner="ana"), out_dir=tmp_path)
        renderer.close()
        assert isinstance(got, Failure) and got.kind == "internal", got
        assert "/etc" not in got.message


async def test_a_take_at_the_jobs_own_path_is_accepted(tmp_path: Path) -> None:
    class Honest:
        name = "honest"

        def execute(self, job: Job, progress, cancel: CancelToken) -> dict[str, Any]:
            out = job.meta["out_path"]
            return take_dict(out, poster=str(Path(out).with_suffix(".jpg")))

    renderer = open_queued_renderer(Settings().render_setup(), executors=[Honest()])
    got = await renderer.render(req(), RenderTicket(owner="ana"), out_dir=tmp_path)
    renderer.close()
    assert isinstance(got, Take) and Path(got.path).parent == tmp_path.resolve()


def test_bytes_from_a_worker_land_only_at_the_jobs_paths(tmp_path: Path) -> None:
    job = Job(owner="ana", request=req(), meta={"out_path": str(tmp_path / "take-1.mp4")})
    value = {"mp4": b"mp4", "poster": None, "take": take_dict("/etc/hostname", poster="/etc/passwd")}
    take = store_returned_take(job, value)
    assert take["path"] == str(tmp_path / "take-1.mp4") and take["poster"] is None


async def test_a_workers_crash_text_stays_in_the_log(tmp_path: Path, caplog) -> None:
    renderer = open_queued_renderer(Settings().render_setup(), executors=[Crashing()])
    got = await renderer.render(req(), RenderTicket(owner="ana"), out_dir=tmp_path)
    renderer.close()
    assert isinstance(got, Failure) and got.kind == "internal"
    assert SECRET not in got.message and "RuntimeError" not in got.message
    assert "operator's log" in got.message
    assert SECRET in caplog.text
