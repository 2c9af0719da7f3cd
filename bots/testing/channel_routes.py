"""Channel routes of the fake Discord: messages, threads (text, announcement, forum), thread members, reactions,
direct messages; each refuses what Discord refuses, where Discord checks it."""

from __future__ import annotations

from typing import Any

from bots.testing import payloads as p
from bots.testing.routes import (
    CANNOT_DM,
    EMPTY_MESSAGE,
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    NON_TEXT_CHANNEL,
    NOT_AUTHOR,
    THREAD_ARCHIVED,
    UNKNOWN_MEMBER,
    UNKNOWN_MESSAGE,
    UNKNOWN_USER,
    WRONG_CHANNEL_TYPE,
    DiscordError,
)
from bots.testing.state import FakeState, Request
from bots.testing.validation import FormErrors, check_kept_attachments, check_message, check_thread, is_empty

Reply = tuple[int, Any]


def invalid_form(errors: FormErrors) -> None:
    if errors:
        body = errors.body()
        raise DiscordError(400, body["code"], body["message"], errors=body["errors"])


def checked_message(body: Any, files: dict[str, tuple[str, bytes]], *, interaction: bool = False) -> dict[str, Any]:
    """The message payload if Discord would accept it: 50035 for a bad field, 50006 for nothing to show."""
    errors = FormErrors()
    check_message(body, errors, files=len(files), interaction=interaction)
    invalid_form(errors)
    if is_empty(body, len(files)):
        raise DiscordError(*EMPTY_MESSAGE)
    return body


def create_message(state: FakeState, req: Request) -> Reply:
    channel = state.channel(req.params["channel_id"])
    if channel["type"] in (p.FORUM,):
        raise DiscordError(*NON_TEXT_CHANNEL)
    if channel["type"] == p.DM:
        recipient = int(channel["recipients"][0]["id"])
        if recipient in state.dm_closed:
            raise DiscordError(*CANNOT_DM)
    state.writable(channel, reopens=True)
    body = checked_message(req.json or {}, req.files)
    state.check_upload(channel, req.files)
    return 200, state.message(int(channel["id"]), body, files=req.files)


def _own_message(state: FakeState, req: Request) -> dict[str, Any]:
    message = state.messages.get(int(req.params["message_id"]))
    if message is None or message["channel_id"] != req.params["channel_id"]:
        raise DiscordError(*UNKNOWN_MESSAGE)
    return message


def get_message(state: FakeState, req: Request) -> Reply:
    channel = state.channel(req.params["channel_id"])
    if int(channel["id"]) in state.forbidden:
        raise DiscordError(*MISSING_ACCESS)
    return 200, _own_message(state, req)


def edit_message(state: FakeState, req: Request) -> Reply:
    channel = state.channel(req.params["channel_id"])
    state.writable(channel, reopens=False)
    message = _own_message(state, req)
    if message["author"]["id"] != str(p.BOT_ID):
        raise DiscordError(*NOT_AUTHOR)
    errors = FormErrors()
    check_message(req.json or {}, errors, files=len(req.files))
    check_kept_attachments(req.json or {}, message, len(req.files), errors)
    invalid_form(errors)
    return 200, state.edit(message, req.json or {}, req.files)


def delete_message(state: FakeState, req: Request) -> Reply:
    channel = state.channel(req.params["channel_id"])
    if int(channel["id"]) in state.forbidden:  # deleting is allowed in archived threads, not without access
        raise DiscordError(*MISSING_PERMISSIONS)
    message = _own_message(state, req)
    if message["author"]["id"] != str(p.BOT_ID):
        raise DiscordError(*MISSING_PERMISSIONS)  # the bot has no Manage Messages in the fake
    del state.messages[int(message["id"])]
    return 204, None


