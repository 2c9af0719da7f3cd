"""Which of two motion layers is the background, decided once for the whole clip rather than pair by pair."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tools.critic.motion import PairMotion

# A pair's band vote counts by how far it leans from an even split; without one, each border cell its points
# reach beyond the other layer's counts this much.
BORDER_CELL_WEIGHT = 0.05
# The clip's evidence for one layer over the other must reach this (in leaned votes, summed over pairs).
DECISIVE = 0.3
# A pair with one motion is the subject's when that motion is this much nearer the subject's than the background's.
SUBJECT_MATCH = 0.5
# A clip whose background held still (under STILL_PX a frame) in this share of pairs while a subject moved was shot
# from a locked-off camera: no second look over longer pairs.
STILL_PX = 0.05
HELD_SHARE = 0.5
HELD_LAYER_PX = 1.5  # ... while the other layer moved at least this far a frame (at the frame's edge)
# A layer moving under STILL_EDGE_PX a frame at the frame's edge holds still; one growing or shrinking at least
# GROWING_PX a frame there (more than it slides) comes towards the camera or goes away, or the camera zooms.
STILL_EDGE_PX = 0.15
GROWING_PX = 0.3
# When in this share of the layered pairs one layer holds still while the other grows, and the still one keeps
# this share of the border band's telling pixels (median over those pairs), the still layer is the background.
STILL_AGAINST_GROWTH = 0.5
STILL_BAND = 0.35


def _velocity(m: PairMotion, side: int, layer: bool) -> np.ndarray:
    """A layer's motion as pixels per frame at the frame's edge (growth counts as half the side's growth)."""
    if layer:
        return np.array([m.layer_dx, m.layer_dy, m.layer_log_scale * side / 2])
    return np.array([m.dx, m.dy, m.log_scale * side / 2])


def _lean(m: PairMotion) -> float:
    """How strongly this pair says its camera model is the background's (+) or its layer is (-)."""
    if m.band_share is not None:
        return m.band_share - 0.5
    return float(np.clip(BORDER_CELL_WEIGHT * m.border_lead, -0.5, 0.5))


def swapped(m: PairMotion) -> PairMotion:
    """The pair with its two layers exchanged: the layer becomes the camera's model."""
    return replace(
        m,
        dx=m.layer_dx,
        dy=m.layer_dy,
        log_scale=m.layer_log_scale,
        rotation=0.0,
        layer_dx=m.dx,
        layer_dy=m.dy,
        layer_log_scale=m.log_scale,
        inliers=1.0 - m.inliers,
        band_share=None if m.band_share is None else 1.0 - m.band_share,
        border_lead=-m.border_lead,
    )


def consistent_background(motions: list[PairMotion], side: int) -> list[PairMotion]:
    """The pairs with the same layer as the camera's throughout the clip.

    Pair by pair, two layers (the background and a big subject walking across it) may swap places: each pair
    picks the one the border band leans to, and a near-even band flips from pair to pair. The two layers are
    told apart over the clip by how they move relative to each other (the subject's own motion keeps its
    direction, whatever the camera does), and the background is the layer the band leans to over the whole clip.
    Left as measured when the clip's evidence is not decisive.
    """
    layered = [k for k, m in enumerate(motions) if m.method == "features" and m.parallax > 0]
    if len(layered) < 2:
        return motions
    if _still_background(motions, layered, side):
        return _hidden_background(_stiller_as_camera(motions, layered, side), layered, side)
    relative = np.array([_velocity(motions[k], side, False) - _velocity(motions[k], side, True) for k in layered])
    _, _, axes = np.linalg.svd(relative, full_matrices=False)
    orientation = np.sign(relative @ axes[0])
    orientation[orientation == 0] = 1.0
    # Evidence that the layer on the principal direction's positive side is the background.
    votes = [o * _lean(motions[k]) for o, k in zip(orientation, layered, strict=True)]
    evidence = float(sum(votes))
    if abs(evidence) < DECISIVE and np.count_nonzero(np.diff(orientation)) == 1:
        evidence = _first_word(votes)
    if abs(evidence) < DECISIVE:
        return motions
    out = list(motions)
    for o, k in zip(orientation, layered, strict=True):
        camera_is_background_side = o > 0
        if camera_is_background_side != (evidence > 0):
            out[k] = swapped(motions[k])
        out[k] = replace(out[k], anchored=True)
    return _hidden_background(out, layered, side)


def _still_layer(m: PairMotion, side: int) -> bool | None:
    """Which layer of the pair holds still while the other grows or shrinks: True the camera's model, False the
    other layer, None when neither does."""
    camera, layer = _velocity(m, side, False), _velocity(m, side, True)
    for still, other, is_camera in ((camera, layer, True), (layer, camera, False)):
        if np.linalg.norm(still) < STILL_EDGE_PX and abs(other[2]) >= max(GROWING_PX, np.linalg.norm(other[:2])):
            return is_camera
    return None


def _still_background(motions: list[PairMotion], layered: list[int], side: int) -> bool:
    """True when a layer that holds still keeps a fair share of the border while the other grows, through the clip.

    A subject coming towards a locked-off camera covers more of the border band pair by pair, and other subjects
    moving about swing the band's votes from one layer to the other: no clip-wide vote settles it. But a zoom
    or dolly grows the background all round the border; a layer that holds still over a third of the band while
    the rest grows is the background itself (a caption, a logo or a letterbox's edges hold far less of it). A
    dolly's far backdrop, which grows only a little, is the background too: the travel rule reads the dolly.
    """
    against = [(motions[k], still) for k in layered if (still := _still_layer(motions[k], side)) is not None]
    if len(against) < max(2, STILL_AGAINST_GROWTH * len(layered)):
        return False
    # The band's share is the camera model's against the other layer's: the still layer's is the one or the other.
    shares = [m.band_share if still else 1.0 - m.band_share for m, still in against if m.band_share is not None]
    return bool(shares) and float(np.median(shares)) >= STILL_BAND


def _stiller_as_camera(motions: list[PairMotion], layered: list[int], side: int) -> list[PairMotion]:
    """The layered pairs with the stiller of their two layers as the camera's model (the background's)."""
    out = list(motions)
    for k in layered:
        m = motions[k]
        if np.linalg.norm(_velocity(m, side, True)) < np.linalg.norm(_velocity(m, side, False)):
            m = swapped(m)
        out[k] = replace(m, anchored=True)
    return out


def _first_word(votes: list[float]) -> float:
    """The evidence of the pairs before the band first changed its mind (asked when the layers swapped once).

    A subject coming towards a locked-off camera is small at first: the band sees the still background. Once
    the subject reaches the border the band leans to it, and the clip-wide vote splits; the background is the
    layer the band saw before anything covered it.
    """
    first = 0.0
    for vote in votes:
        if first and np.sign(vote) != np.sign(first):
            break
        first += vote
    return first


def _hidden_background(motions: list[PairMotion], layered: list[int], side: int) -> list[PairMotion]:
    """Pairs with one motion that is clearly the subject's, as the layered pairs saw it, get the background's.

    A subject coming towards a locked-off camera can fill the whole frame: its pairs then show one motion,
    a zoom, and no background to tell it by. The background does not stop where it was last seen.
    """
    background = np.median([_velocity(motions[k], side, False) for k in layered], axis=0)
    subject = np.median([_velocity(motions[k], side, True) for k in layered], axis=0)
    out = list(motions)
    for k, m in enumerate(motions):
        if m.method != "features" or m.parallax > 0:
            continue
        seen = _velocity(m, side, False)
        if np.linalg.norm(seen - subject) < SUBJECT_MATCH * np.linalg.norm(seen - background):
            out[k] = replace(
                m,
                dx=float(background[0]),
                dy=float(background[1]),
                log_scale=float(background[2]) * 2 / side,
                rotation=0.0,
                layer_dx=m.dx,
                layer_dy=m.dy,
                layer_log_scale=m.log_scale,
                parallax=float(np.linalg.norm(seen - background)),
                anchored=True,
            )
    return out


def held_still(motions: list[PairMotion], side: int) -> bool:
    """True when most reliable pairs saw the background hold still while another layer moved clearly before it
    (a slow move's sub-pixel steps, against noise the encoder froze in place, are what the second look is for)."""
    usable = [m for m in motions if m.reliable]
    watched = [
        m
        for m in usable
        if m.anchored and abs(m.dx) + abs(m.dy) < STILL_PX and np.linalg.norm(_velocity(m, side, True)) >= HELD_LAYER_PX
    ]
    return bool(usable) and len(watched) >= HELD_SHARE * len(usable)
