"""The REST routes the fake Discord serves: method, path template, handler, and the template's rate-limit facts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class DiscordError(Exception):
    """An error answer as Discord shapes it: HTTP status, JSON code and message, optional nested `errors`."""

    def __init__(self, status: int, code: int, message: str, *, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")
MISSING_ACCESS = (403, 50001, "Missing Access")
UNKNOWN_CHANNEL = (404, 10003, "Unknown Channel")
UNKNOWN_MESSAGE = (404, 10008, "Unknown Message")
UNKNOWN_GUILD = (404, 10004, "Unknown Guild")
UNKNOWN_MEMBER = (404, 10007, "Unknown Member")
UNKNOWN_USER = (404, 10013, "Unknown User")
THREAD_ARCHIVED = (400, 50083, "Thread is archived")
WRONG_CHANNEL_TYPE = (400, 50024, "Cannot execute action on this channel type")
NON_TEXT_CHANNEL = (400, 50008, "Cannot send messages in a non-text channel")
EMPTY_MESSAGE = (400, 50006, "Cannot send an empty message")
NOT_AUTHOR = (403, 50005, "Cannot edit a message authored by another user")
TOO_LARGE = (413, 40005, "Request entity too large")
CANNOT_DM = (403, 50007, "Cannot send messages to this user")
UNAUTHORIZED = (401, 0, "401: Unauthorized")


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: str
    pattern: re.Pattern[str]

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def exempt_from_global(self) -> bool:
        """Interaction endpoints are not bound by the bot's global rate limit."""
        return self.template.startswith(("/interactions/", "/webhooks/"))


def _route(method: str, template: str, handler: str) -> Route:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return Route(method, template, handler, re.compile(f"^{regex}$"))


ROUTES: tuple[Route, ...] = (
    _route("GET", "/users/@me", "get_me"),
    _route("GET", "/oauth2/applications/@me", "get_application"),
    _route("POST", "/users/@me/channels", "open_dm"),
    _route("GET", "/applications/{application_id}/commands", "get_commands"),
    _route("PUT", "/applications/{application_id}/commands", "put_commands"),
    _route("GET", "/applications/{application_id}/guilds/{guild_id}/commands", "get_commands"),
    _route("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", "put_commands"),
    _route("POST", "/interactions/{interaction_id}/{interaction_token}/callback", "callback"),
    _route("POST", "/webhooks/{webhook_id}/{webhook_token}", "follow_up"),
    _route("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", "get_webhook_message"),
    _route("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", "edit_webhook_message"),
    _route("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", "delete_webhook_message"),
    _route("GET", "/channels/{channel_id}", "get_channel"),
    _route("PATCH", "/channels/{channel_id}", "edit_channel"),
    _route("POST", "/channels/{channel_id}/threads", "create_thread"),
    _route("PUT", "/channels/{channel_id}/thread-members/{user_id}", "add_thread_member"),
    _route("POST", "/channels/{channel_id}/messages", "create_message"),
    _route("GET", "/channels/{channel_id}/messages/{message_id}", "get_message"),
    _route("PATCH", "/channels/{channel_id}/messages/{message_id}", "edit_message"),
    _route("DELETE", "/channels/{channel_id}/messages/{message_id}", "delete_message"),
    _route("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", "add_reaction"),
    _route("GET", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}", "get_reactions"),
    _route("GET", "/guilds/{guild_id}", "get_guild"),
    _route("GET", "/guilds/{guild_id}/members/{user_id}", "get_member"),
)


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        if route.method == method and (found := route.pattern.match(path)) is not None:
            return route, found.groupdict()
    return None


MAJOR = ("channel_id", "guild_id", "webhook_id", "webhook_token", "interaction_id", "interaction_token")


def major_parameters(params: dict[str, str]) -> str:
    """What splits one route's bucket, as Discord and discord.py agree: channel, guild, webhook and token (an
    interaction's callback is a webhook of its own)."""
    return "+".join(params[k] for k in MAJOR if k in params)