def create_thread(state: FakeState, req: Request) -> Reply:
    """A thread: private or public in a text channel, an announcement thread in an announcement channel,
    a post (thread plus its first message) in a forum. Never inside a thread or a DM."""
    parent = state.channel(req.params["channel_id"])
    if int(parent["id"]) in state.forbidden:
        raise DiscordError(*MISSING_PERMISSIONS)
    body = req.json or {}
    errors = FormErrors()
    check_thread(body, errors)
    kind = parent["type"]
    if kind == p.FORUM:
        if not isinstance(body.get("message"), dict):
            errors.add(("message",), "BASE_TYPE_REQUIRED", "This field is required")
        invalid_form(errors)
        starter = checked_message(body["message"], req.files)
        state.check_upload(parent, req.files)
        thread = state.thread(parent, body["name"], p.PUBLIC_THREAD)
        message = state.message(int(thread["id"]), starter, files=req.files, message_id=int(thread["id"]))
        return 201, {**thread, "message": message}
    invalid_form(errors)
    wanted = body.get("type", p.PRIVATE_THREAD)
    allowed = {p.TEXT: (p.PUBLIC_THREAD, p.PRIVATE_THREAD), p.ANNOUNCEMENT: (p.ANNOUNCEMENT_THREAD,)}
    if wanted not in allowed.get(kind, ()):
        raise DiscordError(*WRONG_CHANNEL_TYPE)
    return 201, state.thread(parent, body["name"], wanted)


def edit_channel(state: FakeState, req: Request) -> Reply:
    """Threads only (the bot may not edit channels): reopen, archive or rename one it may post in; lock or
    unlock, or reopen a locked one, only with Manage Threads, which the bot does not have."""
    channel = state.channel(req.params["channel_id"])
    meta = channel.get("thread_metadata")
    body = req.json or {}
    if meta is None or int(channel["id"]) in state.forbidden or "locked" in body:
        raise DiscordError(*MISSING_PERMISSIONS)
    if meta["locked"]:
        raise DiscordError(*MISSING_PERMISSIONS)
    if "name" in body:
        errors = FormErrors()
        check_thread(body, errors)
        invalid_form(errors)
        channel["name"] = body["name"]
    if "archived" in body:
        state.set_archived(channel, bool(body["archived"]))
    elif "name" in body:
        state.dispatch("thread_update", channel)
    return 200, channel


def add_thread_member(state: FakeState, req: Request) -> Reply:
    thread = state.channel(req.params["channel_id"])
    if "thread_metadata" not in thread:
        raise DiscordError(*WRONG_CHANNEL_TYPE)
    if int(thread["id"]) in state.forbidden:
        raise DiscordError(*MISSING_PERMISSIONS)
    if thread["thread_metadata"]["archived"]:
        raise DiscordError(*THREAD_ARCHIVED)
    user_id = str(p.BOT_ID) if req.params["user_id"] == "@me" else req.params["user_id"]
    guild = state.guild_of(thread)
    if guild is None or state.member(guild, user_id) is None:
        raise DiscordError(*UNKNOWN_MEMBER)
    state.thread_members.setdefault(int(thread["id"]), set()).add(int(user_id))
    return 204, None


def add_reaction(state: FakeState, req: Request) -> Reply:
    channel = state.channel(req.params["channel_id"])
    state.writable(channel, reopens=False)
    message = _own_message(state, req)
    state.reactions.setdefault((int(message["id"]), req.params["emoji"]), []).append(p.bot_user())
    return 204, None


def get_reactions(state: FakeState, req: Request) -> Reply:
    return 200, state.reactions.get((int(req.params["message_id"]), req.params["emoji"]), [])


def get_channel(state: FakeState, req: Request) -> Reply:
    channel = state.channel(req.params["channel_id"])
    if int(channel["id"]) in state.forbidden:
        raise DiscordError(*MISSING_ACCESS)
    return 200, channel


def open_dm(state: FakeState, req: Request) -> Reply:
    """The DM channel with a user the bot shares a server with (its id: the user's id plus one)."""
    recipient = str((req.json or {}).get("recipient_id", ""))
    person = next((m for g in state.guilds.values() if (m := state.member(g, recipient)) is not None), None)
    if person is None:
        raise DiscordError(*UNKNOWN_USER)
    channel_id = int(recipient) + 1
    channel = state.channels.setdefault(channel_id, p.dm_channel(channel_id, person))
    return 200, channel
