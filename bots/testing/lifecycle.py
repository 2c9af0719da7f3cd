"""The life of an interaction as Discord keeps it: one initial response within 3 s, a token good for 15 minutes,
and a "thinking…" message that stays until the bot answers it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bots.testing.clock import snowflake_time

ACK_WINDOW_S = 3.0
TOKEN_LIFETIME_S = 15 * 60.0
EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Which initial responses each interaction type accepts (Discord's interaction callback types).
CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL = 4, 5, 6, 7, 9
ALLOWED_RESPONSES = {
    2: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, MODAL},  # application command
    3: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},  # message component
    5: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},  # modal submit
}


class Refusal(Exception):
    """An interaction rule broken: the HTTP status, Discord's code and message."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")
ALREADY_ACKNOWLEDGED = (400, 40060, "Interaction has already been acknowledged.")
INVALID_TOKEN = (401, 50027, "Invalid Webhook Token")
UNKNOWN_WEBHOOK = (404, 10015, "Unknown Webhook")


@dataclass
class Interaction:
    """One interaction the fake sent to the bot, and how the bot has answered it so far."""

    id: int
    token: str
    kind: int
    label: str  # the command name or custom_id, for failure messages
    channel_id: int = 0
    component_message: int | None = None  # the message whose button was pressed
    response: int | None = None  # the initial response's callback type
    responded_at: float | None = None
    original: int | None = None  # the message @original names
    thinking: bool = False  # a deferred "thinking…" message nobody has answered yet
    expected_unanswered: bool = False

    @property
    def created(self) -> float:
        return snowflake_time(self.id)


class Ledger:
    """Every interaction by id and token; enforces the response rules and reports what was left unanswered."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.by_id: dict[int, Interaction] = {}
        self.by_token: dict[str, Interaction] = {}

    def register(self, record: Interaction) -> Interaction:
        self.by_id[record.id] = record
        self.by_token[record.token] = record
        return record

    def respond(self, interaction_id: int, token: str, response: int) -> Interaction:
        """Record the initial response, or raise the Refusal Discord would answer with."""
        record = self.by_id.get(interaction_id)
        if record is None or record.token != token or self._clock() - record.created > ACK_WINDOW_S:
            raise Refusal(*UNKNOWN_INTERACTION)
        if record.response is not None:
            raise Refusal(*ALREADY_ACKNOWLEDGED)
        if response not in ALLOWED_RESPONSES.get(record.kind, set()):
            raise Refusal(400, 50035, f"Interaction response type {response} is not valid for this interaction")
        record.response, record.responded_at = response, self._clock()
        record.thinking = response == DEFERRED_MESSAGE
        if response in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            record.original = record.component_message
        return record

    def webhook(self, token: str) -> Interaction:
        """The interaction a follow-up or @original call names, while its token is alive and it was answered."""
        record = self.by_token.get(token)
        if record is None or record.response is None:
            raise Refusal(*UNKNOWN_WEBHOOK)
        if self._clock() - record.created >= TOKEN_LIFETIME_S:
            raise Refusal(*INVALID_TOKEN)
        return record

    def unanswered(self) -> list[str]:
        """Interactions a member would see as failed: never acknowledged, or still "thinking…"."""
        left = []
        for record in self.by_id.values():
            if record.expected_unanswered:
                continue
            if record.response is None:
                left.append(f"{record.label} (id {record.id}): no response")
            elif record.thinking:
                left.append(f"{record.label} (id {record.id}): deferred, never answered")
        return left
