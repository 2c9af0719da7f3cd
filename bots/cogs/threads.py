"""Plain messages in a project thread (or an allowed DM) are refinements; 👍/👎 on takes are votes."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bots.cogs.shots import project_thread
from bots.guards import DM_REFUSAL
from bots.project_threads import locked_refusal
from bots.replies import NO_PINGS

if TYPE_CHECKING:
    from bots.bot import DailiesBot


class ThreadsCog(commands.Cog):
    """Needs the message_content intent for refinements; without it, slash commands still work."""

    def __init__(self, bot: DailiesBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return

        async def refuse(reason: str) -> None:
            # the thread may be archived or the bot muted there: stay silent rather than crash
            with contextlib.suppress(discord.HTTPException):
                await message.reply(reason, allowed_mentions=NO_PINGS, mention_author=False)

        direct = isinstance(message.channel, discord.DMChannel)
        if direct and not self.bot.settings.discord_allow_dms:
            await refuse(DM_REFUSAL)
            return
        thread = project_thread(self.bot, message.channel)
        if thread is None or not message.content.strip():  # no content without the intent: nothing to do
            return
        if locked_refusal(thread) is not None:  # a moderator locked it (and spoke there): the bot may not answer
            return
        if direct and await self.bot.studio.spec(str(thread.id)) is None:
            # a DM is a project once /shot started one there; small talk before that renders nothing
            await refuse("Start a shot here with /shot; then write what to change and I'll re-shoot it.")
            return
        await self.bot.runner.refine(thread, message.author, message.content, refuse=refuse, mentioned=message.mentions)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._vote(payload, added=True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._vote(payload, added=False)

    async def _vote(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        if self.bot.votes is None or (self.bot.user is not None and payload.user_id == self.bot.user.id):
            return
        await self.bot.votes.vote(payload.message_id, payload.user_id, str(payload.emoji), added=added)
