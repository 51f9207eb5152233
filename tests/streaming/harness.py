"""Test harness for the streaming workers: a throwaway deployment on a real broker.

Each :class:`Deployment` has its own topic prefix and consumer-group prefix, so
tests never see each other's messages; workers run as real subprocesses
(``python -m workers worker STAGE`` or ``referee worker STAGE``) with the
test-only ``supplied`` classifier, and their logs are kept for failure reports.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


def broker_answers(bootstrap: str, timeout_s: float = 5.0) -> bool:
    """True when a Kafka broker at ``bootstrap`` answers a metadata request."""
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=1.0):
            pass
    except OSError:
        return False

    async def probe() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
        try:
            await asyncio.wait_for(admin.start(), timeout_s)
            await asyncio.wait_for(admin.list_topics(), timeout_s)
            return True
        except Exception:
            return False
        finally:
            await admin.close()

    return asyncio.run(probe())


# --------------------------------------------------------------------------- messages


def cancellation(
    cid: str,
    booking: str,
    *,
    scenario: str = "pro_no_show",
    cancelled_by: str = "customer",
    minutes: float = 30.0,
    **extra: Any,
) -> dict[str, Any]:
    """A cancellation event whose scenario the test-only 'supplied' classifier reads."""
    return {
        "cancellation_id": cid,
        "booking_id": booking,
        "cancelled_by": cancelled_by,
        "minutes_before_slot": minutes,
        "reason_selected": f"scenario:{scenario}",
        **extra,
    }


def signals(booking: str, *, attempts: int = 2, distance: float = 40.0) -> dict[str, Any]:
    return {
        "booking_id": booking,
        "location": {"available": True, "min_distance_m": distance},
        "pro_call_attempts": attempts,
    }


def encode(doc: Any) -> bytes:
    return json.dumps(doc).encode()


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: dict[str, str]
    timestamp_ms: int

    def json(self) -> Any:
        return json.loads(self.value)


@dataclass
class Tally:
    """Decisions and dead letters as read from the topics, with the checks tests make."""

    decisions: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    dead: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, records: Iterable[Record], decisions_topic: str) -> Tally:
        tally = cls()
        for r in records:
            doc = r.json()
            if r.topic == decisions_topic:
                tally.decisions[doc["cancellation_id"]].append(doc)
            else:
                # A redelivered message can be dead-lettered twice: count it once, by
                # what it was (its cancellation id) or else where it came from.
                tally.dead[dead_letter_identity(doc, r)] = doc
        return tally

    def duplicates(self) -> dict[str, list[str]]:
        """Cancellations with more than one *different* decision."""
        out = {}
        for cid, docs in self.decisions.items():
            distinct = {
                (d["decision_id"], d["responsible"], d["penalty"], d["rule_id"]) for d in docs
            }
            if len(distinct) > 1:
                out[cid] = sorted(str(x) for x in distinct)
        return out


def dead_letter_identity(doc: dict[str, Any], record: Record) -> str:
    try:
        payload = json.loads(doc.get("payload") or "")
        if isinstance(payload, dict):
            event = payload.get("event") or payload
            if isinstance(event, dict) and event.get("cancellation_id"):
                return "cid:" + str(event["cancellation_id"])
    except ValueError:
        pass
    return "src:" + record.headers.get("referee-source", f"{record.partition}/{record.offset}")


# --------------------------------------------------------------------------- workers


@dataclass
class Worker:
    stage: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def ready(self) -> bool:
        """Every stage this process runs has logged its partition assignment."""
        stages = (
            {"transcribe", "classify", "decide", "persist"} if self.stage == "all" else {self.stage}
        )
        seen = set()
        for line in self.log().splitlines():
            if '"msg": "partitions assigned"' in line:
                try:
                    seen.add(json.loads(line).get("stage"))
                except ValueError:
                    continue
        return stages <= seen

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


class Deployment:
    """Topics, workers and a reader/writer for one test."""

    def __init__(self, bootstrap: str, workdir: Path, **env: str) -> None:
        self.bootstrap = bootstrap
        self.workdir = workdir
        self.id = "t" + uuid.uuid4().hex[:10]
        self.prefix = f"{self.id}."
        self.db_path = workdir / "referee.db"
        self.env = {
            **os.environ,
            "KAFKA_BOOTSTRAP": bootstrap,
            "TOPIC_PREFIX": self.prefix,
            "STREAM__APP_ID": self.id,
            "STREAM__PARTITIONS": "4",
            "STREAM__METRICS_PORT": "0",
            "STREAM__JOIN_WAIT_S": "3",
            "STREAM__RETRY_BACKOFF_S": "0.1",
            "STREAM__COMMIT_INTERVAL_S": "0.2",
            # A SIGKILLed member holds its partitions until its session times out; the
            # broker's minimum (6 s) keeps kill-and-restart tests short.
            "STREAM__SESSION_TIMEOUT_S": "6",
            "STREAM__HEARTBEAT_INTERVAL_S": "1",
            "STREAM__REDELIVER_AFTER_S": "3",
            "STREAM__LOG_FORMAT": "json",
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "CACHE_DIR": str(workdir / "cache"),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.workers: list[Worker] = []
        self._n = 0

    def topic(self, name: str) -> str:
        return self.prefix + name

    # ------------------------------------------------------------------ workers
    def start(
        self,
        stage: str,
        *,
        via_cli: bool = False,
        wait_s: float = 90.0,
        metrics_port: int = 0,
        env: dict[str, str] | None = None,
    ) -> Worker:
        self._n += 1
        log_path = self.workdir / f"{stage}-{self._n}.log"
        if via_cli:
            cmd = [str(Path(sys.executable).parent / "referee"), "worker", stage]
        else:
            cmd = [sys.executable, "-m", "workers", "worker", stage]
        cmd += ["--classifier", "supplied", "--metrics-port", str(metrics_port)]
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                cmd,
                env={**self.env, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        worker = Worker(stage, proc, log_path)
        self.workers.append(worker)
        if wait_s:
            self.wait_ready([worker], wait_s)
        return worker

    def start_all_stages(self, wait_s: float = 120.0) -> list[Worker]:
        stages = ("transcribe", "classify", "decide", "persist")
        started = [self.start(s, wait_s=0) for s in stages]
        self.wait_ready(started, wait_s)
        return started

    def wait_ready(self, workers: list[Worker], wait_s: float) -> None:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            dead = [w for w in workers if not w.alive()]
            if dead:
                raise AssertionError(f"{dead[0].stage} worker exited:\n{dead[0].log()[-4000:]}")
            if all(w.ready() for w in workers):
                return
            time.sleep(0.2)
        raise AssertionError(
            "workers not ready in time:\n"
            + "\n".join(f"--- {w.stage}\n{w.log()[-2000:]}" for w in workers if not w.ready())
        )

    def stop(self) -> None:
        for w in self.workers:
            if w.alive():
                w.proc.send_signal(signal.SIGTERM)
        for w in self.workers:
            w.kill(signal.SIGTERM)

    def delete_topics(self) -> None:
        """Delete this deployment's topics (its own and faust's), so that test runs do
        not pile partitions up on the broker (it would start and stop ever slower)."""

        async def run() -> None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
            await admin.start()
            try:
                mine = [
                    t
                    for t in await admin.list_topics()
                    if t.startswith((self.prefix, self.id + "-"))
                ]
                if mine:
                    await admin.delete_topics(mine)
            finally:
                await admin.close()

        try:
            asyncio.run(run())
        except Exception as exc:  # cleanup only: never fail a test over it
            print(f"could not delete topics of {self.id}: {exc}")

    def logs(self) -> str:
        return "\n".join(
            f"===== {w.stage} ({w.log_path.name})\n{w.log()[-6000:]}" for w in self.workers
        )

    # ------------------------------------------------------------------ Kafka I/O
    def send(self, records: Iterable[tuple[str, str | None, bytes]]) -> None:
        """Produce (topic name without prefix, key, value) in order, and flush."""
        items = list(records)

        async def run() -> None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap, acks="all", max_request_size=4 * 1024 * 1024
            )
            await producer.start()
            try:
                futures = [
                    await producer.send(self.topic(t), v, key=k.encode() if k is not None else None)
                    for t, k, v in items
                ]
                await asyncio.gather(*futures)
            finally:
                await producer.stop()

        asyncio.run(run())

    def read(self, names: Iterable[str] = ("decisions", "dead-letters")) -> list[Record]:
        """Everything on the given topics now (from the beginning to the end offsets)."""
        topics = [self.topic(n) for n in names]

        async def run() -> list[Record]:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap,
                enable_auto_commit=False,
                max_partition_fetch_bytes=4 * 1024 * 1024,
            )
            await consumer.start()
            out: list[Record] = []
            try:
                tps = []
                for t in topics:
                    parts = consumer.partitions_for_topic(t)
                    if parts is None:
                        await consumer._client.force_metadata_update()
                        parts = consumer.partitions_for_topic(t) or set()
                    tps += [TopicPartition(t, p) for p in parts]
                if not tps:
                    return out
                consumer.assign(tps)
                await consumer.seek_to_beginning(*tps)
                ends = await consumer.end_offsets(tps)
                remaining = {tp for tp in tps if ends[tp] > 0}
                deadline = time.monotonic() + 30
                while remaining and time.monotonic() < deadline:
                    batch = await consumer.getmany(timeout_ms=500)
                    for tp, msgs in batch.items():
                        for m in msgs:
                            out.append(
                                Record(
                                    m.topic,
                                    m.partition,
                                    m.offset,
                                    m.key.decode() if m.key is not None else None,
                                    m.value or b"",
                                    {k: v.decode() for k, v in (m.headers or ())},
                                    m.timestamp,
                                )
                            )
                        if msgs and msgs[-1].offset + 1 >= ends[tp]:
                            remaining.discard(tp)
            finally:
                await consumer.stop()
            return out

        return asyncio.run(run())

    def end_offsets(self, name: str) -> int:
        """Messages on a topic so far (sum of its partitions' end offsets)."""

        async def run() -> int:
            consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap)
            await consumer.start()
            try:
                parts = consumer.partitions_for_topic(self.topic(name)) or set()
                if not parts:
                    await consumer._client.force_metadata_update()
                    parts = consumer.partitions_for_topic(self.topic(name)) or set()
                tps = [TopicPartition(self.topic(name), p) for p in parts]
                return sum((await consumer.end_offsets(tps)).values()) if tps else 0
            finally:
                await consumer.stop()

        return asyncio.run(run())

    def tally(self) -> Tally:
        return Tally.of(self.read(), self.topic("decisions"))

    def wait_for(
        self, done: Callable[[Tally], bool], timeout_s: float, what: str = "the outcome"
    ) -> Tally:
        deadline = time.monotonic() + timeout_s
        tally = self.tally()
        while not done(tally):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout_s}s waiting for {what}: "
                    f"{len(tally.decisions)} decisions, {len(tally.dead)} dead letters\n"
                    + self.logs()[-12000:]
                )
            time.sleep(0.5)
            tally = self.tally()
        return tally

    def stored_decisions(self) -> dict[str, str]:
        """cancellation id -> decision id, from the SQLite store the persist worker writes."""
        import sqlite3

        with sqlite3.connect(self.db_path) as db:
            return dict(db.execute("select cancellation_id, decision_id from decisions"))
