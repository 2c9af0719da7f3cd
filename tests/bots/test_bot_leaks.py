"""What members see never carries the operator's paths or internal exception text."""

from __future__ import annotations

import logging

from agent.events import Error
from bots.cards import public_model
from bots.delivery import public_error


def test_spec_cards_name_a_model_folder_by_its_last_part_only() -> None:
    assert public_model("/srv/secret-models/wan-finetune") == "wan-finetune"
    assert public_model("~/models/ltx/") == "ltx"
    assert public_model("./tiny-wan") == "tiny-wan"
    assert public_model("C:\\\\models\\\\wan") == "wan"
    assert public_model("Wan-AI/Wan2.1-T2V-1.3B-Diffusers") == "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"  # public ids
    assert public_model("wan2.1-1.3b") == "wan2.1-1.3b"


def test_failures_of_ours_are_told_plainly_and_logged_in_full(caplog) -> None:
    secret = "cannot load a pipeline from /srv/secret-models/wan: OSError: [Errno 13] /srv/secret-models/wan/x"
    caplog.set_level(logging.WARNING)
    for kind in ("internal", "model_unavailable", "critic"):
        shown = public_error(Error(thread_id="t1", error_kind=kind, message=secret))
        assert "/srv" not in shown and "OSError" not in shown and "operator's log" in shown
    assert secret in caplog.text
    mine = "You've used your 50 renders for today (UTC); they reset at midnight."
    assert public_error(Error(thread_id="t1", error_kind="over_quota", message=mine)) == mine
    oom = "out of GPU memory at 1280x720; try a shorter or smaller shot"
    assert public_error(Error(thread_id="t1", error_kind="out_of_memory", message=oom)) == oom
