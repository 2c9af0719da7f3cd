"""Fair use in the agent: every render charged to who asked, queued under their id and server; reels reused,
capped and cleaned; a deleted take leaves the disk."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from agent.context import Requester, thread_folder
from agent.studio import Studio, StudioError
from tests.agent.test_graph import FOX, SMALL, WrongCamera, settings
from tests.patience import patient
from tools import reel as reel_module
from tools.renderer import LocalRenderer

OWL = "an owl watches from a branch, the camera tilts up, 1 second"


class Recording(LocalRenderer):
    """The local renderer, noting the ticket of every render."""

    def __init__(self, generator: object, max_bytes: int) -> None:
        super().__init__(generator, max_bytes=max_bytes)  # type: ignore[arg-type]
        self.tickets: list = []

    async def render(self, request, ticket, **kwargs):
        self.tickets.append(ticket)
        return await super().render(request, ticket, **kwargs)


class Wallet:
    """A requester's charge: `allowed` renders, then a refusal."""

    def __init__(self, allowed: int) -> None:
        self.allowed, self.charged = allowed, 0

    async def __call__(self) -> str | None:
        if self.charged >= self.allowed:
            return "You've used your renders for today."
        self.charged += 1
        return None


def open_studio(generator: object, **overrides: object):
    config = settings(**overrides)
    renderer = Recording(generator, config.max_upload_bytes)
    return renderer, Studio.open(config.studio_config(), renderer=renderer, family=SMALL)


async def test_each_render_is_charged_even_critic_retries_and_variations() -> None:
    generator = WrongCamera(wrong=1)  # the first take fails the critic: one retry
    renderer, opened = open_studio(generator)
    wallet = Wallet(allowed=4)
    who = Requester(user="1001", guild="g-9", charge=wallet)
    async with opened as studio:
        first = await studio.send("t1", "ana", FOX, requester=who)
        assert first.kind == "take" and len(generator.requests) == 2 and wallet.charged == 2
        await studio.variations("t1", 3, "ana", requester=who)  # two more renders allowed, the third refused
        assert wallet.charged == 4 and len(generator.requests) == 4
        refused = await studio.reroll("t1", None, "ana", requester=who)
        assert refused.kind == "error" and refused.error is not None and refused.error.kind == "over_quota"
        assert len(generator.requests) == 4
    assert {(t.owner, t.guild) for t in renderer.tickets} == {("1001", "g-9")}
    async with Studio.open(settings().studio_config(), renderer=renderer, family=SMALL) as studio:
        takes = await studio.takes("t1")
        assert takes and {t.author_id for t in takes} == {"1001"} and {t.author for t in takes} == {"ana"}


async def test_an_unchanged_board_reuses_its_reel_and_a_new_cut_replaces_it() -> None:
    wallet = Wallet(allowed=10)
    who = Requester(user="1001", charge=wallet)
    _, opened = open_studio(WrongCamera(wrong=0))
    async with opened as studio:
        fox = await studio.send("t1", "ana", FOX)
        await studio.approve("t1", fox.take_id, "ana")
        charged = wallet.charged
        first = await studio.reel("t1", requester=who)
        again = await studio.reel("t1", requester=who)
        assert first == again and wallet.charged == charged + 1
        owl = await studio.send("t1", "ana", OWL)
        await studio.approve("t1", owl.take_id, "ana")
        second = await studio.reel("t1", requester=who)
        assert second != first and second.is_file() and not first.exists()
        folder = thread_folder(studio.media_dir, "t1")
        assert sorted(folder.glob("reel-*.mp4")) == [second] and not list(folder.glob(".*part*"))
        broke = Wallet(allowed=0)
        with pytest.raises(StudioError, match="used your renders"):
            await studio.reel("t1", crossfade=True, requester=Requester(user="1002", charge=broke))


class WatchedSlots(asyncio.Semaphore):
    """The studio's reel slots, counting who asked for one and who got it (a free slot is taken without waiting)."""

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.asked = self.got = 0

    async def acquire(self) -> bool:
        self.asked += 1
        taken = await super().acquire()
        self.got += 1
        return taken


async def test_reels_are_cut_one_at_a_time(monkeypatch) -> None:
    cut = reel_module.make_reel
    lock, active, most = threading.Lock(), [0], [0]
    first_may_end = threading.Event()

    def counted(*args, **kwargs):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        try:
            assert first_may_end.wait(patient(30.0)), "the test never let the first cut end"
            return cut(*args, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(reel_module, "make_reel", counted)
    _, opened = open_studio(WrongCamera(wrong=0))
    async with opened as studio:
        assert studio.config.reel_concurrency == 1
        slots = studio._reels = WatchedSlots(1)
        for thread in ("t1", "t2", "t3"):
            take = await studio.send(thread, "ana", FOX)
            await studio.approve(thread, take.take_id, "ana")
        cuts = [asyncio.create_task(studio.reel(thread)) for thread in ("t1", "t2", "t3")]
        deadline = asyncio.get_running_loop().time() + patient(30.0)
        while slots.asked < 3:  # every reel has asked for the slot while the first cut holds it
            assert asyncio.get_running_loop().time() < deadline, "a reel never asked for a slot"
            await asyncio.sleep(0.01)
        assert slots.got == 1  # the other two wait: a second slot would have been taken at once
        first_may_end.set()
        reels = await asyncio.gather(*cuts)
    assert len(set(reels)) == 3 and most[0] == 1 and slots.got == 3


async def test_deleting_a_take_removes_it_from_the_thread_and_the_disk() -> None:
    _, opened = open_studio(WrongCamera(wrong=0))
    async with opened as studio:
        fox = await studio.send("t1", "ana", FOX)
        owl = await studio.send("t1", "ana", OWL)
        await studio.approve("t1", fox.take_id, "ana")
        reel = await studio.reel("t1")
        record = await studio.take("t1", fox.take_id)
        assert record is not None and Path(record.take.path).is_file()
        await studio.delete_take("t1", fox.take_id, "ana")
        assert not Path(record.take.path).exists() and not reel.exists()
        assert record.take.poster is None or not Path(record.take.poster).exists()
        assert await studio.take("t1", fox.take_id) is None
        assert [t.take_id for t in await studio.takes("t1")] == [owl.take_id]
        assert (await studio.storyboard("t1")).shots == []
        with pytest.raises(StudioError):
            await studio.delete_take("t1", fox.take_id)


def test_a_thread_id_never_names_a_folder_outside_its_own(tmp_path: Path) -> None:
    for hostile in ("..", ".", "../../etc", ".hidden", "a/b", ""):
        folder = thread_folder(tmp_path, hostile)
        assert folder.parent == tmp_path and not folder.name.startswith("."), hostile
