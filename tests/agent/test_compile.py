"""compile_shot: per-family wording, negative prompts, aspect sizes and every snap reported as a note."""

from __future__ import annotations

import pytest

from agent.compile import compile_shot, prompt_text
from agent.spec import Character, ShotSpec
from generator.families import FAMILIES, PREVIZ, get_family
from generator.request import CameraGuide
from generator.segments import pass_frames, split_shot
from generator.vocabulary import ASPECT_RATIOS, ASPECT_VALUES
from tools.long_take import DEFAULT_SEGMENT_S

FOX = ShotSpec(
    subject="a red fox",
    action="trots through the snow",
    setting="a birch forest",
    time_of_day="dawn",
    camera_movement="dolly_in",
    camera_speed="slow",
    shot_size="wide",
    lighting="soft backlight",
    style="35mm film",
    effects=["falling snow"],
    duration_s=5.0,
    aspect_ratio="16:9",
)


@pytest.mark.parametrize("name", sorted(n for n, f in FAMILIES.items() if not f.tiny))  # tiny: too coarse
@pytest.mark.parametrize("aspect", ASPECT_RATIOS)
def test_sizes_are_a_trained_size_or_the_aspect_at_the_native_area(name, aspect):
    family = FAMILIES[name]
    compiled = compile_shot(FOX.model_copy(update={"aspect_ratio": aspect}), family)
    request = compiled.request
    assert request.width % family.size_multiple == 0 and request.height % family.size_multiple == 0
    size = (request.width, request.height)
    if family.only_trained_sizes:
        assert size in family.trained_sizes
    elif size in family.trained_sizes:  # a trained size is taken only for an aspect close to it
        assert abs(request.width / request.height - ASPECT_VALUES[aspect]) / ASPECT_VALUES[aspect] < 0.09
    else:
        assert abs(request.width / request.height - ASPECT_VALUES[aspect]) / ASPECT_VALUES[aspect] < 0.12
        assert abs(request.width * request.height / family.native_area - 1) < 0.15
        if family.trained_sizes:  # off the trained sizes: said, with the sizes it knows
            assert any("not a size it was trained at" in note for note in compiled.notes)


@pytest.mark.parametrize(
    ("family", "aspect", "size"),
    [
        ("wan2.1-1.3b", "16:9", (832, 480)),  # not 848x480, the aspect at the native area
        ("wan2.1-1.3b", "9:16", (480, 832)),
        ("wan2.1-14b", "16:9", (1280, 720)),
        ("wan2.2-ti2v-5b", "16:9", (1280, 704)),
        ("cogvideox-2b", "16:9", (720, 480)),  # not 784x448: CogVideoX renders 720x480 only
        ("cogvideox-5b", "9:16", (720, 480)),
        ("cogvideox1.5-5b", "16:9", (1360, 768)),
        ("hunyuan-video", "16:9", (960, 544)),  # 540p-class by default, not 1280x720
        ("hunyuan-video", "9:16", (544, 960)),
        ("hunyuan-video", "1:1", (720, 720)),
    ],
)
def test_an_aspect_near_a_trained_size_snaps_to_it_with_a_note(family, aspect, size):
    compiled = compile_shot(FOX.model_copy(update={"aspect_ratio": aspect}), get_family(family))
    assert (compiled.request.width, compiled.request.height) == size
    if ASPECT_VALUES[aspect] != size[0] / size[1]:
        assert any(f"{size[0]}x{size[1]}" in note for note in compiled.notes), compiled.notes


FIXED_LENGTHS = [("cogvideox-2b", 4.0, 49), ("cogvideox-5b", 2.0, 49), ("cogvideox1.5-5b", 4.0, 81),
                 ("cogvideox1.5-5b", 7.0, 161)]  # fmt: skip


@pytest.mark.parametrize(("family", "duration", "frames"), FIXED_LENGTHS)
def test_families_trained_at_fixed_lengths_snap_to_them(family, duration, frames):
    compiled = compile_shot(FOX.model_copy(update={"duration_s": duration, "fps": None}), get_family(family))
    assert compiled.request.num_frames == frames
    assert any("renders only" in note and f"to {frames}" in note for note in compiled.notes), compiled.notes


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_frames_follow_the_rule_and_every_snap_is_a_note(name):
    family = FAMILIES[name]
    compiled = compile_shot(FOX.model_copy(update={"duration_s": 2.3, "fps": 24}), family)
    request = compiled.request
    wanted = round(2.3 * 24)
    if wanted > family.max_frames:  # longer than one pass: every frame asked for, in segments that each obey the rule
        assert request.num_frames == wanted and any("segments (1: 0.00-" in note for note in compiled.notes)
        spans = split_shot(wanted, family, pass_frames(family, 24, DEFAULT_SEGMENT_S))
        assert all(family.fit_frames(span.render_frames) == span.render_frames for span in spans)
    else:
        assert (request.num_frames - 1) % family.frame_step == 0 and request.num_frames <= family.max_frames
    if request.num_frames != wanted:
        assert any(f"snapped {wanted} to {request.num_frames}" in note for note in compiled.notes)
    size_note = any(f"{request.width}x{request.height}" in note for note in compiled.notes)
    fit = family.fit_size(ASPECT_VALUES["16:9"])
    moved = abs(request.width - fit.exact_width) >= 1 or abs(request.height - fit.exact_height) >= 1
    assert size_note == moved  # a real snap is always said; sub-pixel rounding is not noise-worthy


def test_ltx_snaps_frames_to_8k_plus_1_and_says_so():
    compiled = compile_shot(FOX.model_copy(update={"duration_s": 2.0}), get_family("ltx-video"))
    assert compiled.request.num_frames == 49
    assert any("8k+1" in note and "snapped 48 to 49" in note for note in compiled.notes)


