"""Which render workers may take which jobs: previz to previz, diffusers by model, or by family without one."""

from __future__ import annotations

from generator.queue.serving import Serves, unavailable_message
from generator.request import RenderRequest

PREVIZ = Serves(backend="previz", family="previz")
WAN = Serves(backend="diffusers", family="wan2.1-1.3b", model="wan2.1-1.3b")
WAN_FOLDER = Serves(backend="diffusers", family="wan2.1-1.3b", model="/models/wan")


def request(family: str = "previz", model: str | None = None) -> RenderRequest:
    return RenderRequest(prompt="a fox", width=64, height=32, num_frames=5, fps=8, family=family, model=model)


def test_previz_jobs_go_only_to_previz_workers() -> None:
    assert PREVIZ.accepts(request())
    assert not WAN.accepts(request())
    assert not PREVIZ.accepts(request("wan2.1-1.3b", "wan2.1-1.3b"))


def test_diffusers_jobs_match_the_model_or_else_the_family() -> None:
    assert WAN.accepts(request("wan2.1-1.3b", "wan2.1-1.3b"))
    assert not WAN_FOLDER.accepts(request("wan2.1-1.3b", "wan2.1-1.3b"))  # same family, another model
    assert WAN_FOLDER.accepts(request("wan2.1-1.3b", "/models/wan"))
    assert WAN.accepts(request("wan2.1-1.3b")) and WAN_FOLDER.accepts(request("wan2.1-1.3b"))
    assert not WAN.accepts(request("ltx-video"))


def test_the_message_names_what_was_asked_and_what_is_served() -> None:
    message = unavailable_message(request("wan2.1-1.3b", "/models/other"), [PREVIZ, WAN_FOLDER, PREVIZ])
    assert message == (
        "no render worker serves diffusers model '/models/other' (family wan2.1-1.3b); "
        "the render workers serve: diffusers /models/wan (family wan2.1-1.3b), previz"
    )
    assert unavailable_message(request(), []).endswith("no render workers are running")
