"""User mentions in a creator's text become the member's display name, where Discord can say who it is."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable

import discord

USER_MENTION = re.compile(r"<@!?(\d{1,22})>")
# Members looked up over REST for one text at most: a prompt naming a few people is normal, fifty is not.
MAX_LOOKUPS = 5


async def with_display_names(
    text: str, guild: discord.Guild | None, mentioned: Iterable[discord.abc.User] | None = None
) -> str:
    """`text` with each `<@id>` of a member replaced by their display name ("<@123> dancing" -> "Ana dancing").

    "Make a video of @Ana dancing" means the person called Ana, so the director should read her name. Discord
    resolves the users a typed message mentions (pass `message.mentions`: they are all there is); slash-command
    options and modal fields come unresolved (`mentioned` None), so those are found in the bot's member cache or
    fetched from the server, a few per text. A mention of nobody in the server, role and channel mentions, and
    @everyone/@here are left for the director's intake, which removes them."""
    names = {user.id: user.display_name for user in mentioned or ()}
    lookups = 0
    for user_id in dict.fromkeys(int(found) for found in USER_MENTION.findall(text)):
        if user_id in names or guild is None or mentioned is not None:
            continue
        member = guild.get_member(user_id)
        if member is None and lookups < MAX_LOOKUPS:
            lookups += 1
            with contextlib.suppress(discord.HTTPException):  # not a member (any more): the mention is removed
                member = await guild.fetch_member(user_id)
        if member is not None:
            names[user_id] = member.display_name
    return USER_MENTION.sub(lambda match: names.get(int(match.group(1)), match.group(0)), text)
