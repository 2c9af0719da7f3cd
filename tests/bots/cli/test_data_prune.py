"""`dailies data prune`: media past the retention age or the disk budget and old finished jobs go; nothing else."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from bots.cli.main import main
from generator.queue.job import Job
from generator.queue.store import JobStore
from generator.request import LookHints, RenderRequest
from tests.patience import patient
from tools.retention import DAY_S, RetentionPolicy, prune_media

NOW = time.time()


def _file(path: Path, size: int, age_days: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (NOW - age_days * DAY_S, NOW - age_days * DAY_S))
    return path


def _job(status: str, age_days: float) -> Job:
    look = LookHints(subject="fox")
    request = RenderRequest(prompt="fox", width=64, height=48, num_frames=6, fps=12, seed=1, look=look)
    finished = NOW - age_days * DAY_S if status != "queued" else None
    return Job(owner="1001", request=request, status=status, finished_at=finished)


def test_prune_keeps_what_the_policy_keeps_and_deletes_the_rest(tmp_path: Path, monkeypatch, capsys) -> None:
    data = tmp_path / "data"
    old = _file(data / "media" / "t1" / "take-old.mp4", 100, age_days=40)
    old_poster = _file(data / "media" / "t1" / "take-old.jpg", 10, age_days=40)
    fresh = _file(data / "media" / "t2" / "take-new.mp4", 100, age_days=1)
    outside = _file(tmp_path / "elsewhere" / "keep.mp4", 100, age_days=400)
    (data / "media" / "t3").mkdir()
    (data / "media" / "t3" / "link.mp4").symlink_to(outside)
    store = JobStore.open(data / "jobs.sqlite")
    for job in (_job("done", 40), _job("failed", 31), _job("done", 2), _job("queued", 0)):
        store.add(job)
    store.close()
    for name in [n for n in os.environ if n.startswith("DAILIES_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DAILIES_DATA_DIR", str(data))
    monkeypatch.setenv("DAILIES_RETENTION_DAYS", "30")

    assert main(["data", "prune", "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert (dry["files_deleted"], dry["jobs_deleted"]) == (2, 2) and old.exists()
    assert main(["data", "prune"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["files_deleted"], report["bytes_deleted"], report["jobs_deleted"]) == (2, 110, 2)
    assert not old.exists() and not old_poster.exists() and not (data / "media" / "t1").exists()
    assert fresh.exists() and outside.exists()
    store = JobStore.open(data / "jobs.sqlite")
    assert sorted(j.status for j in store._select("1=1")) == ["done", "queued"]
    store.close()


def test_past_the_budget_the_oldest_media_goes_first(tmp_path: Path) -> None:
    media = tmp_path / "media"
    files = [_file(media / f"t{i}" / "take.mp4", 100, age_days=5 - i) for i in range(5)]
    report = prune_media(media, RetentionPolicy(max_age_days=0, media_budget_bytes=250), now=NOW)
    assert (report.files, report.kept_bytes) == (3, 200)
    assert [f.exists() for f in files] == [False, False, False, True, True]


def test_prune_without_a_data_folder_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DAILIES_DATA_DIR", str(tmp_path / "nope"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert main(["data", "prune"]) == 2
    assert "no data folder" in capsys.readouterr().err


async def test_the_bot_prunes_by_itself(tmp_path: Path) -> None:
    import asyncio

    from bots.cli.discord import prune_now_and_then
    from bots.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", retention_days=30, prune_every_h=1)
    old = _file(settings.media_dir / "t1" / "take.mp4", 10, age_days=31)
    task = asyncio.create_task(prune_now_and_then(settings))
    try:
        deadline = asyncio.get_running_loop().time() + patient(30)
        while old.exists():
            assert asyncio.get_running_loop().time() < deadline, "the bot never pruned"
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
