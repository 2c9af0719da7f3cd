"""Seeded value noise that tiles horizontally, for textures that wrap around the world."""

from __future__ import annotations

import cv2
import numpy as np


def periodic_noise(rng: np.random.Generator, height: int, width: int, cells_x: int, cells_y: int) -> np.ndarray:
    """Smooth noise in [0, 1], shape (height, width), periodic in x with period `width`."""
    cells_x = max(1, cells_x)
    cells_y = max(1, cells_y)
    grid = rng.random((cells_y + 1, cells_x), dtype=np.float32)
    tiled = np.concatenate([grid, grid, grid], axis=1)
    big = cv2.resize(tiled, (3 * width, height), interpolation=cv2.INTER_CUBIC)
    return big[:, width : 2 * width]


def fbm(rng: np.random.Generator, height: int, width: int, cells_x: int, octaves: int = 4) -> np.ndarray:
    """Fractal noise in [0, 1]: octaves of periodic noise, each twice as fine and half as strong."""
    aspect = height / max(1, width)
    total = np.zeros((height, width), np.float32)
    weight = 1.0
    weights = 0.0
    for octave in range(octaves):
        cx = cells_x * 2**octave
        if cx > width // 2:
            break
        total += weight * periodic_noise(rng, height, width, cx, max(1, round(cx * aspect)))
        weights += weight
        weight *= 0.5
    return total / max(weights, 1e-6)


def ridge(rng: np.random.Generator, width: int, base: float, amplitude: float, harmonics: int = 12) -> np.ndarray:
    """A periodic 1-D ridge line (heights per column): sines of whole frequencies, random phases, 1/f."""
    x = np.arange(width, dtype=np.float64) / width * 2 * np.pi
    line = np.zeros(width)
    norm = 0.0
    for k in range(1, harmonics + 1):
        a = rng.uniform(0.4, 1.0) / k
        line += a * np.sin(k * x + rng.uniform(0, 2 * np.pi))
        norm += a
    return base + amplitude * line / norm
