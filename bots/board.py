"""The storyboard from Discord: approve a take, show the board, cut the reel; results go to the project's
place, every refusal or failure to the member alone, and each interaction gets its answer."""

from __future__ import annotations

import logging

import discord

from bots.cards import storyboard_embed
from bots.failures import TOO_LARGE, cant_post, lost_place
from bots.guards import ProjectPlace
from bots.policy import quote_user_text
from bots.replies import NO_PINGS, Notice, reply_ephemeral
from bots.runner import SOMETHING_WENT_WRONG, Runner, author_name
from bots.upload import FittedClip, fit_clip

log = logging.getLogger(__name__)


class BoardActions:
    """Storyboard work the cogs share: through the runner's studio, votes and upload limit."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.studio = runner.studio

    async def approve(self, interaction: discord.Interaction, thread: ProjectPlace, take_id: str | None) -> None:
        """Put a take on the storyboard and say so in the thread."""
        from agent.studio import StudioError

        if (why := await self.runner.unknown_take(thread, take_id)) is not None:
            await reply_ephemeral(interaction, why)
            return
        try:
            board = await self.studio.approve(str(thread.id), take_id, author_name(interaction.user))
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

    async def show(self, interaction: discord.Interaction, thread: ProjectPlace, *, add_favourite: bool) -> None:
        """Post the storyboard in the thread (after approving the team's favourite take, if asked)."""
        from agent.studio import StudioError

        thread_id = str(thread.id)
        if add_favourite:
            records = await self.studio.takes(thread_id)
            if not records:
                await reply_ephemeral(interaction, "There is no take yet.")
                return
            votes = self.runner.votes
            tally = await votes.tally(thread_id) if votes is not None else {}
            favourite = max(records, key=lambda r: (tally.get(r.take_id, 0), r.rank))
            try:
                await self.studio.approve(thread_id, favourite.take_id, author_name(interaction.user))
            except StudioError as exc:
                await reply_ephemeral(interaction, f"⚠️ {exc}")
                return
        board = await self.studio.storyboard(thread_id)
        try:
            await thread.send(embed=storyboard_embed(board), allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            await reply_ephemeral(interaction, cant_post(exc))
            return
        await reply_ephemeral(interaction, "🗂️ The storyboard is in the thread.")

    async def reel(self, interaction: discord.Interaction, thread: ProjectPlace, crossfade: bool) -> None:
        """Cut the storyboard into one clip and post it in the thread. However long it takes and however it
        ends, the member hears of it: privately while their interaction lives, then in the thread, or by DM."""
        from agent.studio import StudioError

        notice = Notice(interaction.user, interaction=interaction, place=thread)
        limit = self.runner.upload_limit(interaction.guild)
        try:
            path = await self.studio.reel(str(thread.id), crossfade, max_bytes=limit)
            fitted = await fit_clip(path, limit)
            if not isinstance(fitted, FittedClip):
                await notice(f"⚠️ {fitted.message}")
                return
            board = await self.studio.storyboard(str(thread.id))
            await self._post_reel(interaction, thread, fitted, len(board.shots), notice)
        except StudioError as exc:
            await notice(f"⚠️ {exc}")
        except discord.HTTPException as exc:
            if exc.code == TOO_LARGE:
                await notice("⚠️ The reel is larger than this server's upload limit; approve fewer or shorter shots.")
            else:
                await notice(cant_post(exc), place_ok=not lost_place(exc))
        except Exception:
            log.exception("reel in thread %s failed", thread.id)
            await notice(SOMETHING_WENT_WRONG)

    async def _post_reel(
        self, interaction: discord.Interaction, thread: ProjectPlace, fitted: FittedClip, shots: int, notice: Notice
    ) -> None:
        line = f"🎞️ The reel: {shots} shots, {fitted.bytes / 1024:.0f} KiB"
        file = discord.File(fitted.path, filename="reel.mp4")
        if interaction.is_expired():  # the private answer can no longer be given: name them in the post
            user = interaction.user
            only_them = discord.AllowedMentions(everyone=False, roles=False, users=[user])
            await thread.send(f"{user.mention} {line}", file=file, allowed_mentions=only_them)
            return
        await thread.send(line, file=file, allowed_mentions=NO_PINGS)
        await notice("🎞️ Reel posted in the thread.")  # in the thread, naming them, if the upload outlived the token
