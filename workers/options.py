"""Streaming options: every knob of the Kafka workers, as ``Settings.stream``.

Read from the environment with the ``STREAM__`` prefix, e.g. ``STREAM__PARTITIONS=12``
or ``STREAM__JOIN_WAIT_S=10``. This module imports nothing but pydantic, so
:mod:`referee.settings` can use it without pulling in faust or aiokafka.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: The stages a worker can run; ``all`` runs one child process per stage.
STAGES: tuple[str, ...] = ("transcribe", "classify", "decide", "persist")


class StreamOptions(BaseModel):
    """Topics, partitions, the decide join, delivery and observability of the workers."""

    model_config = ConfigDict(extra="forbid")

    # --- topics (each name gets Settings.topic_prefix in front) ----------------------
    topic_cancellations: str = Field(
        default="cancellations", description="In: CancellationEvent JSON, key = booking id."
    )
    topic_signals: str = Field(
        default="signals", description="In: SystemSignals JSON, key = booking id."
    )
    topic_transcripts: str = Field(
        default="transcripts", description="Out: Transcript JSON, key = booking id."
    )
    topic_classifications: str = Field(
        default="classifications", description="Out: Classification JSON, key = booking id."
    )
    topic_decisions: str = Field(
        default="decisions", description="Out: Decision JSON, key = booking id."
    )
    topic_dead_letters: str = Field(
        default="dead-letters", description="Out: DeadLetter JSON for events no stage could take."
    )
    topic_work_classify: str = Field(
        default="work.classify",
        description="Internal hand-off transcribe -> classify (event + transcript).",
    )
    topic_work_decide: str = Field(
        default="work.decide",
        description="Internal hand-off classify -> decide (event + classification) and the "
        "decide stage's own deadline ticks.",
    )
    partitions: int = Field(
        default=8,
        ge=1,
        description="Partitions of every topic. All topics must have the same count: a "
        "booking's messages then share one partition number and land on one decide worker. "
        "It caps how many workers of one stage do useful work.",
    )
    replication: int = Field(default=1, ge=1, description="Replication factor of new topics.")
    create_topics: bool = Field(
        default=True, description="Create missing topics when a worker starts."
    )

    # --- consumer groups and state ---------------------------------------------------
    app_id: str = Field(
        default="referee",
        description="Consumer groups are '<app_id>-<stage>'; the decide tables' changelog "
        "topics start with '<app_id>-decide-'.",
    )
    skip_offset_gaps: bool = Field(
        default=False,
        description="Set when producers write the input topics in transactions: their "
        "control records leave offset gaps that must be skipped for commits to advance. "
        "Off by default because faust also skips what it dropped during a rebalance, "
        "which loses messages (see workers/runtime.py, CommittedSeekConsumer).",
    )
    redeliver_after_s: float = Field(
        default=10.0,
        gt=0,
        description="A message a rebalance made the consumer skip (later ones were "
        "handled, it was not) is read again after this long.",
    )
    auto_offset_reset: Literal["earliest", "latest"] = Field(
        default="earliest", description="Where a new consumer group starts reading."
    )

    # --- the decide join -----------------------------------------------------------------
    join_wait_s: float = Field(
        default=30.0,
        ge=0,
        description="How long after the cancellation arrived decide waits for the booking's "
        "signals before deciding without them. 0 decides at once.",
    )
    join_tick_s: float = Field(
        default=0.2, gt=0, description="How often decide looks for joins whose wait is over."
    )
    signals_ttl_s: float = Field(
        default=86400.0,
        gt=0,
        description="Signals of a booking no cancellation came for are dropped after this.",
    )
    decided_retention_s: float = Field(
        default=172800.0,
        gt=0,
        description="How long decide remembers a decision to answer a redelivered event with "
        "the same decision (the store keeps the first decision for ever).",
    )

    # --- delivery -------------------------------------------------------------------------
    max_message_bytes: int = Field(
        default=1_000_000,
        ge=1024,
        description="Inputs larger than this go to the dead-letter topic unread; also the "
        "producer's max request size.",
    )
    dead_letter_payload_bytes: int = Field(
        default=65_536, ge=256, description="A dead letter keeps at most this much payload."
    )
    max_attempts: int = Field(
        default=3,
        ge=1,
        description="Tries of a stage on one message when it raises a retryable error "
        "(TransientStageError); other errors are dead-lettered after one try.",
    )
    retry_backoff_s: float = Field(
        default=1.0, ge=0, description="Wait before the 2nd try; doubles for each later one."
    )
    transcribe_concurrency: int = Field(
        default=2, ge=1, description="Recordings a transcribe worker recognises at once."
    )
    classify_concurrency: int = Field(
        default=4, ge=1, description="Classifications a classify worker runs at once."
    )
    decide_batch: int = Field(
        default=500,
        ge=1,
        description="Messages decide handles per round trip to the broker at most.",
    )
    decide_within_s: float = Field(
        default=0.01,
        gt=0,
        description="Longest decide waits to fill a batch (adds at most this to latency).",
    )
    persist_batch: int = Field(
        default=500, ge=1, description="Decisions persist writes in one INSERT at most."
    )
    persist_within_s: float = Field(
        default=0.05, gt=0, description="Longest persist waits to fill a batch."
    )
    producer_linger_ms: int = Field(
        default=2, ge=0, description="Producer batching delay; small, for latency."
    )
    request_timeout_s: float = Field(
        default=40.0, gt=0, description="Kafka request timeout (>= session timeout)."
    )

    # --- group membership (slow stages) ------------------------------------------------
    max_poll_interval_s: float = Field(
        default=1800.0,
        gt=0,
        description="Longest gap between polls before Kafka drops a consumer from its group. "
        "Stage code runs in threads and faust polls from its own thread, so a "
        "minutes-long speech recognition call does not come near it.",
    )
    session_timeout_s: float = Field(
        default=30.0, gt=0, description="Heartbeats missing this long drop a worker."
    )
    heartbeat_interval_s: float = Field(default=3.0, gt=0, description="Heartbeat period.")
    commit_interval_s: float = Field(
        default=0.5,
        gt=0,
        description="How often acknowledged offsets are committed (only ever offsets "
        "whose outputs the broker has acknowledged).",
    )

    # --- observability -------------------------------------------------------------------
    metrics_port: int = Field(
        default=9108,
        ge=0,
        le=65535,
        description="Prometheus metrics port; 0 turns the endpoint off. 'worker all' uses "
        "this port and the next three.",
    )
    lag_interval_s: float = Field(
        default=5.0, gt=0, description="How often the consumer-lag gauge is refreshed."
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="Worker logs: JSON lines or plain text."
    )
    log_level: str = Field(default="INFO", description="Worker log level.")

    def topic(self, prefix: str, name: str) -> str:
        """The full name of a topic setting, e.g. ``topic(prefix, 'decisions')``."""
        return prefix + getattr(self, f"topic_{name}")
