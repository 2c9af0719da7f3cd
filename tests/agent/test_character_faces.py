"""A character's reference image stays with the character across the shots of a thread, and reaches the request."""

from __future__ import annotations

from agent.compile import compile_shot
from agent.director.grammar.characters import remember_characters
from agent.director.offline import OfflineDirector
from agent.spec import Character, ShotSpec, Storyboard, StoryboardShot
from agent.storyboard import approve, inherit
from generator.families import get_family
from generator.request import ReferenceImage

ANA = Character(name="Ana", description="a tall woman in a yellow raincoat")
ANA_FACE = ANA.model_copy(update={"reference_image": "/data/references/aaaa.png"})


def test_the_face_given_in_one_shot_comes_back_in_the_next() -> None:
    director = OfflineDirector()
    board = remember_characters(Storyboard(), ShotSpec(characters=[ANA_FACE]))
    second = director.direct_sync("Ana runs across a bridge at dawn", author="ben", storyboard=board)
    assert second.spec.characters == [ANA_FACE]
    request = compile_shot(second.spec, get_family("wan2.1-1.3b")).request
    assert request.reference_images == (ReferenceImage(name="Ana", path="/data/references/aaaa.png"),)
    third = director.direct_sync("Ana is a short man in a suit", author="cy", storyboard=board)
    assert third.spec.characters == [ANA_FACE]  # the canonical words, and the face, stay


def test_a_face_attached_later_joins_the_canonical_character() -> None:
    board = approve(Storyboard(), StoryboardShot(take_id="t1", spec=ShotSpec(characters=[ANA])))
    assert board.characters == [ANA]
    renamed = ANA_FACE.model_copy(update={"description": "someone else entirely"})
    board = approve(board, StoryboardShot(take_id="t2", spec=ShotSpec(characters=[renamed])))
    assert board.characters == [ANA_FACE]  # the first words are kept; the face is the one attached last
    assert inherit(ShotSpec(characters=[ANA]), board).characters == [ANA_FACE]
    newer = ANA.model_copy(update={"reference_image": "/data/references/bbbb.png"})
    assert remember_characters(board, ShotSpec(characters=[newer])).characters == [newer]


def test_at_most_four_faces_reach_the_request_and_the_rest_are_named() -> None:
    cast = [Character(name=n, description="a person", reference_image=f"/r/{n}.png") for n in "ABCDE"]
    compiled = compile_shot(ShotSpec(characters=cast), get_family("previz"))
    assert [face.name for face in compiled.request.reference_images] == ["A", "B", "C", "D"]
    assert "reference images of E left out: at most 4" in compiled.notes


def test_a_face_attached_in_this_shot_outlives_the_storyboards_faceless_canon() -> None:
    board = Storyboard(characters=[ANA])
    director = OfflineDirector()
    refined = director.direct_sync("Ana runs across a bridge", author="ben", base=ShotSpec(characters=[ANA_FACE]),
                                   storyboard=board)  # fmt: skip
    assert refined.spec.characters == [ANA_FACE]
    assert inherit(ShotSpec(characters=[ANA_FACE]), board).characters == [ANA_FACE]


async def test_the_llm_director_naming_the_cast_keeps_their_faces() -> None:
    from tests.agent.director.test_llm import director_for, patch
    from tools.testing.openai_server import ScriptedOpenAI, reply

    answer = patch(action="runs", characters=[{"name": "ana", "description": "a woman"}])
    with ScriptedOpenAI([reply(answer)]) as server:
        result = await director_for(server).direct("Ana runs", author="ben", base=ShotSpec(characters=[ANA_FACE]))
    [ana] = result.spec.characters
    assert ana.reference_image == ANA_FACE.reference_image  # the LLM cannot set or drop a stored face
