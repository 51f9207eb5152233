"""Topic names, topic creation and consumer lag, straight on aiokafka (no faust).

Used by the workers at start-up, by ``python -m workers topics|lag``, by the
tests and by the benchmark.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from referee.errors import ConfigError
from referee.settings import Settings
from workers.options import STAGES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicNames:
    """Full topic names (prefix applied) of one deployment."""

    cancellations: str
    signals: str
    transcripts: str
    classifications: str
    decisions: str
    dead_letters: str
    work_classify: str
    work_decide: str

    @classmethod
    def from_settings(cls, settings: Settings) -> TopicNames:
        opts = settings.stream
        return cls(**{f.name: opts.topic(settings.topic_prefix, f.name) for f in fields(cls)})

    def all(self) -> list[str]:
        return [getattr(self, f.name) for f in fields(self)]


def group_id(settings: Settings, stage: str) -> str:
    """The consumer group (and faust app id) of a stage's workers."""
    return f"{settings.stream.app_id}-{stage}"


def bootstrap_servers(settings: Settings) -> list[str]:
    servers = [s.strip() for s in settings.kafka_bootstrap.split(",") if s.strip()]
    if not servers:
        raise ConfigError("KAFKA_BOOTSTRAP is empty")
    return [s.removeprefix("kafka://") for s in servers]


async def ensure_topics(settings: Settings, *, timeout_s: float = 30.0) -> list[str]:
    """Create the deployment's missing topics; return the ones created.

    An existing topic with another partition count is reported: the decide join
    needs every topic to have the same count, or a booking's signals and its
    cancellation land on different workers.
    """
    names = TopicNames.from_settings(settings)
    opts = settings.stream
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers(settings), request_timeout_ms=int(timeout_s * 1000)
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in names.all() if t not in existing]
        if missing:
            new = [
                NewTopic(
                    name=t,
                    num_partitions=opts.partitions,
                    replication_factor=opts.replication,
                    topic_configs={"max.message.bytes": str(opts.max_message_bytes + 65_536)},
                )
                for t in missing
            ]
            try:
                await admin.create_topics(new, timeout_ms=int(timeout_s * 1000))
            except Exception as exc:  # another worker may have created them meanwhile
                if "TopicAlreadyExists" not in type(exc).__name__ + str(exc):
                    raise
            log.info("created topics", extra={"topics": missing})
        present = [t for t in names.all() if t in existing]
        if present:
            meta = await admin.describe_topics(present)
            for topic in meta:
                count = len(topic.get("partitions", []))
                if count and count != opts.partitions:
                    log.error(
                        "topic %s has %s partitions, STREAM__PARTITIONS is %s; all topics "
                        "must have the same count for the decide join",
                        topic.get("topic"),
                        count,
                        opts.partitions,
                    )
        return missing
    finally:
        await admin.close()


async def consumer_lag(
    settings: Settings, stages: tuple[str, ...] = STAGES
) -> list[dict[str, Any]]:
    """Per group, topic and partition: committed offset, end offset and lag."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers(settings))
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers(settings))
    await admin.start()
    await consumer.start()
    rows: list[dict[str, Any]] = []
    try:
        for stage in stages:
            group = group_id(settings, stage)
            offsets = await admin.list_consumer_group_offsets(group)
            tps = [TopicPartition(tp.topic, tp.partition) for tp in offsets]
            ends = await consumer.end_offsets(tps) if tps else {}
            for tp, meta in sorted(offsets.items()):
                end = ends.get(TopicPartition(tp.topic, tp.partition), 0)
                committed = max(meta.offset, 0)
                rows.append(
                    {
                        "group": group,
                        "topic": tp.topic,
                        "partition": tp.partition,
                        "committed": committed,
                        "end": end,
                        "lag": max(end - committed, 0),
                    }
                )
    finally:
        await consumer.stop()
        await admin.close()
    return rows
