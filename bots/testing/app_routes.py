"""Application routes of the fake Discord: the bot's identity, command sync per scope, guilds and members."""

from __future__ import annotations

from bots.testing import payloads as p
from bots.testing.channel_routes import Reply, invalid_form
from bots.testing.routes import MISSING_ACCESS, UNKNOWN_GUILD, UNKNOWN_MEMBER, DiscordError
from bots.testing.state import FakeState, Request
from bots.testing.validation import FormErrors, check_commands


def get_me(state: FakeState, req: Request) -> Reply:
    return 200, p.bot_user()


def get_application(state: FakeState, req: Request) -> Reply:
    return 200, {
        "id": str(p.APP_ID),
        "name": "Dailies",
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": p.user(p.OWNER_ID, "owner"),
        "verify_key": "0" * 64,
        "flags": 0,
    }


def _scope(state: FakeState, req: Request) -> str:
    """ "global", or the guild's id when the bot is in that guild (else 50001, as Discord answers)."""
    if req.params["application_id"] != str(p.APP_ID):
        raise DiscordError(*MISSING_ACCESS)
    guild_id = req.params.get("guild_id")
    if guild_id is None:
        return "global"
    if int(guild_id) not in state.guilds:
        raise DiscordError(*MISSING_ACCESS)
    return guild_id


def get_commands(state: FakeState, req: Request) -> Reply:
    return 200, state.commands.get(_scope(state, req), [])


def put_commands(state: FakeState, req: Request) -> Reply:
    """A bulk overwrite: the scope's commands become exactly these (an empty list removes them all)."""
    scope = _scope(state, req)
    errors = FormErrors()
    check_commands(req.json, errors)
    invalid_form(errors)
    stored = [
        {
            **command,
            "id": str(state.new_id()),
            "application_id": str(p.APP_ID),
            "version": "1",
            **({"guild_id": scope} if scope != "global" else {}),
        }
        for command in req.json
    ]
    state.commands[scope] = stored
    return 200, stored


def get_guild(state: FakeState, req: Request) -> Reply:
    found = state.guilds.get(int(req.params["guild_id"]))
    if found is None:
        raise DiscordError(*UNKNOWN_GUILD)
    return 200, found


def get_member(state: FakeState, req: Request) -> Reply:
    guild = state.guilds.get(int(req.params["guild_id"]))
    if guild is None:
        raise DiscordError(*UNKNOWN_GUILD)
    found = state.member(guild, req.params["user_id"])
    if found is None:
        raise DiscordError(*UNKNOWN_MEMBER)
    return 200, found
