"""Persistent take buttons: the custom_id carries the action, the take id and its author, so a restart loses nothing."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, get_args

import discord

if TYPE_CHECKING:
    from bots.bot import DailiesBot

TakeAction = Literal["reroll", "variations", "refine", "approve", "extend", "final", "delete", "confirm", "decline"]
DEFAULT_ACTIONS: tuple[str, ...] = ("reroll", "variations", "refine", "approve", "extend", "final", "delete")
TAKE_ACTIONS: tuple[str, ...] = get_args(TakeAction)

LABELS: dict[str, tuple[str, str, discord.ButtonStyle]] = {
    "reroll": ("Re-roll", "🎲", discord.ButtonStyle.secondary),
    "variations": ("Variations", "🔀", discord.ButtonStyle.secondary),
    "refine": ("Refine", "✏️", discord.ButtonStyle.primary),
    "approve": ("Approve", "✅", discord.ButtonStyle.success),
    "extend": ("Extend", "⏩", discord.ButtonStyle.secondary),
    "final": ("Final render", "🎞️", discord.ButtonStyle.primary),
    "delete": ("Delete", "🗑️", discord.ButtonStyle.danger),
    "confirm": ("Render final", "✅", discord.ButtonStyle.success),
    "decline": ("Not now", "✖️", discord.ButtonStyle.secondary),
}

ID_PART = r"[A-Za-z0-9_-]{1,48}"
TAKE_PREFIX = "dailies:take:"
# Only the known actions match, so a mangled or forged id never reaches from_custom_id (TakesCog answers it).
TAKE_TEMPLATE = rf"dailies:take:(?P<action>{'|'.join(TAKE_ACTIONS)}):(?P<take>{ID_PART}):(?P<owner>[0-9]{{1,20}})"


def is_take_button(custom_id: str) -> bool:
    """Whether a take button (TakeButton) answers this custom_id."""
    return re.fullmatch(TAKE_TEMPLATE, custom_id) is not None


def take_custom_id(action: str, take_id: str, owner_id: int) -> str:
    custom_id = f"dailies:take:{action}:{take_id}:{owner_id}"
    if action not in TAKE_ACTIONS or not re.fullmatch(ID_PART, take_id) or len(custom_id) > 100:
        raise ValueError(f"cannot build a button for action {action!r} and take id {take_id!r}")
    return custom_id


class TakeButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=TAKE_TEMPLATE,
):
    """One button under a take; discord.py re-creates it from its custom_id after a restart."""

    def __init__(self, action: str, take_id: str, owner_id: int) -> None:
        label, emoji, style = LABELS[action]
        super().__init__(
            discord.ui.Button(
                label=label, emoji=emoji, style=style, custom_id=take_custom_id(action, take_id, owner_id)
            )
        )
        self.action = action
        self.take_id = take_id
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> TakeButton:
        action = match["action"]
        if action not in TAKE_ACTIONS:
            raise ValueError(f"unknown take action {action!r}")
        return cls(action, match["take"], int(match["owner"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: DailiesBot = interaction.client  # type: ignore[assignment]
        cog = bot.get_cog("TakesCog")
        await cog.on_take_button(interaction, self.action, self.take_id, self.owner_id)  # type: ignore[union-attr]


def take_view(take_id: str, owner_id: int, *, actions: tuple[str, ...] = DEFAULT_ACTIONS) -> discord.ui.View:
    """The persistent buttons under a take (two rows)."""
    view = discord.ui.View(timeout=None)
    for index, action in enumerate(actions):
        button = TakeButton(action, take_id, owner_id)
        button.item.row = 0 if index < 4 else 1
        view.add_item(button)
    return view


REFINE_PREFIX = "dailies:refine:"


class RefineModal(discord.ui.Modal):
    """Asks what to change about a take. The submission is handled by custom_id (TakesCog listens for it),
    so a modal left open across a restart still works."""

    change: discord.ui.TextInput[RefineModal] = discord.ui.TextInput(
        label="What should change?",
        style=discord.TextStyle.paragraph,
        placeholder="make it night, slower dolly in, add fog",
        max_length=1000,
        custom_id="change",
    )

    def __init__(self, take_id: str) -> None:
        super().__init__(title="Refine this take", custom_id=f"{REFINE_PREFIX}{take_id}", timeout=900)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        return None  # handled by TakesCog.on_interaction from the custom_id


def refine_submission(interaction: discord.Interaction[Any]) -> tuple[str, str] | None:
    """(take_id, text) when this interaction is a Refine modal submission."""
    data: dict[str, Any] = interaction.data or {}  # type: ignore[assignment]
    custom_id = str(data.get("custom_id", ""))
    if interaction.type is not discord.InteractionType.modal_submit or not custom_id.startswith(REFINE_PREFIX):
        return None
    text = ""
    for row in data.get("components", []):
        for component in row.get("components", []):
            if component.get("custom_id") == "change":
                text = str(component.get("value", ""))
    return custom_id.removeprefix(REFINE_PREFIX), text
