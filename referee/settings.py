"""Settings: one pydantic-settings class; each field is read from the env var of its name.

``DATABASE_URL``, ``LLM_BASE_URL``, ``LLM_MODEL``, ``LLM_API_KEY``, ``KAFKA_BOOTSTRAP``...
(case-insensitive). Nested option groups use ``__``, e.g. ``ASR__MODEL_DIR``.
Secrets are ``SecretStr`` so they never appear in logs or reprs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from referee.audio.options import AsrOptions
from referee.classifier.options import ClassifierOptions
from workers.options import StreamOptions

#: The checkout (or install) root: rules/, prompts/ and samples/ live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything an operator can configure. Defaults run the embedded mode offline."""

    model_config = SettingsConfigDict(
        env_prefix="", env_nested_delimiter="__", case_sensitive=False, extra="ignore"
    )

    # --- data files (SME-facing) -------------------------------------------------
    rules_path: Path = Field(
        default=PROJECT_ROOT / "rules" / "default.csv", description="The rule table."
    )
    scenarios_path: Path = Field(
        default=PROJECT_ROOT / "rules" / "scenarios.yaml", description="The scenario catalogue."
    )
    prompts_dir: Path = Field(default=PROJECT_ROOT / "prompts", description="Prompt files.")

    # --- store ----------------------------------------------------------------------
    database_url: str = Field(
        default="sqlite:///referee.db",
        description="SQLAlchemy URL. SQLite by default; postgresql+psycopg://... in production.",
    )

    # --- language model ---------------------------------------------------------------
    llm_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible server URL. Unset: start the embedded local model.",
    )
    llm_model: str | None = Field(default=None, description="Model name on that server.")
    llm_api_key: SecretStr = Field(default=SecretStr("not-needed"), description="API key.")
    classifier: ClassifierOptions = Field(
        default_factory=ClassifierOptions,
        description="Classifier knobs (CLASSIFIER__TIMEOUT_S, CLASSIFIER__SERVER__N_CTX...).",
    )

    # --- region and language ------------------------------------------------------------
    default_region: str = Field(
        default="IN", description="Region code used when an event names none."
    )
    asr: AsrOptions = Field(
        default_factory=AsrOptions,
        description="Speech recognition (ASR__MODEL_DIR, ASR__DEVICE, ASR__TASK, "
        "ASR__LANGUAGE__WINDOW_START...). See referee/audio/options.py.",
    )

    # --- streaming --------------------------------------------------------------------
    kafka_bootstrap: str = Field(default="localhost:9092", description="Kafka bootstrap servers.")
    topic_prefix: str = Field(default="referee.", description="Prefix of every topic name.")
    stream: StreamOptions = Field(
        default_factory=StreamOptions,
        description="Streaming workers: topics, partitions, join wait, retries, metrics "
        "(STREAM__PARTITIONS, STREAM__JOIN_WAIT_S...). See workers/options.py.",
    )

    # --- working files ----------------------------------------------------------------
    cache_dir: Path = Field(
        default=Path.home() / ".cache" / "referee",
        description="Where assembled model files and other derived artefacts are kept.",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
