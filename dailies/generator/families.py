"""Model families and their rules (frame counts, size multiples), in one plain registry."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModelFamily:
    """What Dailies must know about a family of video models to drive it correctly."""

    name: str
    title: str
    backend: str  # "previz" or "diffusers"
    native_width: int
    native_height: int
    native_fps: int
    frame_step: int  # frames must be frame_step*k + 1 (1 means any count)
    size_multiple: int
    max_frames: int
    default_steps: int
    pipeline_class: str | None = None
    i2v_pipeline_class: str | None = None
    hub_id: str | None = None
    supports_negative_prompt: bool = True
    default_negative_prompt: str | None = None
    guidance_default: float | None = None
    guidance_note: str = ""
    vram_gb: float = 0.0
    memory_options: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def native_area(self) -> int:
        return self.native_width * self.native_height

    @property
    def frame_rule(self) -> str:
        return "any" if self.frame_step == 1 else f"{self.frame_step}k+1"

    def snap_frames(self, wanted: int) -> int:
        """The nearest frame count this family accepts, within 1..max_frames."""
        wanted = max(1, min(wanted, self.max_frames))
        if self.frame_step == 1:
            return wanted
        k = max(0, round((wanted - 1) / self.frame_step))
        snapped = k * self.frame_step + 1
        while snapped > self.max_frames:
            snapped -= self.frame_step
        return snapped

    def snap_side(self, wanted: float) -> int:
        """The nearest side length that is a positive multiple of the family's size multiple."""
        m = self.size_multiple
        return max(m, round(wanted / m) * m)


PREVIZ = ModelFamily(
    name="previz",
    title="Previz animatic (CPU, procedural)",
    backend="previz",
    native_width=832,
    native_height=480,
    native_fps=24,
    frame_step=1,
    size_multiple=2,  # yuv420p needs even sides
    max_frames=60 * 60,
    default_steps=1,
    supports_negative_prompt=False,
    guidance_note="no guidance: a procedural renderer",
    notes=("Honours camera move, framing, time of day, palette, duration, fps and aspect exactly.",),
)


def _build_registry(*families: ModelFamily) -> dict[str, ModelFamily]:
    return {family.name: family for family in families}


FAMILIES: dict[str, ModelFamily] = _build_registry(PREVIZ)


def get_family(name: str) -> ModelFamily:
    """The family called `name`, or a ValueError listing the known ones."""
    try:
        return FAMILIES[name]
    except KeyError:
        known = ", ".join(sorted(FAMILIES))
        raise ValueError(f"unknown model family {name!r}; known families: {known}") from None
