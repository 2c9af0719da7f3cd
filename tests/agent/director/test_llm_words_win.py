"""The creator's words win over the LLM for every field they state; the model may not invent non-creative fields;
its creative enrichment stays, marked as its suggestion."""

from __future__ import annotations

from typing import Any

from agent.director.llm import LLMDirector
from agent.spec import Character, ShotSpec
from tools.testing.openai_server import ScriptedOpenAI, reply


async def direct(answer: dict[str, Any], message: str, *, base: ShotSpec | None = None, author: str = "ana"):
    with ScriptedOpenAI([reply(answer)]) as server:
        director = LLMDirector(base_url=server.base_url, model="m", api_key="k", timeout_s=5)
        return await director.direct(message, author=author, base=base)


async def test_stated_framing_and_time_win_over_the_model() -> None:
    wrong = {
        "subject": "a lighthouse",
        "setting": "a cliff",
        "time_of_day": "night",
        "camera_angle": "eye_level",
        "shot_size": "medium",
    }
    result = await direct(wrong, "golden hour, a lighthouse on a cliff, low angle close-up")
    spec = result.spec
    assert (spec.time_of_day, spec.camera_angle, spec.shot_size) == ("golden_hour", "low_angle", "close_up")
    assert "kept time_of_day 'golden_hour' from your words over the model's 'night'" in result.notes
    assert sum("from your words over the model's" in n for n in result.notes) == 3


async def test_a_refinement_keeps_what_it_says_and_the_model_cannot_clear_the_rest() -> None:
    base = ShotSpec(subject="a tram", setting="a rainy street", time_of_day="dusk", style="film noir")
    wrong = {"time_of_day": "morning", "clear": ["style", "setting"]}
    result = await direct(wrong, "at night", base=base)
    assert result.spec.time_of_day == "night"
    assert (result.spec.style, result.spec.setting) == ("film noir", "a rainy street")
    assert any("kept the style 'film noir': your message does not remove it" in n for n in result.notes)


async def test_invented_non_creative_fields_are_dropped_with_a_note() -> None:
    invented = {
        "subject": "a fox",
        "setting": "the snow",
        "fps": 30,
        "duration_s": 8,
        "seed": 42,
        "aspect_ratio": "16:9",
        "characters": [{"name": "Cli", "description": "a user"}],
        "lighting": "soft backlight",
    }
    result = await direct(invented, "a fox in the snow", author="cli")
    spec = result.spec
    assert (spec.fps, spec.duration_s, spec.seed, spec.aspect_ratio, spec.characters) == (None, None, None, None, [])
    # The patch has no such fields (the creator's to state, read by the grammar): a model that writes them anyway
    # is ignored, and says so.
    assert "ignored the model's unknown fields: fps, duration_s, seed, aspect_ratio, characters" in result.notes
    # Creative enrichment stays, shown as the model's suggestion in the diff.
    assert spec.lighting == "soft backlight"
    lighting = next(c for c in result.changes if c.field == "lighting")
    assert lighting.suggested and lighting.author == "cli"
    assert not next(c for c in result.changes if c.field == "subject").suggested


async def test_stated_numbers_are_kept_even_when_the_model_agrees_on_none() -> None:
    result = await direct({"subject": "a fox"}, "a fox, 6 seconds at 12 fps, vertical, seed 7")
    spec = result.spec
    assert (spec.duration_s, spec.fps, spec.aspect_ratio, spec.seed) == (6.0, 12, "9:16", 7)
    assert not any("over the model's" in n for n in result.notes)  # the model said nothing against them


async def test_a_subject_not_in_the_words_is_not_taken() -> None:
    result = await direct({"subject": "Cli", "action": "types"}, "a red fox trots through the snow", author="cli")
    assert result.spec.subject == "a red fox" and result.spec.action == "trots"
    assert "kept subject 'a red fox' from your words over the model's 'Cli'" in result.notes


async def test_a_reworded_style_keeps_a_creator_word_or_yields() -> None:
    kept = await direct({"subject": "a city", "style": "gritty film noir look"}, "a city at night, film noir")
    assert kept.spec.style == "gritty film noir look"
    replaced = await direct({"subject": "a city", "style": "watercolor"}, "a city at night, film noir")
    assert replaced.spec.style == "film noir"


async def test_an_orbit_without_direction_takes_the_models_direction_and_no_false_note() -> None:
    chose = await direct({"subject": "two fencers", "camera_movement": "orbit_left"}, "arc shot around two fencers")
    assert chose.spec.camera_movement == "orbit_left"
    silent = await direct({"subject": "two fencers"}, "arc shot around two fencers")
    assert silent.spec.camera_movement == "orbit_right"
    assert not any("over the model's None" in n for n in silent.notes)


async def test_a_question_is_dropped_when_the_patch_gives_something_to_film() -> None:
    answer = {"subject": "a lighthouse", "setting": "a cliff", "question": "What time of day?"}
    result = await direct(answer, "a lighthouse on a cliff")
    assert result.question is None and result.spec.subject == "a lighthouse"


