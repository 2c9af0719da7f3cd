"""Interaction routes of the fake Discord: the initial response (callback), follow-ups and @original, kept to
the lifecycle rules (3 s, one response, 15-minute token, the first follow-up replaces "thinking…")."""

from __future__ import annotations

from typing import Any

from bots.testing import payloads as p
from bots.testing.channel_routes import Reply, checked_message, invalid_form
from bots.testing.lifecycle import (
    CHANNEL_MESSAGE,
    DEFERRED_MESSAGE,
    EPHEMERAL,
    LOADING,
    MODAL,
    UNKNOWN_WEBHOOK,
    UPDATE_MESSAGE,
    Interaction,
    Refusal,
)
from bots.testing.routes import UNKNOWN_MESSAGE, DiscordError
from bots.testing.state import FakeState, Request
from bots.testing.validation import FormErrors, check_kept_attachments, check_message, check_modal


def _ledger_call(action):
    try:
        return action()
    except Refusal as refusal:
        raise DiscordError(refusal.status, refusal.code, refusal.message) from None


def _channel_of(state: FakeState, record: Interaction) -> dict[str, Any]:
    return state.channels.get(record.channel_id) or {"id": str(record.channel_id), "type": p.TEXT}


def callback(state: FakeState, req: Request) -> Reply:
    body = req.json if isinstance(req.json, dict) else {}
    kind = body.get("type")
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    # The payload is checked before the response counts: a refused one leaves the interaction unanswered.
    if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
        errors = FormErrors()
        check_message(data, errors, files=len(req.files), interaction=True, path=("data",))
        invalid_form(errors)
    elif kind == MODAL:
        errors = FormErrors()
        check_modal(data, errors)
        invalid_form(errors)
    record = _ledger_call(
        lambda: state.ledger.respond(int(req.params["interaction_id"]), req.params["interaction_token"], kind)
    )
    reply: dict[str, Any] = {"interaction": {"id": str(record.id), "type": record.kind}}
    channel = _channel_of(state, record)
    if kind == CHANNEL_MESSAGE:
        message = state.message(int(channel["id"]), data, files=req.files)
        record.original = int(message["id"])
        reply["resource"] = {"type": kind, "message": message}
    elif kind == DEFERRED_MESSAGE:
        flags = (data.get("flags") or 0) & EPHEMERAL | LOADING
        message = state.message(int(channel["id"]), {"flags": flags})
        record.original = int(message["id"])
        reply["interaction"]["response_message_id"] = message["id"]
    elif kind == UPDATE_MESSAGE and record.original in state.messages:
        state.edit(state.messages[record.original], data)
    if record.original is not None:
        reply["interaction"]["response_message_id"] = str(record.original)
    return 200, reply


def _record(state: FakeState, req: Request) -> Interaction:
    if req.params["webhook_id"] != str(p.APP_ID):
        raise DiscordError(*UNKNOWN_WEBHOOK)
    return _ledger_call(lambda: state.ledger.webhook(req.params["webhook_token"]))


def follow_up(state: FakeState, req: Request) -> Reply:
    """A follow-up. The first after a deferral replaces the "thinking…" message and keeps its visibility
    (the follow-up's own ephemeral flag is ignored); later ones are new messages with their own flags."""
    record = _record(state, req)
    body = checked_message(req.json or {}, req.files, interaction=True)
    channel = _channel_of(state, record)
    state.check_upload(channel, req.files)
    if record.thinking and record.original in state.messages:
        original = state.messages[record.original]
        state.edit(original, body)
        original["flags"] = original["flags"] & ~LOADING
        original["attachments"] = state.attachments(record.original, req.files)
        record.thinking = False
        return 200, original
    return 200, state.message(int(channel["id"]), body, files=req.files)


def _target(state: FakeState, req: Request, record: Interaction) -> dict[str, Any]:
    target = req.params["message_id"]
    message_id = record.original if target == "@original" else int(target)
    message = state.messages.get(message_id) if message_id is not None else None
    if message is None:
        raise DiscordError(*UNKNOWN_MESSAGE)
    return message


def get_webhook_message(state: FakeState, req: Request) -> Reply:
    record = _record(state, req)
    return 200, _target(state, req, record)


def edit_webhook_message(state: FakeState, req: Request) -> Reply:
    record = _record(state, req)
    message = _target(state, req, record)
    errors = FormErrors()
    check_message(req.json or {}, errors, files=len(req.files), interaction=True)
    check_kept_attachments(req.json or {}, message, len(req.files), errors)
    invalid_form(errors)
    state.edit(message, req.json or {}, req.files)
    if int(message["id"]) == record.original and record.thinking:
        message["flags"] &= ~LOADING
        record.thinking = False
    return 200, message


def delete_webhook_message(state: FakeState, req: Request) -> Reply:
    record = _record(state, req)
    message = _target(state, req, record)
    del state.messages[int(message["id"])]
    if int(message["id"]) == record.original:
        record.thinking = False
    return 204, None
