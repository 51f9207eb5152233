"""Worker observability: JSON-line logs that carry booking and cancellation ids, and
Prometheus metrics per stage (processed, failed, dead-lettered, latency, consumer lag).

The ids of the message being handled live in context variables, so every log
line written while handling it (by our code, faust or a stage) names them
without passing them around. ``bind_message`` sets them; tasks copy them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

_stage: contextvars.ContextVar[str | None] = contextvars.ContextVar("stage", default=None)
_booking: contextvars.ContextVar[str | None] = contextvars.ContextVar("booking_id", default=None)
_cancellation: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cancellation_id", default=None
)

#: LogRecord attributes that are not "extra" fields.
_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


def set_stage(stage: str) -> None:
    _stage.set(stage)


def bind_message(booking_id: str | None, cancellation_id: str | None = None) -> None:
    """Name the booking (and cancellation) the current task is working on, for the logs."""
    _booking.set(booking_id)
    _cancellation.set(cancellation_id)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, stage, ids, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, var in (
            ("stage", _stage),
            ("booking_id", _booking),
            ("cancellation_id", _cancellation),
        ):
            value = var.get()
            if value is not None:
                doc[key] = value
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                doc[key] = value
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Plain lines for a person at a terminal; still names the ids."""

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(
            f"{k}={v.get()}"
            for k, v in (("booking", _booking), ("cancellation", _cancellation))
            if v.get()
        )
        base = super().format(record)
        return f"{base} {ids}" if ids else base


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """A dictConfig for faust's worker (it would otherwise install coloured text logs)."""
    formatter: dict[str, Any]
    if log_format == "json":
        formatter = {"()": f"{__name__}.JsonFormatter"}
    else:
        formatter = {
            "()": f"{__name__}.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level.upper(), "handlers": ["default"]},
        # faust and aiokafka are chatty at INFO about every rebalance step.
        "loggers": {
            "aiokafka": {"level": "WARNING"},
            "faust.transport.drivers.aiokafka": {"level": "WARNING"},
        },
    }


class StageMetrics:
    """The Prometheus series of one worker process. One registry per process, so tests
    can build several without the global registry complaining about duplicates."""

    LATENCY_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.registry = CollectorRegistry()
        r = self.registry
        self.processed = Counter(
            "referee_stage_processed", "Messages a stage handled.", ["stage"], registry=r
        )
        self.failed = Counter(
            "referee_stage_failed",
            "Failed attempts of a stage on a message (retried or dead-lettered).",
            ["stage", "error_type"],
            registry=r,
        )
        self.dead_lettered = Counter(
            "referee_stage_dead_lettered",
            "Messages a stage sent to the dead-letter topic.",
            ["stage"],
            registry=r,
        )
        self.latency = Histogram(
            "referee_stage_latency_seconds",
            "Time a stage took for one message (one batch for persist).",
            ["stage"],
            buckets=self.LATENCY_BUCKETS,
            registry=r,
        )
        self.end_to_end = Histogram(
            "referee_event_to_decision_seconds",
            "From the cancellation event reaching Kafka to its decision being produced.",
            buckets=self.LATENCY_BUCKETS,
            registry=r,
        )
        self.lag = Gauge(
            "referee_consumer_lag",
            "Messages not yet committed by this worker: highwater - committed offset.",
            ["group", "topic", "partition"],
            registry=r,
        )
        self.pending_joins = Gauge(
            "referee_decide_pending_joins",
            "Cancellations waiting for their booking's signals.",
            registry=r,
        )
        self.inflight = Gauge(
            "referee_stage_inflight",
            "Messages handled but not yet acknowledged (outputs in flight).",
            ["stage"],
            registry=r,
        )

    def serve(self, port: int) -> None:
        """Expose /metrics on ``port`` (0: don't). A taken port is logged, not fatal."""
        if port <= 0:
            return
        try:
            start_http_server(port, registry=self.registry)
        except OSError as exc:
            logging.getLogger(__name__).warning(
                "metrics port %s unavailable (%s); metrics are off", port, exc
            )

    @contextmanager
    def timed(self, stage: str | None = None) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.latency.labels(stage or self.stage).observe(time.perf_counter() - started)
