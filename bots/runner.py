"""Admission (place, role, policy, quota) and running one Studio call with its delivery to a thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from agent.state import TakeRecord, ThreadOptions
from bots import guards
from bots.cards import storyboard_embed
from bots.delivery import RunDelivery
from bots.guards import ProjectPlace
from bots.mentions import with_display_names
from bots.policy import quote_user_text
from bots.quotas import Lease
from bots.replies import NO_PINGS, reply_ephemeral
from bots.upload import upload_limit

if TYPE_CHECKING:
    from bots.bot import DailiesBot

log = logging.getLogger(__name__)

StudioCall = Callable[[RunDelivery], Awaitable[Any]]


@dataclass(frozen=True)
class Admission:
    """Either the cleaned text and a quota lease, or one friendly reason."""

    refusal: str | None = None
    text: str = ""
    lease: Lease | None = None
    notes: tuple[str, ...] = ()


def cant_post(exc: discord.HTTPException) -> str:
    """A friendly line for a post the channel refused (missing permission, archived or deleted thread)."""
    reason = exc.text or f"HTTP {exc.status}"
    return (
        f"I couldn't post in this thread ({quote_user_text(reason, 100)}): "
        "check my permissions there, or start a new thread with /shot."
    )


def author_name(user: discord.abc.User) -> str:
    """The name a change is attributed to and renders are queued fairly by: the unique username."""
    return user.name


class Runner:
    """What every cog shares: may this member do this here, and run it with progress and delivery."""

    def __init__(self, bot: DailiesBot) -> None:
        self.bot = bot
        self.active: dict[str, RunDelivery] = {}  # thread id -> the run in progress (for /queue)

    async def admit(
        self,
        *,
        user: discord.abc.User,
        guild_id: int | None,
        channel: Any,
        text: str | None,
        renders: bool = True,
        mentioned: Sequence[discord.abc.User] | None = None,
    ) -> Admission:
        """May `user` do this here? `text` comes back cleaned, mentions of known members as their display names."""
        settings = self.bot.settings
        if guild_id is None and not settings.discord_allow_dms:
            return Admission(guards.DM_REFUSAL)
        if (why := guards.archived_refusal(channel)) is not None:
            return Admission(why)
        if renders and (why := guards.render_refusal(user, settings)) is not None:
            return Admission(why)
        cleaned, notes = "", ()
        if text is not None:
            text = await with_display_names(text, getattr(channel, "guild", None), mentioned)
            verdict = self.bot.policy.check(text, nsfw_channel=guards.nsfw_channel(channel))
            if not verdict.allowed:
                return Admission(verdict.reason)
            cleaned, notes = verdict.text, verdict.notes
        lease = None
        if renders:
            got = await self.bot.quotas.acquire(str(guild_id or "dm"), str(user.id))
            if isinstance(got, str):
                return Admission(got)
            lease = got
        return Admission(None, cleaned, lease, notes)

    async def options(self, guild_id: int | None, user: discord.abc.User, **explicit: object) -> ThreadOptions:
        """The member's defaults over the server's, as the agent's per-thread options (explicit values win)."""
        defaults = await self.bot.defaults.effective(str(guild_id) if guild_id else None, str(user.id))
        return defaults.options(approve_final_allowed=self.bot.settings.approve_final_renders, **explicit)

    def upload_limit(self, guild: discord.Guild | None) -> int:
        return upload_limit(guild.filesize_limit if guild else None, self.bot.settings.max_upload_bytes)

    def delivery(
        self, thread: discord.abc.Messageable, user: discord.abc.User, *, post_all: bool = False
    ) -> RunDelivery:
        studio = self.bot.studio
        thread_id = str(getattr(thread, "id", ""))

        async def take_of(take_id: str) -> TakeRecord | None:
            return await studio.take(thread_id, take_id)

        return RunDelivery(
            thread,
            owner=user,
            upload_limit=self.upload_limit(getattr(thread, "guild", None)),
            take_of=take_of,
            progress_interval=self.bot.progress_interval,
            post_all=post_all,
            on_posted=self.bot.votes.remember if self.bot.votes is not None else None,
        )

    async def run(
        self,
        thread: discord.abc.Messageable,
        user: discord.abc.User,
        call: StudioCall,
        *,
        lease: Lease | None,
        post_all: bool = False,
        notes: tuple[str, ...] = (),
        notify: Callable[[str], Awaitable[Any]] | None = None,
    ) -> RunDelivery:
        """Post a progress message, run the call with the delivery as its event sink, always release the lease.

        `notify` answers the member privately (an interaction's follow-up) when the thread refuses the posts."""
        from agent.studio import StudioError

        delivery = self.delivery(thread, user, post_all=post_all)
        thread_id = str(getattr(thread, "id", ""))
        self.active[thread_id] = delivery
        journal = self.bot.journal
        interrupted = False
        try:
            if journal is not None:
                await journal.begin(thread_id, str(user.id), "post_all" if post_all else "run")
            await delivery.start(
                "⏳ reading your shot…" if not notes else f"⏳ reading your shot… ({', '.join(notes)})"
            )
            result = await call(delivery)
            await delivery.deliver()
            await self._after(thread, user, delivery, result)
        except StudioError as exc:
            await delivery.say(f"⚠️ {exc}")
        except discord.HTTPException as exc:
            log.warning("lost the thread while delivering: %s", exc)
            if notify is not None:
                await notify(cant_post(exc))
        except asyncio.CancelledError:
            # Shutdown or kill: keep the journal row, so the next start finishes the run and delivers its take.
            interrupted = True
            raise
        finally:
            if lease is not None:
                lease.release()
            if self.active.get(thread_id) is delivery:
                del self.active[thread_id]
            if interrupted:
                delivery.abandon()
            else:
                if journal is not None:
                    await journal.end(thread_id)
                await delivery.finish()
        return delivery

    async def _after(self, thread: Any, user: discord.abc.User, delivery: RunDelivery, result: Any) -> None:
        """A final render that waits for a yes (the thread's options ask for one): post the confirm buttons."""
        if getattr(result, "kind", None) == "approval":
            await delivery.ask_approval(result.take_id, result.approval or "a final render")

    # ---- the shared paths of cogs -------------------------------------------------------------

    async def refine(
        self,
        thread: ProjectPlace,
        user: discord.abc.User,
        text: str,
        *,
        refuse: Callable[[str], Awaitable[Any]],
        notify: Callable[[str], Awaitable[Any]] | None = None,
        mentioned: Sequence[discord.abc.User] | None = None,
    ) -> bool:
        """A message (typed, /refine or the Refine modal) that changes the shot in a project thread or DM.
        `mentioned`: the users Discord resolved in a typed message (None for text it does not resolve)."""
        guild_id = guards.guild_id_of(thread)
        admission = await self.admit(user=user, guild_id=guild_id, channel=thread, text=text, mentioned=mentioned)
        if admission.refusal:
            await refuse(admission.refusal)
            return False
        author, studio = author_name(user), self.bot.studio
        options = await self.options(guild_id, user)
        self.bot.spawn(
            self.run(
                thread,
                user,
                lambda sink: studio.send(str(thread.id), author, admission.text, on_event=sink, options=options),
                lease=admission.lease,
                notes=admission.notes,
                notify=notify,
            ),
            name=f"refine-{thread.id}",
        )
        return True

    async def refine_from_interaction(self, interaction: discord.Interaction, thread: ProjectPlace, text: str) -> None:
        async def refuse(reason: str) -> None:
            await reply_ephemeral(interaction, reason)

        if (why := guards.missing_permissions(interaction)) is not None:
            await refuse(why)
            return
        if await self.refine(thread, interaction.user, text, refuse=refuse, notify=refuse):
            await reply_ephemeral(interaction, "✏️ On it: watch the thread.")

    async def take_job(
        self, interaction: discord.Interaction, thread: ProjectPlace, kind: str, take_id: str | None, count: int = 3
    ) -> None:
        """Re-roll, variations, extend, final render, or the answer to a final render's approval."""
        user, studio = interaction.user, self.bot.studio
        if (why := guards.missing_permissions(interaction)) is not None:
            await reply_ephemeral(interaction, why)
            return
        if (why := await self.unknown_take(thread, take_id)) is not None:
            await reply_ephemeral(interaction, why)
            return
        guild_id = guards.guild_id_of(thread)
        admission = await self.admit(user=user, guild_id=guild_id, channel=thread, text=None)
        if admission.refusal:
            await reply_ephemeral(interaction, admission.refusal)
            return
        author, thread_id = author_name(user), str(thread.id)
        opts = await self.options(guild_id, user)
        calls: dict[str, StudioCall] = {
            "reroll": lambda sink: studio.reroll(thread_id, take_id, author, on_event=sink, options=opts),
            "variations": lambda sink: studio.variations(thread_id, count, author, on_event=sink, options=opts),
            "extend": lambda sink: studio.extend(thread_id, take_id, author, on_event=sink, options=opts),
            "final": lambda sink: studio.final_render(thread_id, take_id, author, on_event=sink, options=opts),
            "confirm": lambda sink: studio.resume(thread_id, True, author, on_event=sink),
            "decline": lambda sink: studio.resume(thread_id, False, author, on_event=sink),
        }

        async def notify(text: str) -> None:
            await reply_ephemeral(interaction, text)

        self.bot.spawn(
            self.run(thread, user, calls[kind], lease=admission.lease, post_all=kind == "variations", notify=notify),
            name=f"{kind}-{thread.id}",
        )

    async def unknown_take(self, place: ProjectPlace, take_id: str | None) -> str | None:
        """Why `take_id` cannot be used here, or None. Takes are looked up only in this place's own project, so
        an id from another thread or server (a forged or stale button) is simply not found: nothing leaks."""
        if take_id is None or await self.bot.studio.take(str(place.id), take_id) is not None:
            return None
        return f"I can't find take `{quote_user_text(take_id, 48)}` in this project; it may belong elsewhere."

    async def approve(self, interaction: discord.Interaction, thread: ProjectPlace, take_id: str | None) -> None:
        """Put a take on the storyboard and say so in the thread."""
        from agent.studio import StudioError

        if (why := await self.unknown_take(thread, take_id)) is not None:
            await reply_ephemeral(interaction, why)
            return
        try:
            board = await self.bot.studio.approve(str(thread.id), take_id, author_name(interaction.user))
        except StudioError as exc:
            await reply_ephemeral(interaction, f"⚠️ {exc}")
            return
        who = quote_user_text(interaction.user.display_name, 40)
        try:
            await thread.send(
                f"✅ @{who} approved take `{take_id or 'current'}`: it is shot {len(board.shots)} of the storyboard.",
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException as exc:
            await reply_ephemeral(
                interaction, f"✅ Approved: shot {len(board.shots)} of the storyboard. {cant_post(exc)}"
            )

    async def storyboard(self, interaction: discord.Interaction, thread: ProjectPlace, *, add_favourite: bool) -> None:
        from agent.studio import StudioError

        thread_id = str(thread.id)
        if add_favourite:
            records = await self.bot.studio.takes(thread_id)
            if not records:
                await interaction.followup.send("There is no take yet.", allowed_mentions=NO_PINGS)
                return
            tally = await self.bot.votes.tally(thread_id) if self.bot.votes is not None else {}
            favourite = max(records, key=lambda r: (tally.get(r.take_id, 0), r.rank))
            try:
                await self.bot.studio.approve(thread_id, favourite.take_id, author_name(interaction.user))
            except StudioError as exc:
                await interaction.followup.send(f"⚠️ {exc}", allowed_mentions=NO_PINGS)
                return
        board = await self.bot.studio.storyboard(thread_id)
        await interaction.followup.send(embed=storyboard_embed(board), allowed_mentions=NO_PINGS)

    async def recover(
        self, thread: discord.abc.Messageable, user: discord.abc.User, *, post_all: bool = False
    ) -> RunDelivery:
        """Finish the run a crash cut off in this thread and deliver its take."""
        thread_id = str(getattr(thread, "id", ""))
        return await self.run(
            thread, user, lambda sink: self.bot.studio.recover(thread_id, on_event=sink), lease=None, post_all=post_all
        )

    def status_line(self, thread_id: str) -> str | None:
        delivery = self.active.get(thread_id)
        return delivery.status if delivery is not None else None