def test_too_long_for_one_pass_renders_every_frame_as_listed_segments():
    compiled = compile_shot(FOX.model_copy(update={"duration_s": 20.0}), get_family("wan2.1-1.3b"))
    assert compiled.request.num_frames == 320  # 20 s at 16 fps, not cut to one pass of 81
    note = next(note for note in compiled.notes if "segments" in note)
    assert "rendered as 4 segments (1: 0.00-5.06 s; 2: 5.06-10.06 s;" in note and "last 1 frame(s)" in note
    assert not any("snapped 320" in note for note in compiled.notes)
    previz = compile_shot(FOX.model_copy(update={"duration_s": 60.0, "fps": 8}), get_family("previz"))
    assert previz.request.num_frames == 480
    assert any("rendered as 6 segments" in note and "camera path" in note for note in previz.notes)
    one_pass = compile_shot(FOX.model_copy(update={"duration_s": 60.0, "fps": 8}), get_family("previz"), segment_s=None)
    assert not any("segments" in note for note in one_pass.notes)


def test_fps_away_from_native_is_noted_for_real_models():
    compiled = compile_shot(FOX.model_copy(update={"fps": 24}), get_family("wan2.1-1.3b"))
    assert any("trained at 16 fps" in note for note in compiled.notes)
    assert not any("trained at" in note for note in compile_shot(FOX, get_family("previz")).notes)


def test_negative_prompts_per_family():
    spec = FOX.model_copy(update={"negative_prompt": "people"})
    wan = compile_shot(spec, get_family("wan2.1-1.3b"))
    assert wan.request.negative_prompt.startswith("people, ") and "watermark" in wan.request.negative_prompt
    hunyuan = compile_shot(spec, get_family("hunyuan-video"))
    assert hunyuan.request.negative_prompt is None
    assert any("ignores negative prompts" in note and "people" in note for note in hunyuan.notes)
    assert compile_shot(FOX, get_family("previz")).request.negative_prompt is None


def test_wording_follows_each_family():
    previz = prompt_text(FOX)
    assert previz.startswith("the camera dollies in") and previz.index("wide shot") < previz.index("a red fox")
    wan = compile_shot(FOX, get_family("wan2.1-1.3b")).request.prompt
    assert wan.startswith("a red fox trots through the snow, in a birch forest, at dawn")
    assert wan.index("a red fox") < wan.index("the camera dollies in")
    ltx = compile_shot(FOX, get_family("ltx-video")).request.prompt
    assert ltx.startswith("A red fox trots through the snow. In a birch forest at dawn.")
    assert ltx.endswith("With falling snow.") and ltx.count(".") >= 5
    cog = compile_shot(FOX, get_family("cogvideox-2b")).request.prompt
    assert cog.startswith("Wide shot. The camera dollies in")
    for name in ("wan2.1-1.3b", "ltx-video", "cogvideox-2b", "hunyuan-video"):
        prompt = compile_shot(FOX, get_family(name)).request.prompt
        for part in ("red fox", "birch forest", "dawn", "dollies in", "soft backlight", "35mm film", "falling snow"):
            assert part.lower() in prompt.lower(), (name, part)


def test_characters_are_described_verbatim_and_guidance_comes_from_the_family():
    spec = ShotSpec(characters=[Character(name="Ana", description="a tall woman in a yellow raincoat")])
    request = compile_shot(spec, get_family("wan2.2-t2v-a14b"), seed=9, steps=12, model="/models/wan").request
    assert "Ana: a tall woman in a yellow raincoat" in request.prompt
    assert (request.seed, request.steps, request.model, request.guidance) == (9, 12, "/models/wan", 4.0)
    assert request.family == "wan2.2-t2v-a14b"
    empty = compile_shot(ShotSpec(), get_family("ltx-video"))
    assert empty.request.prompt == "a cinematic shot"
    assert any("no duration" in note for note in empty.notes) and any("no aspect" in note for note in empty.notes)


@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("wan2.1-vace-1.3b", "VACE control video"),
        ("ltx-video", "LTXConditionPipeline"),
        ("cogvideox-5b", "CogVideoXVideoToVideoPipeline"),
    ],
)
def test_a_guide_is_kept_where_the_family_takes_one_at_the_takes_own_size_and_length(name, how):
    spec = ShotSpec(subject="a fox", camera_movement="pan_left", duration_s=3, aspect_ratio="16:9")
    compiled = compile_shot(spec, get_family(name), guide=CameraGuide(strength=0.7))
    request = compiled.request
    assert request.guide == CameraGuide(strength=0.7)
    note = next(n for n in compiled.notes if n.startswith("camera guide:"))
    size = f"({request.width}x{request.height}, {request.num_frames} frames at {request.fps} fps)"
    assert size in note and "strength 0.7" in note and how in note


@pytest.mark.parametrize("name", ["wan2.1-1.3b", "wan2.2-t2v-a14b", "hunyuan-video", "cogvideox1.5-5b"])
def test_a_family_without_a_guide_path_renders_from_the_words_and_says_so(name):
    family = get_family(name)
    compiled = compile_shot(ShotSpec(subject="a fox", camera_movement="pan_left"), family, guide=CameraGuide())
    assert compiled.request.guide is None and not family.guide_modes
    assert f"{family.title} takes no camera guide" in " ".join(compiled.notes)


def test_previz_takes_no_guide_and_says_nothing_of_one():
    compiled = compile_shot(ShotSpec(subject="a fox", camera_movement="pan_left"), PREVIZ, guide=CameraGuide())
    assert compiled.request.guide is None and not any("guide" in n for n in compiled.notes)
