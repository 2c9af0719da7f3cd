"""Contact sheets and the agent's expectation_from."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from agent.expect import expectation_from
from agent.spec import Character, ShotSpec
from generator.request import RenderRequest
from tools.contact_sheet import contact_sheet, data_url, write_contact_sheet


def test_contact_sheet_lays_frames_out_in_time_order(tmp_path) -> None:
    frames = np.stack([np.full((36, 64, 3), 20 * i, np.uint8) for i in range(7)])
    sheet = contact_sheet(frames, columns=3, tile_width=64, gap=2)
    assert sheet.shape == (3 * 36 + 4 * 2, 3 * 64 + 4 * 2, 3)
    assert sheet[2 + 10, 2 + 10].tolist() == [0, 0, 0]  # first tile, top left
    assert sheet[2 + 36 + 2 + 10, 2 + 10].tolist() == [60, 60, 60]  # fourth tile starts row two
    assert sheet[-5, -5].tolist() == [16, 16, 16]  # the empty ninth cell is background
    labelled = contact_sheet(frames[:2], columns=2, tile_width=128, labels=["0.0s", "0.5s"])
    assert labelled.max() == 255  # the label is drawn in white
    path = write_contact_sheet(frames, tmp_path / "sheet.png", columns=4, tile_width=32)
    assert Image.open(path).size == (4 * 32 + 5 * 4, 2 * 18 + 3 * 4)
    assert data_url(sheet).startswith("data:image/jpeg;base64,")


def test_contact_sheet_refuses_bad_input(tmp_path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        contact_sheet([])
    with pytest.raises(ValueError, match="labels"):
        contact_sheet([np.zeros((8, 8), np.uint8)], labels=["a", "b"])
    with pytest.raises(ValueError, match="float"):
        contact_sheet([np.zeros((8, 8), np.float32)])
    with pytest.raises(ValueError, match=r"\.jpg or \.png"):
        write_contact_sheet([np.zeros((8, 8), np.uint8)], tmp_path / "sheet.gif")


def test_expectation_takes_sizes_from_the_request_when_given() -> None:
    spec = ShotSpec(
        subject="a lighthouse",
        camera_movement="dolly_in",
        camera_speed="slow",
        duration_s=4,
        fps=24,
        time_of_day="dusk",
        characters=[Character(name="Ana", description="a woman in a yellow raincoat")],
    )
    alone = expectation_from(spec)
    assert (alone.duration_s, alone.fps, alone.width, alone.height) == (4, 24, None, None)
    assert alone.subject == "a lighthouse; Ana (a woman in a yellow raincoat)"
    assert alone.camera_movement == "dolly_in" and alone.camera_speed == "slow" and alone.time_of_day == "dusk"
    request = RenderRequest(prompt="x", width=832, height=480, num_frames=81, fps=16)
    snapped = expectation_from(spec, request)
    assert (snapped.duration_s, snapped.fps, snapped.width, snapped.height) == (5.0625, 16, 832, 480)
    assert expectation_from(ShotSpec(camera_movement="static", camera_speed="fast")).camera_speed is None
