"""Which motion layer is the background, settled over the clip (tools/critic/layers.py), on pair motions made here."""

from __future__ import annotations

from tools.critic.layers import consistent_background
from tools.critic.motion import PairMotion

SIDE = 256
GROWTH = 0.008  # ln-scale a frame: about 1 px a frame at the frame's edge


def _pair(start: int, still_share: float, still_is_camera: bool) -> PairMotion:
    """A pair with a layer that holds still and one that grows; the band gives the still one `still_share`."""
    still, grows = (0.01, -0.01, 0.0002), (0.02, 0.01, GROWTH)
    camera, layer = (still, grows) if still_is_camera else (grows, still)
    share = still_share if still_is_camera else 1.0 - still_share
    return PairMotion(
        start=start,
        gap=2,
        dx=camera[0],
        dy=camera[1],
        log_scale=camera[2],
        rotation=0.0,
        parallax=1.0,
        layer_dx=layer[0],
        layer_dy=layer[1],
        layer_log_scale=layer[2],
        points=120,
        inliers=0.6,
        method="features",
        band_share=share,
    )


def _clip(still_shares: list[float]) -> list[PairMotion]:
    # Pair by pair the camera's model is the layer the band leaned to, as motion.pair_motion leaves it.
    return [_pair(4 * k, share, share > 0.5) for k, share in enumerate(still_shares)]


def test_a_layer_holding_still_over_much_of_the_border_while_the_other_grows_is_the_background() -> None:
    # A subject comes towards a locked-off camera while others cross: the band's lean swings between the still
    # background and the grower (four swaps), and summed it leans to the grower (it read zoom_in).
    shares = [0.62, 0.4, 0.58, 0.38, 0.4, 0.56, 0.36, 0.4, 0.38, 0.36]
    settled = consistent_background(_clip(shares), SIDE)
    assert all(abs(m.log_scale) < 0.001 and m.anchored for m in settled), settled


def test_a_still_overlay_holding_little_of_the_border_does_not_stop_a_zoom() -> None:
    # A caption or a logo holds still while the camera zooms: it holds a small share of the band, which votes
    # for the zoom pair after pair.
    shares = [0.15, 0.2, 0.12, 0.18, 0.16, 0.2, 0.14, 0.17]
    settled = consistent_background(_clip(shares), SIDE)
    assert all(m.log_scale == GROWTH for m in settled), settled
