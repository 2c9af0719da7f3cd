"""The bot's cogs: each translates one kind of Discord event into Studio calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bots.bot import DailiesBot


async def load_cogs(bot: DailiesBot) -> None:
    from bots.buttons import TakeButton
    from bots.cogs.admin import AdminCog
    from bots.cogs.settings import SettingsCog
    from bots.cogs.shots import ShotsCog
    from bots.cogs.takes import TakesCog
    from bots.cogs.threads import ThreadsCog

    for cog in (ShotsCog(bot), TakesCog(bot), ThreadsCog(bot), AdminCog(bot), SettingsCog(bot)):
        await bot.add_cog(cog)
    bot.add_dynamic_items(TakeButton)
