"""Load benchmark: N simulated members issue /shot and a refinement concurrently against the strict fake Discord.

Runs the real bot, the real agent (offline director, critic) and the fair job queue with the previz backend;
only Discord is simulated, as strictly as Discord: real time for the 3 s and 15-minute interaction rules,
per-route and global rate limits with 429s, payload validation. Prints JSON figures: interaction answer latency
(every one must be < 3 s), interactions left unanswered, invalid requests (401/403/429 answers, which get a bot
banned past ~10,000 in 10 minutes), the longest event-loop stall, and whether every take was delivered.

    .venv/bin/python bench/discord_load.py --members 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import discord

from agent.studio import Studio
from bots.bot import DailiesBot
from bots.guild_settings import GuildSettingsStore
from bots.journal import RunJournal
from bots.quotas import Limits, Quotas
from bots.settings import Settings
from bots.testing import fake_discord as fd
from bots.votes import VoteStore
from tools.queued_renderer import open_queued_renderer

GUILD_ID = 810000000000000001
CHANNEL_ID = 810000000000000010
SUBJECTS = ("a red fox", "a lighthouse", "a paper boat", "a cyclist", "a tram", "a heron", "a kite", "a robot")
MOVES = ("slow pan left", "dolly in", "static camera", "tilt up", "orbit right", "truck left")


class StallMonitor:
    """Measures how late a 10 ms sleep wakes up: the longest time the event loop was blocked."""

    def __init__(self, tick: float = 0.01) -> None:
        self.tick = tick
        self.worst = 0.0
        self.lates: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.tick)
            late = loop.time() - before - self.tick
            self.lates.append(late)
            self.worst = max(self.worst, late)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


class TakeCounter:
    """Take posts per channel, counted incrementally so polling stays cheap on the loop it measures."""

    def __init__(self, fake: fd.FakeDiscord) -> None:
        self.fake = fake
        self.seen = 0
        self.counts: dict[int, int] = {}

    def __call__(self, thread_id: int) -> int:
        calls = self.fake.calls
        for call in calls[self.seen :]:
            if call.method == "POST" and any(n.endswith(".mp4") for n, _ in call.files.values()):
                channel = int(call.path.split("/")[2])
                self.counts[channel] = self.counts.get(channel, 0) + 1
        self.seen = len(calls)
        return self.counts.get(thread_id, 0)


async def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return predicate()


async def run(members: int, duration: float, ramp: float, timeout: float, workers: int) -> dict:
    data = Path(tempfile.mkdtemp(prefix="dailies-load-"))
    settings = Settings(
        data_dir=data,
        discord_token="load-token",
        attempt_budget=1,
        approve_final_renders=False,
        queue_workers=workers,
        discord_guild_concurrency=10 * members,
        discord_guild_daily=100 * members,
    )
    fake = fd.FakeDiscord(token="load-token")  # real clock, rate limits on
    discord.http.Route.BASE = await fake.start()
    people = [fd.member(720000000000000000 + i, f"member{i:02d}") for i in range(members)]
    guild = fd.guild(GUILD_ID, channels=[fd.text_channel(CHANNEL_ID, GUILD_ID, "set")], members=people)
    fake.register_guild(guild)
    interactions = fd.Interactions(fake)
    sent: list[dict] = []
    renderer = await asyncio.to_thread(open_queued_renderer, settings.render_setup())
    db = data / "bot.sqlite"
    quotas = await Quotas(db, Limits.from_settings(settings)).open()
    defaults = await GuildSettingsStore(db).open()
    votes = await VoteStore(db).open()
    journal = await RunJournal(db).open()
    monitor = StallMonitor()
    take_posts = TakeCounter(fake)
    started = time.monotonic()
    try:
        async with Studio.open(settings.studio_config(), renderer=renderer) as studio:
            bot = DailiesBot(
                studio=studio, settings=settings, quotas=quotas, defaults=defaults, votes=votes, journal=journal
            )
            await bot.login("load-token")
            fake.connect(bot._connection)  # GUILD_CREATE now; THREAD_CREATE as threads are made
            monitor.start()
            rng = random.Random(7)
            channel = fake.channels[CHANNEL_ID]

            async def shoot(i: int) -> None:
                await asyncio.sleep(rng.uniform(0, ramp))
                prompt = f"shot {i:02d}: {SUBJECTS[i % len(SUBJECTS)]}, {MOVES[i % len(MOVES)]}, {duration:g} seconds"
                payload = interactions.slash(
                    "shot", {"prompt": prompt}, guild_id=GUILD_ID, channel=channel, who=people[i]
                )
                sent.append(payload)
                bot._connection.parse_interaction_create(payload)

            await asyncio.gather(*(shoot(i) for i in range(members)))
            threads: dict[int, dict] = {}
            opened = f"/channels/{CHANNEL_ID}/threads"  # 10 threads per 10 s in a channel: about a minute for 50
            await wait_until(lambda: sum(c.status == 201 for c in fake.find("POST", opened)) >= members, 300)
            for call in fake.find("POST", f"/channels/{CHANNEL_ID}/threads"):
                if call.status == 201:
                    thread = fake.channels[int(call.result["id"])]
                    threads[int(thread["name"].split("shot ")[1][:2])] = thread
            first_ok = await wait_until(lambda: all(take_posts(int(t["id"])) >= 1 for t in threads.values()), timeout)
            first_s = time.monotonic() - started

            async def refine(i: int) -> None:
                await asyncio.sleep(rng.uniform(0, ramp))
                message = fd.message_create(
                    fake, threads[i], people[(i + 1) % members], "make it night", guild_id=GUILD_ID
                )
                bot._connection.parse_message_create(message)

            await asyncio.gather(*(refine(i) for i in threads))
            second_ok = await wait_until(lambda: all(take_posts(int(t["id"])) >= 2 for t in threads.values()), timeout)
            await bot.drain(timeout=30)
            total_s = time.monotonic() - started
            monitor.stop()
            await bot.close()
    finally:
        await asyncio.to_thread(renderer.close)
        for store in (quotas, defaults, votes, journal):
            await store.close()
        await fake.stop()

    return figures(fake, sent, threads, take_posts, monitor, members, first_s, total_s, first_ok and second_ok)


def figures(fake, sent, threads, take_posts, monitor, members, first_s, total_s, all_in_time) -> dict:
    ledger = fake.state.ledger
    records = [ledger.by_id[int(p["id"])] for p in sent]
    acks = [r.responded_at - r.created for r in records if r.responded_at is not None]
    in_time = sum(1 for a in acks if a < 3.0)
    invalid = fake.invalid_requests()
    delivered = sum(min(take_posts(int(t["id"])), 2) for t in threads.values())
    attributed = sum(1 for c in fake.calls if "-> night" in (c.content or ""))
    return {
        "members": members,
        "interactions": len(sent),
        "answered_within_3s": in_time,
        "answered_within_3s_pct": round(100 * in_time / len(sent), 1) if sent else None,
        "ack_p50_s": round(statistics.median(acks), 3) if acks else None,
        "ack_max_s": round(max(acks), 3) if acks else None,
        "unanswered": len(fake.unanswered()),
        "invalid_requests": len(invalid),
        "invalid_by_status": {
            str(s): sum(1 for c in invalid if c.status == s) for s in sorted({c.status for c in invalid})
        },
        "rate_limited_429": sum(1 for c in fake.calls if c.status == 429),
        "rate_limited_routes": sorted(
            {
                f"{c.route}{' (global)' if c.headers.get('X-RateLimit-Global') else ''}"
                for c in invalid
                if c.status == 429
            }
        ),
        "form_errors_400": sum(1 for c in fake.calls if c.status == 400),
        "longest_loop_stall_s": round(monitor.worst, 3),
        "loop_stall_p99_s": round(sorted(monitor.lates)[int(0.99 * (len(monitor.lates) - 1))], 3)
        if monitor.lates
        else None,
        "takes_expected": 2 * members,
        "takes_delivered": delivered,
        "takes_delivered_pct": round(100 * delivered / (2 * members), 1),
        "every_take_delivered": bool(all_in_time and delivered == 2 * members),
        "attributed_changes": attributed,
        "first_takes_s": round(first_s, 1),
        "total_s": round(total_s, 1),
        "rest_calls": len(fake.calls),
        "unknown_routes": len(fake.unknown),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--duration", type=float, default=1.0, help="seconds per shot")
    parser.add_argument("--ramp", type=float, default=2.0, help="spread the members' commands over this many seconds")
    parser.add_argument("--workers", type=int, default=1, help="local render workers")
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()
    result = asyncio.run(run(args.members, args.duration, args.ramp, args.timeout, args.workers))
    print(json.dumps(result, indent=2))
    clean = result["unanswered"] == 0 and result["invalid_requests"] == 0
    in_time = result["answered_within_3s"] == result["interactions"]
    return 0 if in_time and clean and result["every_take_delivered"] else 1


if __name__ == "__main__":
    sys.exit(main())
