"""Settings: one pydantic-settings object, read once by the front end at start and handed down to each room."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from generator.diffusers.attention import AttentionBackend
from generator.diffusers.speedups import Speedup
from generator.guide import parse_guide

if TYPE_CHECKING:
    from agent.config import StudioConfig
    from agent.director.factory import DirectorConfig
    from generator.backends import BackendOptions
    from generator.queue import QueueLimits
    from tools.critic.judge import VisionJudge
    from tools.queued_renderer import RenderSetup
    from tools.retention import RetentionPolicy


ENV_FILE_VARIABLE = "DAILIES_ENV_FILE"
PRIVATE_FOLDER = 0o700  # the data folder: only the operator's account may list or enter it
PRIVATE_FILE = 0o600


class Settings(BaseSettings):
    """Everything configurable, from DAILIES_* environment variables or the settings file (`env_file()`).

    Never a .env of the working folder: a folder one runs `dailies` in must not redirect the LLM key."""

    model_config = SettingsConfigDict(env_prefix="DAILIES_", env_file=None, extra="ignore")

    data_dir: Path = Field(Path("dailies-data"), description="Media, checkpoints, job store and logs.")

    # The director's LLM (any OpenAI-compatible endpoint); offline director when unset.
    director: Literal["auto", "offline", "llm"] = "auto"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("DAILIES_LLM_API_KEY", "OPENAI_API_KEY"))
    llm_timeout_s: float = 30.0

    # Rendering.
    backend: Literal["previz", "diffusers"] = "previz"
    model: str | None = Field(None, description="Family name, local folder or hub id for diffusers.")
    i2v_model: str | None = Field(None, description="Image-to-video sibling (folder or hub id) to continue takes.")
    speedups: list[Speedup] = Field(
        default_factory=list, description='diffusers speed-ups, e.g. ["fuse_qkv", "compile"] (JSON list).'
    )
    attention_backend: AttentionBackend = Field(
        "auto", description="diffusers attention backend; auto: the fastest that runs on this machine."
    )
    allow_pickle_weights: bool = Field(
        False,
        description="Load pickled (.bin/.pt) model weights too; they can run code as they load: trusted files only.",
    )
    max_upload_mb: float = Field(10.0, gt=0, description="Byte budget of one posted clip.")
    segment_s: float = Field(
        10.0, gt=0, le=60, description="Longest pass in seconds: longer shots render as segments (one job each)."
    )
    attempt_budget: int = Field(3, ge=1, le=10)
    approve_final_renders: bool = Field(True, description="Ask a human before an expensive final render.")
    guide: str = Field(
        "previz",
        description="Camera guide of model takes where the family takes one: previz[:STRENGTH] (every take), "
        "auto (added when the critic reads the wrong move) or off; threads may choose their own.",
    )
    animatic: bool = Field(
        True, description="With a model backend, post a new shot's previz animatic first; threads may choose."
    )

    # Optional vision-LLM judge in the critic (off by default).
    judge_enabled: bool = False
    judge_model: str | None = None

    # Discord.
    discord_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("DAILIES_DISCORD_TOKEN", "DISCORD_TOKEN")
    )
    discord_dev_guild: int | None = None
    discord_render_role: str | None = Field(None, description="Role name or id allowed to render; None: everyone.")
    discord_allow_dms: bool = Field(False, description="Answer slash commands in direct messages.")
    discord_message_content: bool = Field(
        True, description="Request the privileged message_content intent (plain messages in threads refine shots)."
    )
    discord_user_concurrency: int = Field(2, ge=1, description="Renders one member may have queued or running.")
    discord_guild_concurrency: int = Field(8, ge=1, description="Renders one server may have queued or running.")
    discord_user_daily: int = Field(50, ge=0, description="Renders per member per UTC day.")
    discord_guild_daily: int = Field(500, ge=0, description="Renders per server per UTC day.")
    discord_reel_concurrency: int = Field(1, ge=1, le=8, description="Reels cut at once (each holds its frames).")
    discord_max_prompt_chars: int = Field(1500, ge=50, le=4000, description="Longest prompt accepted from chat.")
    discord_blocked_terms: list[str] = Field(default_factory=list, description="Terms refused in any prompt.")
    discord_mature_terms: list[str] = Field(
        default_factory=list, description="Terms allowed only in NSFW-flagged channels (added to built-in ones)."
    )

    # Scale.
    queue_max_jobs: int = Field(200, ge=1, description="Unfinished renders in the whole queue (then queue_full).")
    queue_per_user: int = Field(5, ge=1, description="Unfinished renders of one user in the queue (then over_quota).")
    queue_per_guild: int = Field(50, ge=1, description="Unfinished renders of one server in the queue.")
    queue_user_concurrency: int = Field(1, ge=1, description="Renders of one user running at once.")
    queue_guild_concurrency: int | None = Field(None, ge=1, description="Renders of one server running at once.")
    queue_workers: int = Field(1, ge=1, le=64, description="Local worker threads (one warm generator each).")
    queue_max_attempts: int = Field(3, ge=1, le=20, description="Starts per job before it fails (worker deaths).")
    ray_address: str | None = None
    ray_workers: int = Field(0, ge=0, description="Ray actors to render on (0: the in-process queue, no Ray).")
    ray_num_gpus: float = Field(1.0, ge=0, description="GPUs per Ray worker actor (0 for CPU previz workers).")
    ray_shared_storage: bool = Field(
        False, description="Workers write takes straight into the data folder (shared storage) instead of bytes."
    )
    ray_allow_unauthenticated: bool = Field(
        False, description="Join a Ray cluster without token auth (RAY_AUTH_MODE=token): a trusted single machine only."
    )
    checkpoint_url: str | None = Field(None, description="postgresql://... to share conversations.")

    # Retention: what the data folder keeps, and for how long (`dailies data prune`; the bot prunes by itself).
    retention_days: float = Field(30.0, ge=0, description="Days media and finished jobs are kept (0: forever).")
    media_budget_gb: float | None = Field(
        20.0, gt=0, description="Most GiB of media kept; the oldest files go first past it (unset: no budget)."
    )
    prune_every_h: float = Field(6.0, gt=0, description="Hours between the bot's own prunes.")

    @field_validator("guide")
    @classmethod
    def _known_guide(cls, value: str) -> str:
        return str(parse_guide(value))

    @property
    def director_kind(self) -> Literal["offline", "llm"]:
        if self.director == "auto":
            return "llm" if self.llm_base_url else "offline"
        return self.director

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def references_dir(self) -> Path:
        """Characters' reference images, checked and stored under names Dailies chooses."""
        return self.data_dir / "references"

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "checkpoints.sqlite"

    @property
    def jobs_path(self) -> Path:
        return self.data_dir / "jobs.sqlite"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def ensure_data_dir(self) -> Path:
        """Create the data folder (and media folder), private to this account (0700, files 0600: earlier
        versions left them readable by all), or raise a clear OSError."""
        self.media_dir.mkdir(parents=True, exist_ok=True)
        make_private(self.data_dir)
        return self.data_dir

    # ---- handed down: each room gets what it needs, never the whole settings object ----------

    def backend_options(self) -> BackendOptions:
        from generator.backends import BackendOptions

        return BackendOptions(
            i2v_model=self.i2v_model,
            speedups=tuple(self.speedups),
            attention=self.attention_backend,
            allow_pickle=self.allow_pickle_weights,
        )

    def queue_limits(self) -> QueueLimits:
        from generator.queue import QueueLimits

        return QueueLimits(
            max_queued=self.queue_max_jobs,
            per_user=self.queue_per_user,
            per_guild=self.queue_per_guild,
            user_concurrency=self.queue_user_concurrency,
            guild_concurrency=self.queue_guild_concurrency,
            max_attempts=self.queue_max_attempts,
        )

    def render_setup(self) -> RenderSetup:
        from tools.queued_renderer import RenderSetup

        return RenderSetup(
            jobs_path=self.jobs_path,
            backend=self.backend,
            model=self.model,
            options=self.backend_options(),
            max_upload_bytes=self.max_upload_bytes,
            limits=self.queue_limits(),
            local_workers=self.queue_workers,
            ray_workers=self.ray_workers,
            ray_address=self.ray_address,
            ray_shared_storage=self.ray_shared_storage,
            ray_allow_unauthenticated=self.ray_allow_unauthenticated,
            segment_s=self.segment_s,
        )

    def retention_policy(self) -> RetentionPolicy:
        from tools.retention import RetentionPolicy

        budget = int(self.media_budget_gb * 1024**3) if self.media_budget_gb is not None else None
        return RetentionPolicy(max_age_days=self.retention_days, media_budget_bytes=budget)

    def director_config(self) -> DirectorConfig:
        from agent.director.factory import DirectorConfig

        return DirectorConfig(
            kind=self.director_kind,
            base_url=self.llm_base_url,
            model=self.llm_model,
            api_key=self.llm_api_key.get_secret_value() if self.llm_api_key else None,
            timeout_s=self.llm_timeout_s,
        )

    def vision_judge(self) -> VisionJudge | None:
        """The judge the settings ask for, or None when it is off (the default)."""
        if not self.judge_enabled:
            return None
        from tools.critic.judge import VisionJudge

        model = self.judge_model or self.llm_model
        if not model:
            raise ValueError("the vision judge is on but no model is set: set DAILIES_JUDGE_MODEL")
        key = self.llm_api_key.get_secret_value() if self.llm_api_key else None
        return VisionJudge(base_url=self.llm_base_url, model=model, api_key=key, timeout_s=self.llm_timeout_s)

    def studio_config(self) -> StudioConfig:
        from agent.config import StudioConfig

        return StudioConfig(
            media_dir=self.media_dir,
            render=self.render_setup(),
            checkpoint_path=self.checkpoint_path,
            checkpoint_url=self.checkpoint_url,
            director=self.director_config(),
            judge=self.vision_judge(),
            attempt_budget=self.attempt_budget,
            approve_final=self.approve_final_renders,
            reel_concurrency=self.discord_reel_concurrency,
            guide=self.guide,
            animatic=self.animatic,
        )


def env_file() -> Path | None:
    """The settings file, from one documented place: $DAILIES_ENV_FILE when set (it must exist), else
    $XDG_CONFIG_HOME/dailies/env (~/.config/dailies/env) when it exists. Never the working folder."""
    named = os.environ.get(ENV_FILE_VARIABLE)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ValueError(f"{ENV_FILE_VARIABLE} names {path}, which is not a file")
    else:
        config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        path = config / "dailies" / "env"
        if not path.is_file():
            return None
    if path.stat().st_mode & stat.S_IWOTH:
        raise ValueError(f"the settings file {path} is writable by every account: chmod 600 it")
    return path


def load_settings() -> Settings:
    """The settings of this run: the environment over the settings file (see env_file)."""
    return Settings(_env_file=env_file())  # type: ignore[call-arg]


def make_private(folder: Path) -> None:
    """Make `folder` and everything in it private to this account (folders 0700, files 0600)."""
    for root, _dirs, files in os.walk(folder):  # links to folders are not followed
        os.chmod(root, PRIVATE_FOLDER)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, PRIVATE_FILE)
