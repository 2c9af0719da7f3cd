"""What Discord sends the bot over the gateway: interactions (with ids minted from the fake's clock, so
`Interaction.is_expired()` is honest) and the messages members type."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bots.testing import payloads as p
from bots.testing.lifecycle import Interaction

if TYPE_CHECKING:
    from bots.testing.fake_discord import FakeDiscord


class Interactions:
    """Builds interaction payloads and registers each with the fake, which then holds the bot to its rules."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.app_permissions = p.ALL_PERMISSIONS  # the bot's permissions in the channel, sent with every interaction

    def _base(
        self, kind: int, guild_id: int | None, channel: dict[str, Any], who: dict[str, Any], label: str, age: float
    ) -> dict[str, Any]:
        """A guild interaction from a member, or (guild_id None) one from a user in a direct message. `age`
        seconds old: older than 3 s it can no longer be answered, older than 15 minutes its token is dead."""
        state = self.fake.state
        interaction_id = state.ids.mint(state.clock() - age)
        channel = state.channels.get(int(channel["id"]), channel)  # as Discord sees it now (archived, locked)
        token = f"tok{interaction_id}"
        state.ledger.register(Interaction(interaction_id, token, kind, label, channel_id=int(channel["id"])))
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(p.APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "channel_id": channel["id"],
            "channel": channel,
            "app_permissions": str(self.app_permissions),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": state.upload_limit(channel),
        }
        if guild_id is None:
            person = who.get("user", who)
            payload.update(user=person, context=1, authorizing_integration_owners={"1": person["id"]})
        else:
            payload.update(
                guild_id=str(guild_id),
                member=who,
                guild_locale="en-US",
                context=0,
                authorizing_integration_owners={"0": str(guild_id)},
            )
        return payload

    def slash(
        self,
        name: str,
        options: dict[str, Any],
        *,
        guild_id: int | None,
        channel: dict,
        who: dict,
        group: str | None = None,
        age: float = 0.0,
    ) -> dict[str, Any]:
        payload = self._base(2, guild_id, channel, who, f"/{group + ' ' if group else ''}{name}", age)
        opts = [{"name": k, "type": _option_type(v), "value": v} for k, v in options.items()]
        if group is not None:
            opts = [{"name": name, "type": 1, "options": opts}]
            name = group
        payload["data"] = {"id": str(self.fake.new_id()), "name": name, "type": 1, "options": opts}
        return payload

    def button(
        self, custom_id: str, *, guild_id: int | None, channel: dict, who: dict, message: dict, age: float = 0.0
    ) -> dict[str, Any]:
        payload = self._base(3, guild_id, channel, who, f"button {custom_id}", age)
        self.fake.state.ledger.by_id[int(payload["id"])].component_message = int(message["id"])
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        payload["message"] = message
        return payload

    def modal(
        self,
        custom_id: str,
        fields: dict[str, str],
        *,
        guild_id: int | None,
        channel: dict,
        who: dict,
        age: float = 0.0,
    ) -> dict[str, Any]:
        payload = self._base(5, guild_id, channel, who, f"modal {custom_id}", age)
        payload["data"] = {
            "custom_id": custom_id,
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
                for key, value in fields.items()
            ],
        }
        return payload


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def message_create(
    fake: FakeDiscord, channel: dict, who: dict, content: str, *, guild_id: int | None
) -> dict[str, Any]:
    """A MESSAGE_CREATE payload from a member in a channel or thread, or (guild_id None) in a DM.

    As Discord does: a message sent to an archived thread that is not locked reopens it first (THREAD_UPDATE);
    `mentions` resolves each `<@id>` / `<@!id>` of a user it knows (a member of the guild, or in a DM one of
    its two people), with the member's guild fields; unknown ids are left out."""
    state = fake.state
    current = state.channels.get(int(channel["id"]), channel)
    meta = current.get("thread_metadata")
    if meta and meta["archived"] and not meta["locked"]:
        state.set_archived(current, False, soon=False)
    data = state.message(int(channel["id"]), {"content": content}, author=who.get("user", who))
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
        data["member"] = {k: v for k, v in who.items() if k != "user"}
        known = {m["user"]["id"]: m for m in state.guilds[guild_id]["members"]}
    else:
        known = {u["id"]: {"user": u} for u in (who.get("user", who), p.bot_user())}
    mentioned = dict.fromkeys(re.findall(r"<@!?(\d+)>", content))
    data["mentions"] = [
        {**known[i]["user"], **({"member": {k: v for k, v in known[i].items() if k != "user"}} if guild_id else {})}
        for i in mentioned
        if i in known
    ]
    return data
