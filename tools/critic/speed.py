"""Camera speed: how much of the frame the move covers per second, graded slow / medium / fast."""

from __future__ import annotations

from typing import Literal

Kind = Literal["translate", "zoom"]

# Pans, tilts, trucks, pedestals: the fraction of the frame's LONGER side that slides past per second
# (the previz animatic moves slow 0.05, medium 0.12, fast 0.25; the edges are their geometric means).
# Zooms and dollies: the growth rate of the image, ln(scale) per second (previz: 0.08, 0.18, 0.35).
BANDS: dict[Kind, tuple[float, float]] = {
    "translate": (0.077, 0.173),
    "zoom": (0.12, 0.25),
}
# Below this (same units) the camera is held still: about 1 % of the frame per second.
STATIC_RATE: dict[Kind, float] = {"translate": 0.01, "zoom": 0.02}
TOLERANCE = 0.2  # a measured speed within 20 % of a band's edge still counts for the neighbouring band


def kind_of(move: str) -> Kind:
    return "zoom" if move.startswith(("zoom", "dolly", "crane")) else "translate"


def grade(rate: float, kind: Kind) -> str:
    """The speed word for a rate in the units of `kind`."""
    slow_max, fast_min = BANDS[kind]
    if rate < slow_max:
        return "slow"
    return "medium" if rate < fast_min else "fast"


def meets(low: float, high: float, wanted: str, kind: Kind, *, at_most: bool = False) -> bool:
    """True when the span of rates `low`..`high` reaches the band of `wanted` (give or take TOLERANCE).

    A travelling camera moves each depth at its own rate (far slow, near fast) and the asked rate is the one at
    the subject's depth, which lies somewhere between the slowest and the fastest layer seen: the speed fits
    when the band meets that span. A flat scene has one rate (low == high): the same as `fits`.
    """
    slow_max, fast_min = BANDS[kind]
    edges = {"slow": (0.0, slow_max), "medium": (slow_max, fast_min), "fast": (fast_min, float("inf"))}
    edge_low, edge_high = edges[wanted]
    return low <= edge_high * (1 + TOLERANCE) and (at_most or high >= edge_low * (1 - TOLERANCE))


def band_text(wanted: str, kind: Kind) -> str:
    slow_max, fast_min = BANDS[kind]
    unit = "frame/s" if kind == "translate" else "ln-scale/s"
    return {
        "slow": f"< {slow_max:g} {unit}",
        "medium": f"{slow_max:g}-{fast_min:g} {unit}",
        "fast": f"> {fast_min:g} {unit}",
    }[wanted]
