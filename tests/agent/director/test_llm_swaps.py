"""A swap changes the shot on either director: the whole noun phrase goes, and a model that leaves it alone yields."""

from __future__ import annotations

from agent.director.llm import LLMDirector
from agent.director.offline import read_offline
from agent.spec import ShotSpec
from tools.testing.openai_server import ScriptedOpenAI, reply

KEEPER = ShotSpec(
    subject="a lighthouse keeper", action="climbs the stairs", setting="a lighthouse", time_of_day="night"
)


def test_a_swap_replaces_the_whole_noun_phrase_with_its_modifiers() -> None:
    # "swap the keeper" in "a lighthouse keeper" made "a lighthouse a young girl with a lantern".
    swapped = read_offline("swap the keeper for a young girl with a lantern", KEEPER, None).spec
    assert swapped.subject == "a young girl with a lantern" and swapped.setting == "a lighthouse"
    knights = ShotSpec(subject="two old knights")
    assert read_offline("swap the knights for two foxes", knights, None).spec.subject == "two foxes"
    hat = ShotSpec(subject="a man with a hat")
    assert read_offline("swap the hat for a red scarf", hat, None).spec.subject == "a man with a red scarf"


async def test_a_swap_the_model_left_out_takes_the_creators_words() -> None:
    # SmolLM2 answered the swap with the old subject (it shares "lighthouse" with the grammar's reading).
    with ScriptedOpenAI([reply({"subject": "a lighthouse keeper", "mood": "calm"})], dialect="llama-server") as server:
        director = LLMDirector(base_url=server.base_url, model="m", api_key="k", timeout_s=5)
        result = await director.direct("swap the keeper for a young girl with a lantern", author="ana", base=KEEPER)
    assert result.spec.subject == "a young girl with a lantern"
    assert "kept subject 'a young girl with a lantern' from your words over the model's 'a lighthouse keeper'" in (
        result.notes
    )


async def test_the_model_does_not_rewrite_content_the_message_leaves_alone() -> None:
    # SmolLM2, after "make it night, with heavy rain", pasted the first message's words into the action.
    answer = {"action": "climbs the stairs at dusk, slow tilt up", "lighting": "a swinging lantern"}
    with ScriptedOpenAI([reply(answer)], dialect="llama-server") as server:
        director = LLMDirector(base_url=server.base_url, model="m", api_key="k", timeout_s=5)
        result = await director.direct("make it stormy, with heavy rain", author="ana", base=KEEPER)
    assert result.spec.action == "climbs the stairs" and result.spec.lighting == "a swinging lantern"
    assert "kept the action 'climbs the stairs': your message does not change it" in result.notes


async def test_effects_the_shot_has_stay_and_camera_words_are_not_effects() -> None:
    # SmolLM2 suggested 'dolly_in', 'dolly_out' as effects, then left out the snow the creator had added.
    snowy = KEEPER.model_copy(update={"effects": ["snow"]})
    answer = {"camera_movement": "orbit_right", "effects": ["dolly_in", "dolly_out_midi_lo", "lens flare"]}
    with ScriptedOpenAI([reply(answer)], dialect="llama-server") as server:
        director = LLMDirector(base_url=server.base_url, model="m", api_key="k", timeout_s=5)
        result = await director.direct("orbit around him instead", author="ana", base=snowy)
    assert result.spec.effects == ["snow", "lens flare"]  # the model's own idea stays, as a suggestion
    assert "kept the effects ['snow']: your message does not remove them" in result.notes
    with ScriptedOpenAI([reply({"effects": ["slow motion"]})], dialect="llama-server") as server:
        director = LLMDirector(base_url=server.base_url, model="m", api_key="k", timeout_s=5)
        slow = await director.direct("make it dreamy", author="ana", base=KEEPER)
    assert slow.spec.effects == ["slow motion"]
