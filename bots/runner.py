"""Admission (place, role, policy, quota) and running one Studio call with its delivery to a thread."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import discord

from agent.context import Requester
from agent.state import TakeRecord, ThreadOptions
from bots import guards
from bots.delivery import RunDelivery
from bots.failures import PlaceLost, cant_post, lost_place
from bots.guards import ProjectPlace
from bots.guild_settings import GuildSettingsStore
from bots.journal import RunJournal
from bots.mentions import with_display_names
from bots.pacing import EditPacer
from bots.policy import ContentPolicy, quote_user_text
from bots.project_threads import reopen
from bots.quotas import Lease, Quotas
from bots.replies import Notice, is_thinking, reply_ephemeral
from bots.settings import Settings
from bots.studio_port import StudioPort
from bots.upload import upload_limit
from bots.votes import VoteStore

log = logging.getLogger(__name__)

StudioCall = Callable[[RunDelivery], Awaitable[Any]]
SOMETHING_WENT_WRONG = "⚠️ Something went wrong on our side and this run stopped; the crew has been told. Try again."


@dataclass(frozen=True)
class Admission:
    """Either the cleaned text, a quota lease and who the renders are for (and charged to), or one reason."""

    refusal: str | None = None
    text: str = ""
    lease: Lease | None = None
    notes: tuple[str, ...] = ()
    requester: Requester | None = None


def author_name(user: discord.abc.User) -> str:
    """The name a change is attributed to (shown to people); quotas and the queue key on the user id."""
    return user.name


class Runner:
    """What every cog shares: may this member do this here, and run it with progress and delivery."""

    def __init__(
        self,
        *,
        studio: StudioPort,
        settings: Settings,
        quotas: Quotas,
        defaults: GuildSettingsStore,
        policy: ContentPolicy,
        spawn: Callable[..., Any],
        pacer: EditPacer,
        journal: RunJournal | None = None,
        votes: VoteStore | None = None,
    ) -> None:
        self.studio = studio
        self.settings = settings
        self.quotas = quotas
        self.defaults = defaults
        self.policy = policy
        self.journal = journal
        self.votes = votes
        self._spawn = spawn
        self.pacer = pacer
        self.active: dict[str, RunDelivery] = {}  # thread id -> the run in progress (for /queue)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> None:
        self._spawn(coro, name=name)

    async def admit(
        self,
        *,
        user: discord.abc.User,
        guild_id: int | None,
        channel: Any,
        text: str | None,
        renders: bool = True,
        mentioned: Sequence[discord.abc.User] | None = None,
        project: bool = True,
    ) -> Admission:
        """May `user` do this here? `text` comes back cleaned, mentions of known members as their display names.
        When `channel` is the project's own thread, it is reopened if archived; a locked one refuses."""
        if guild_id is None and not self.settings.discord_allow_dms:
            return Admission(guards.DM_REFUSAL)
        if renders and (why := guards.render_refusal(user, self.settings, guild_id)) is not None:
            return Admission(why)
        cleaned, notes = "", ()
        if text is not None:
            text = await with_display_names(text, getattr(channel, "guild", None), mentioned)
            verdict = self.policy.check(text, nsfw_channel=guards.nsfw_channel(channel))
            if not verdict.allowed:
                return Admission(verdict.reason)
            cleaned, notes = verdict.text, verdict.notes
        if project and isinstance(why := await reopen(channel), str):
            return Admission(why)
        lease, requester = None, None
        if renders:
            scope = guards.quota_scope(guild_id, user)
            got = await self.quotas.acquire(scope, str(user.id))
            if isinstance(got, str):
                return Admission(got)
            lease = got
            requester = self.requester(user, guild_id, charged=True)
        return Admission(None, cleaned, lease, notes, requester)

    def requester(self, user: discord.abc.User, guild_id: int | None, *, charged: bool) -> Requester:
        """Who a run works for: their id, the server, and (when `charged`) a charge per render to their quota."""
        charge = functools.partial(self.quotas.charge, guards.quota_scope(guild_id, user), str(user.id))
        return Requester(
            user=str(user.id), guild=str(guild_id) if guild_id is not None else None, charge=charge if charged else None
        )

    async def options(self, guild_id: int | None, user: discord.abc.User, **explicit: object) -> ThreadOptions:
        """The member's defaults over the server's, as the agent's per-thread options (explicit values win)."""
        defaults = await self.defaults.effective(str(guild_id) if guild_id else None, str(user.id))
        return defaults.options(approve_final_allowed=self.settings.approve_final_renders, **explicit)

    def upload_limit(self, guild: discord.Guild | None) -> int:
        return upload_limit(guild.filesize_limit if guild else None, self.settings.max_upload_bytes)

    def delivery(
        self, thread: discord.abc.Messageable, user: discord.abc.User, *, post_all: bool = False
    ) -> RunDelivery:
        studio, thread_id = self.studio, str(getattr(thread, "id", ""))

        async def take_of(take_id: str) -> TakeRecord | None:
            return await studio.take(thread_id, take_id)

        return RunDelivery(
            thread,
            owner=user,
            upload_limit=self.upload_limit(getattr(thread, "guild", None)),
            take_of=take_of,
            pacer=self.pacer,
            post_all=post_all,
            on_posted=self.votes.remember if self.votes is not None else None,
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
        notice: Notice | None = None,
    ) -> RunDelivery:
        """Post a progress message, run the call with the delivery as its event sink, always release the lease.

        A run whose thread refuses the bot is stopped (its render cancelled) and the member is told through
        `notice` (privately, or by DM once their interaction expired)."""
        from agent.studio import StudioError

        delivery = self.delivery(thread, user, post_all=post_all)
        thread_id = str(getattr(thread, "id", ""))
        self.active[thread_id] = delivery
        run_id = None
        interrupted = False
        try:
            if self.journal is not None:
                run_id = await self.journal.begin(thread_id, str(user.id), "post_all" if post_all else "run")
            await delivery.start(
                "⏳ reading your shot…" if not notes else f"⏳ reading your shot… ({', '.join(notes)})"
            )
            if self.journal is not None and run_id is not None and delivery.progress_message_id is not None:
                await self.journal.progress(run_id, delivery.progress_message_id)
            result = await self._watched(call(delivery), delivery, thread_id)
            await delivery.deliver()
            await self._after(delivery, result)
        except StudioError as exc:
            await delivery.say(f"⚠️ {exc}")
        except (discord.HTTPException, PlaceLost) as exc:
            if lost_place(exc):
                if notice is not None:
                    await notice(cant_post(exc), place_ok=False)
            else:  # Discord refused one request (a bug of ours, or its own trouble): the run cannot go on
                await self._failed(delivery, thread_id)
        except asyncio.CancelledError:
            # Shutdown or kill: keep the journal row, so the next start finishes the run and delivers its take.
            interrupted = True
            raise
        except Exception:
            await self._failed(delivery, thread_id)
        finally:
            await self._close(delivery, thread_id, run_id, lease, interrupted=interrupted)
        return delivery

    async def _failed(self, delivery: RunDelivery, thread_id: str) -> None:
        log.exception("run in thread %s failed", thread_id)
        delivery.failed = True
        await delivery.say(SOMETHING_WENT_WRONG)

    async def _watched(self, call: Awaitable[Any], delivery: RunDelivery, thread_id: str) -> Any:
        """The Studio call's result; if the thread is lost meanwhile, cancel its render and raise PlaceLost."""
        work = asyncio.ensure_future(call)
        lost = asyncio.ensure_future(delivery.lost_event.wait())
        try:
            await asyncio.wait({work, lost}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # shutdown: the call stops with us (its job goes back to the queue)
            work.cancel()
            await asyncio.wait({work})
            raise
        finally:
            lost.cancel()
        if not work.done():
            await self.studio.cancel(thread_id)
            try:
                await work
            except Exception as exc:  # the cancelled call's own ending does not matter any more
                log.info("run in lost thread %s ended: %s", thread_id, exc)
        if delivery.lost is not None:
            raise PlaceLost(delivery.lost)
        return work.result()

    async def _close(
        self, delivery: RunDelivery, thread_id: str, run_id: int | None, lease: Lease | None, *, interrupted: bool
    ) -> None:
        if lease is not None:
            lease.release()
        if self.active.get(thread_id) is delivery:
            del self.active[thread_id]
        if interrupted:
            delivery.abandon()
            return
        if self.journal is not None and run_id is not None:
            await self.journal.end(run_id)
        await delivery.finish()

    async def _after(self, delivery: RunDelivery, result: Any) -> None:
        """A final render that waits for a yes (the thread's options ask for one): post the confirm buttons.
        A message that changed nothing rendered nothing: its note said so, so no "done" line follows."""
        kind = getattr(result, "kind", None)
        if kind == "approval":
            await delivery.ask_approval(result.take_id, result.approval or "a final render")
        elif kind == "unchanged":
            delivery.unchanged = True

    # ---- the shared paths of cogs -------------------------------------------------------------

    async def refine(
        self,
        thread: ProjectPlace,
        user: discord.abc.User,
        text: str,
        *,
        refuse: Callable[[str], Awaitable[Any]],
        notice: Notice | None = None,
        mentioned: Sequence[discord.abc.User] | None = None,
    ) -> bool:
        """A message (typed, /refine or the Refine modal) that changes the shot in a project thread or DM.
        `mentioned`: the users Discord resolved in a typed message (None for text it does not resolve)."""
        guild_id = guards.guild_id_of(thread)
        admission = await self.admit(user=user, guild_id=guild_id, channel=thread, text=text, mentioned=mentioned)
        if admission.refusal:
            await refuse(admission.refusal)
            return False
        author, studio, who = author_name(user), self.studio, admission.requester
        options = await self.options(guild_id, user)
        self.spawn(
            self.run(
                thread,
                user,
                lambda sink: studio.send(
                    str(thread.id), author, admission.text, on_event=sink, options=options, requester=who
                ),
                lease=admission.lease,
                notes=admission.notes,
                notice=notice,
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
        notice = Notice(interaction.user, interaction=interaction, place=thread)
        if await self.refine(thread, interaction.user, text, refuse=refuse, notice=notice):
            await reply_ephemeral(interaction, "✏️ On it: watch the thread.")

    async def take_job(
        self,
        interaction: discord.Interaction,
        thread: ProjectPlace,
        kind: str,
        take_id: str | None,
        count: int = 3,
        *,
        owner_id: int | None = None,
    ) -> None:
        """Re-roll, variations, extend, final render, or the answer to a final render's approval. A slash
        command's "thinking…" is answered once the job is on its way; a button's silent deferral needs nothing.
        `owner_id`: who the pressed button's message was for (the take's, or the final render's, requester)."""
        user, studio = interaction.user, self.studio
        if (why := guards.missing_permissions(interaction)) is not None:
            await reply_ephemeral(interaction, why)
            return
        if (why := await self.unknown_take(thread, take_id)) is not None:
            await reply_ephemeral(interaction, why)
            return
        if (why := await self.not_theirs(thread, user, kind, take_id, owner_id)) is not None:
            await reply_ephemeral(interaction, why)
            return
        guild_id = guards.guild_id_of(thread)
        admission = await self.admit(user=user, guild_id=guild_id, channel=thread, text=None)
        if admission.refusal:
            await reply_ephemeral(interaction, admission.refusal)
            return
        author, thread_id, who = author_name(user), str(thread.id), admission.requester
        opts = await self.options(guild_id, user)
        calls: dict[str, StudioCall] = {
            "reroll": lambda sink: studio.reroll(
                thread_id, take_id, author, on_event=sink, options=opts, requester=who
            ),
            "variations": lambda sink: studio.variations(
                thread_id, count, author, on_event=sink, options=opts, requester=who
            ),
            "extend": lambda sink: studio.extend(
                thread_id, take_id, author, on_event=sink, options=opts, requester=who
            ),
            "final": lambda sink: studio.final_render(
                thread_id, take_id, author, on_event=sink, options=opts, requester=who
            ),
            "confirm": lambda sink: studio.resume(thread_id, True, author, on_event=sink, requester=who),
            "decline": lambda sink: studio.resume(thread_id, False, author, on_event=sink, requester=who),
        }
        notice = Notice(user, interaction=interaction, place=thread)
        self.spawn(
            self.run(thread, user, calls[kind], lease=admission.lease, post_all=kind == "variations", notice=notice),
            name=f"{kind}-{thread.id}",
        )
        if is_thinking(interaction):
            await reply_ephemeral(interaction, "🎬 On it: watch the thread.")

    async def not_theirs(
        self, place: ProjectPlace, user: discord.abc.User, kind: str, take_id: str | None, owner_id: int | None
    ) -> str | None:
        """Why `user` may not do this to someone else's take, or None. A final render (the most expensive
        render) is the take's requester's call, and so is the yes or no to it; re-rolls, variations and
        extensions are the thread's team's, each charged to whoever asks. Moderators may do all of it."""
        if kind == "final":
            owner = await self.studio.take_owner(str(place.id), take_id)
            if owner is None and owner_id is not None:  # a take from before takes kept their requester's id
                owner = str(owner_id)
            return guards.ownership_refusal(user, owner, "ask for its final render")
        if kind in ("confirm", "decline"):
            return guards.ownership_refusal(user, str(owner_id) if owner_id else None, "answer this final render")
        return None

    async def unknown_take(self, place: ProjectPlace, take_id: str | None) -> str | None:
        """Why `take_id` cannot be used here, or None. Takes are looked up only in this place's own project, so
        an id from another thread or server (a forged or stale button) is simply not found: nothing leaks."""
        if take_id is None or await self.studio.take(str(place.id), take_id) is not None:
            return None
        return f"I can't find take `{quote_user_text(take_id, 48)}` in this project; it may belong elsewhere."

    async def recover(
        self, thread: discord.abc.Messageable, user: discord.abc.User, *, post_all: bool = False
    ) -> RunDelivery:
        """Finish the run a crash cut off in this thread and deliver its take."""
        thread_id = str(getattr(thread, "id", ""))
        notice = Notice(user, place=thread)
        return await self.run(
            thread,
            user,
            lambda sink: self.studio.recover(
                thread_id, on_event=sink, requester=self.requester(user, guards.guild_id_of(thread), charged=False)
            ),
            lease=None,
            post_all=post_all,
            notice=notice,
        )

    def status_line(self, thread_id: str) -> str | None:
        delivery = self.active.get(thread_id)
        return delivery.status if delivery is not None else None
