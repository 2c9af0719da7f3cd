"""The bot's cogs: each translates one kind of Discord event into Studio calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dailies.bots.bot import DailiesBot


async def load_cogs(bot: DailiesBot) -> None:
    from dailies.bots.cogs.settings import SettingsCog

    for cog in (SettingsCog(bot),):
        await bot.add_cog(cog)
