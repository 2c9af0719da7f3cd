"""The model registry: every family's rules are consistent, and snapping follows them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.families import DIFFUSERS_FAMILIES, FAMILIES, PREVIZ, find_family, get_family

REQUIRED = ("wan2.1-1.3b", "wan2.1-14b", "wan2.2-ti2v-5b", "wan2.2-t2v-a14b", "ltx-video", "cogvideox-2b",
            "cogvideox-5b", "hunyuan-video")  # fmt: skip


def test_the_issue_families_are_registered_with_complete_rules():
    assert set(REQUIRED) <= set(FAMILIES)
    for family in DIFFUSERS_FAMILIES:
        assert family.pipeline_class and family.i2v_pipeline_class and family.hub_id, family.name
        assert family.native_width % family.size_multiple == 0 and family.native_height % family.size_multiple == 0
        assert family.snap_frames(family.max_frames) == family.max_frames, family.name
        assert family.vram_gb > 0 and family.memory_options and family.guidance_note
        assert family.supports_negative_prompt == (family.default_negative_prompt is not None)


def test_rules_from_the_design():
    assert (get_family("ltx-video").frame_rule, get_family("ltx-video").size_multiple) == ("8k+1", 32)
    assert (get_family("wan2.1-1.3b").frame_rule, get_family("wan2.1-1.3b").size_multiple) == ("4k+1", 16)
    assert get_family("wan2.2-ti2v-5b").size_multiple == 32
    assert get_family("cogvideox-2b").frame_rule == get_family("hunyuan-video").frame_rule == "4k+1"
    assert not get_family("hunyuan-video").supports_negative_prompt


def test_aliases_and_unknown_names():
    assert find_family("Wan").name == "wan2.1-1.3b"
    assert get_family("ltx") is get_family("ltx-video")
    assert get_family("previz") is PREVIZ
    with pytest.raises(ValueError, match="known families"):
        get_family("sora")


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_snaps_follow_each_family(name):
    family = FAMILIES[name]
    for wanted in (1, 10, 48, 81, 100, 10_000):
        got = family.snap_frames(wanted)
        assert 1 <= got <= family.max_frames and (got - 1) % family.frame_step == 0
    assert family.snap_side(1) == family.size_multiple


@given(st.integers(1, 400))
def test_ltx_snaps_to_the_nearest_8k_plus_1(wanted):
    got = get_family("ltx-video").snap_frames(wanted)
    assert (got - 1) % 8 == 0
    assert abs(got - min(wanted, 257)) <= 4