async def test_effects_said_and_removed_win() -> None:
    base = ShotSpec(subject="a street", effects=["rain"])
    result = await direct({"effects": ["rain", "lens flare"]}, "no rain, falling snow instead", base=base)
    assert "rain" not in result.spec.effects and "snow" in result.spec.effects
    assert "lens flare" in result.spec.effects  # the model's own idea stays, as a suggestion


async def test_a_replaced_effect_goes_even_when_the_model_keeps_it() -> None:
    base = ShotSpec(subject="a fox", setting="a rainy street", effects=["rain"])
    result = await direct({"effects": ["rain", "snow"]}, "make it snow instead", base=base)
    assert result.spec.effects == ["snow"] and result.spec.setting == "a snowy street"


async def test_characters_come_from_the_creators_definitions_only() -> None:
    # What SmolLM2 answered on a real server: the subject as a "character", the same one four times; a planet
    # named in the message as a character with a look nobody gave.
    answer = {
        "subject": "a lighthouse",
        "characters": [{"name": "Lighthouse on a cliff", "description": "a lighthouse"}] * 4
        + [{"name": "Saturn", "description": "a ringed planet"}],
    }
    result = await direct(answer, "golden hour, a lighthouse on a cliff, a spaceship drifting past Saturn")
    assert result.spec.characters == []
    named = {"characters": [{"name": "Ana", "description": "a girl in a red coat"}] * 2}
    result = await direct(named, "Ana waits at the bus stop")
    assert result.spec.characters == []  # named, never described: the look would be the model's invention
    defined = await direct(named, "Ana is a tall woman in a yellow raincoat. Ana waits at the bus stop")
    assert [(c.name, c.description) for c in defined.spec.characters] == [("Ana", "a tall woman in a yellow raincoat")]


async def test_a_stated_subject_keeps_the_creators_words() -> None:
    answer = {"subject": "a flower", "action": "drinking", "shot_size": "extreme_close_up"}
    result = await direct(answer, "a hummingbird drinking from a flower, extreme close-up, slow motion")
    assert result.spec.subject == "a hummingbird"
    assert "kept subject 'a hummingbird' from your words over the model's 'a flower'" in result.notes


async def test_a_known_character_is_kept_even_if_the_message_does_not_name_them() -> None:
    base = ShotSpec(subject="Ana", characters=[Character(name="Ana", description="a tall woman in a yellow raincoat")])
    answer = {"characters": [{"name": "Ana", "description": "a tall woman in a yellow raincoat"}], "mood": "tense"}
    result = await direct(answer, "make it tense", base=base)
    assert [c.name for c in result.spec.characters] == ["Ana"] and result.spec.mood == "tense"


async def test_camera_and_framing_words_are_not_content() -> None:
    # What SmolLM2 answered on a real server: the move as the subject and the action, framing as the style.
    answer = {"subject": "Cranes down into the town square", "action": "Cranes down into the town square"}
    result = await direct(answer, "a snowy mountain village at dawn, crane down into the town square")
    assert result.spec.subject is None and result.spec.action is None
    assert result.spec.setting == "a snowy mountain village" and result.spec.camera_movement == "crane_down"
    assert any("repeats your camera or framing words" in n for n in result.notes)
    answer = {"subject": "extreme close-up of an eye", "action": "slow zoom in", "style": "slow zoom in"}
    result = await direct(answer, "extreme close-up of an eye, slow zoom in")
    assert (result.spec.subject, result.spec.action, result.spec.style) == ("an eye", None, None)
    vertical = await direct(
        {"subject": "a woman", "style": "vertical", "lighting": "night"}, "a woman at night, vertical"
    )
    assert vertical.spec.style is None and vertical.spec.lighting is None and vertical.spec.aspect_ratio == "9:16"
    truck = await direct(
        {"subject": "truck", "setting": "a crowded beach"}, "truck right along a crowded beach at sunset"
    )
    assert truck.spec.subject is None and truck.spec.setting == "a crowded beach"


async def test_the_same_words_stay_content_where_they_are_content() -> None:
    answer = {"subject": "a red truck", "action": "drives down a road", "lighting": "warm golden light"}
    result = await direct(answer, "a red truck drives down a road at golden hour, slow pan left")
    assert (result.spec.subject, result.spec.action) == ("a red truck", "drives down a road")
    assert result.spec.lighting == "warm golden light"  # the model's suggestion, not only the time restated
    man = await direct({"subject": "a man in a grey coat"}, "a man in a grey coat, slow zoom in")
    assert man.spec.subject == "a man in a grey coat"


async def test_a_request_with_nothing_to_film_asks_and_takes_none_of_the_models_guesses() -> None:
    answer = {"action": "make a video", "style": "my_story", "lighting": "the light of night", "mood": "happy"}
    result = await direct(answer, "make a video")
    assert result.question and result.spec == ShotSpec() and not result.changes
