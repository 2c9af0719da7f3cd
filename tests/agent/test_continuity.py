"""Shots that cut together: a shot that continues the previous one starts from its last frame; the reel checks it."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from agent.director.continuity import continuity_wish
from agent.director.offline import OfflineDirector
from tests.agent.test_graph import FOX, WrongCamera, studio_for
from tools.encode import encode_mp4
from tools.reel import make_reel


def test_the_director_hears_continuity_and_keeps_it_out_of_the_picture() -> None:
    director = OfflineDirector()
    spec = director.direct_sync("Ana runs across the bridge, continuing from the last shot", author="ana").spec
    assert spec.continue_previous is True and spec.subject == "Ana" and spec.action == "runs"
    assert "shot" not in (spec.setting or "") and "continu" not in (spec.action or "")
    assert continuity_wish("pick up where the previous shot left off")[0] is True
    assert continuity_wish("continuous action: she opens the door")[0] is True
    assert continuity_wish("don't continue from the last shot, a new scene")[0] is False
    assert continuity_wish("a fox walks on, the camera continues to pan")[0] is None
    stopped = director.direct_sync("a new scene, a fox at night", author="ana", base=spec).spec
    assert stopped.continue_previous is None


async def test_a_continuing_shot_starts_from_the_last_frame_of_the_shot_before(tmp_path: Path, caplog) -> None:
    generator = WrongCamera(wrong=0)
    async with studio_for(generator) as studio:
        alone = await studio.send("t0", "ana", f"{FOX}, continuing from the last shot")
        assert generator.requests[-1].condition is None  # nothing on the storyboard yet
        assert any("no shot on the storyboard yet to continue from" in note for note in alone.notes)
        first = await studio.send("t1", "ana", FOX)
        await studio.approve("t1", first.take_id, "ana")
        second = await studio.send("t1", "ben", "the fox keeps trotting, continuing from the last shot")
        assert second.kind == "take" and second.spec is not None and second.spec.continue_previous
        condition = generator.requests[-1].condition
        assert condition is not None and condition.path == first.take.path and condition.last_frames == 1
        assert any("starts from the last 1 frame(s) of shot 1" in note for note in second.notes)
        board = await studio.approve("t1", second.take_id, "ben")
        assert [shot.spec.continue_previous for shot in board.shots] == [None, True]
        with caplog.at_level(logging.INFO, logger="agent.studio.storyboard"):
            reel = await studio.reel("t1", out=tmp_path / "reel.mp4")
    assert reel.is_file()
    # Only the storyboard's own lines: a client another test left to the garbage collector may log here too.
    assert [r.getMessage() for r in caplog.records if r.name == "agent.studio.storyboard"] == [
        f"reel of t1: shot 2 continues shot 1 at {first.take.duration_s:.2f} s without a cut"
    ]


def _plate(frames: int, start: int, shade: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    plate = np.repeat(np.repeat(rng.random((8, 32, 3)) * 120 + 60, 8, axis=0), 8, axis=1)
    return np.clip(np.stack([np.roll(plate, start + k, axis=1)[:, :96] + shade for k in range(frames)]), 0, 255).astype(
        np.uint8
    )


def test_the_reel_checks_each_continuing_join_with_the_cut_detector(tmp_path: Path) -> None:
    one = encode_mp4(_plate(16, 0), 8, tmp_path / "one.mp4", max_bytes=10**7).path
    two = encode_mp4(_plate(16, 16), 8, tmp_path / "two.mp4", max_bytes=10**7).path  # picks up where one ends
    other = encode_mp4(_plate(16, 200, shade=-50.0)[:, ::-1], 8, tmp_path / "other.mp4", max_bytes=10**7).path
    clips = [Path(one), Path(two), Path(other), Path(one)]
    result = make_reel(clips, tmp_path / "reel.mp4", max_bytes=10**7, continuous=[False, True, True, False])
    assert [check.name for check in result.continuity] == ["continuity_2", "continuity_3"]
    flowing, broken = result.continuity
    assert flowing.passed and flowing.detail == "shot 2 continues shot 1 at 2.00 s without a cut"
    assert not broken.passed and "sees a cut at 4.00 s, where shot 3 should continue shot 2" in broken.detail
    assert broken.detail in result.notes
    assert make_reel(clips, tmp_path / "plain.mp4", max_bytes=10**7).continuity == []  # hard cuts are the edit
