"""The spec card: a take's ShotSpec, seed, model and critique as one Discord embed within Discord's limits."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from agent.spec import ShotSpec, Storyboard
from bots.policy import quote_user_text
from tools.critique import Critique
from tools.take import Take

EMBED_TOTAL = 6000
FIELD_NAME = 256
TITLE = 256
MAX_FIELDS = 25

SPEC_FIELDS: tuple[str, ...] = (
    "subject",
    "action",
    "setting",
    "style",
    "lighting",
    "mood",
    "shot_size",
    "camera_angle",
    "camera_movement",
    "camera_speed",
    "time_of_day",
    "aspect_ratio",
    "duration_s",
    "fps",
)

PASS_COLOUR = discord.Colour.green()
FAIL_COLOUR = discord.Colour.orange()
NEUTRAL_COLOUR = discord.Colour.blurple()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("_", " ")


def _add_field(embed: discord.Embed, name: str, value: str, *, inline: bool = True) -> None:
    """A field, unless its value is blank: Discord refuses the whole message for one empty field value."""
    if value.strip():
        embed.add_field(name=name, value=_clip(value.strip(), 400), inline=inline)


def spec_card(
    spec: ShotSpec,
    take: Take,
    *,
    take_id: str,
    title: str | None = None,
    critique: Critique | None = None,
    changes: Sequence[str] = (),
) -> discord.Embed:
    """Fields of the spec that are set, then how it was made, then the critique; never over 6000 characters."""
    colour = NEUTRAL_COLOUR if critique is None else (PASS_COLOUR if critique.passed else FAIL_COLOUR)
    heading = title or spec.subject or "Untitled shot"
    description = "\n".join(quote_user_text(c, 200) for c in changes[:10])
    embed = discord.Embed(
        title=_clip(f"🎞️ {quote_user_text(heading, TITLE)}", TITLE),
        description=_clip(description, 1500) or None,
        colour=colour,
    )
    for name in SPEC_FIELDS:
        if (value := getattr(spec, name)) is not None:
            _add_field(embed, name.replace("_", " "), quote_user_text(_show(value), 400))
    names = ", ".join(quote_user_text(c.name, 60) for c in spec.characters if c.name.strip())
    _add_field(embed, "characters", names, inline=False)
    _add_field(embed, "effects", quote_user_text(", ".join(e for e in spec.effects if e.strip()), 400), inline=False)
    made = f"{take.backend} · {quote_user_text(take.model, 80)} · {take.width}×{take.height} · {take.num_frames} frames"
    embed.add_field(name="seed", value=str(take.seed))
    embed.add_field(name="model", value=_clip(made, 300), inline=False)
    if critique is not None:
        verdict = "passed" if critique.passed else "needs work"
        embed.add_field(name="critique", value=f"{critique.score:.2f} · {verdict}")
        failed = critique.failed_checks
        if failed:
            lines = [f"✗ {c.name}: {c.detail or f'{c.value} (expected {c.expected})'}" for c in failed]
            embed.add_field(
                name="failed checks", value=_clip(quote_user_text("\n".join(lines), 900), 900), inline=False
            )
    embed.set_footer(text=f"take {take_id} · {take.duration_s:g} s · {take.bytes / 1024:.0f} KiB")
    return fit_embed(embed)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Drop trailing spec fields (never seed, model, critique) until the embed is within Discord's limits."""
    keep = {"seed", "model", "critique", "failed checks"}
    while len(embed) > EMBED_TOTAL or len(embed.fields) > MAX_FIELDS:
        droppable = [i for i, f in enumerate(embed.fields) if f.name not in keep]
        if not droppable:
            embed.description = None
            break
        embed.remove_field(droppable[-1])
    return embed


def storyboard_embed(board: Storyboard) -> discord.Embed:
    """The storyboard's shots in order, one field each."""
    embed = discord.Embed(
        title=_clip(f"🗂️ {quote_user_text(board.title or 'Storyboard', 200)}", TITLE), colour=NEUTRAL_COLOUR
    )
    if not board.shots:
        embed.description = "No shots yet: press ✅ Approve under a take."
    for number, shot in enumerate(board.shots[:MAX_FIELDS], 1):
        what = quote_user_text(shot.spec.subject or "shot", 80)
        move = (shot.spec.camera_movement or "").replace("_", " ")
        score = f" · score {shot.score:.2f}" if shot.score is not None else ""
        by = f" · by {quote_user_text(shot.approved_by, 40)}" if shot.approved_by else ""
        embed.add_field(
            name=_clip(f"{number}. {what}", FIELD_NAME),
            value=_clip(f"take `{shot.take_id}` {move}{score}{by}", 300),
            inline=False,
        )
    return fit_embed(embed)
