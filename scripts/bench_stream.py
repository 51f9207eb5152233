#!/usr/bin/env python
"""Benchmark of the streaming workers through a real Kafka broker.

Classifications are precomputed (``--from decide``: the bench publishes the
decide stage's input, event + classification, as the classify stage would), so
the language model is not what is measured. ``--from cancellations`` sends plain
cancellation events through all four stages with the test-only ``supplied``
classifier instead.

Two measurements, each on fresh topics and consumer groups:

* throughput: a backlog of ``--events`` is published first, then the workers
  start; decisions/s = events / (last decision - first decision), and the same
  for rows in the store (decide + persist);
* latency: with warm workers, events at a fixed ``--rate`` for ``--seconds``;
  latency = the decision's Kafka timestamp - the input's Kafka timestamp; p50/p99.

Usage (the broker from scripts/kafka.sh, SQLite and PostgreSQL):

    scripts/kafka.sh start
    .venv/bin/python scripts/bench_stream.py --db sqlite --partitions 8 --decide-workers 1
    .venv/bin/python scripts/bench_stream.py --db postgres   # REFEREE_TEST_POSTGRES_URL or
                                                             # scripts/postgres.sh start

Prints one JSON object per measurement (and a summary line per run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from referee.messages import CancellationEvent, Classification  # noqa: E402
from workers.envelope import StageWork  # noqa: E402

SCENARIOS = ["pro_no_show", "cust_changed_mind", "pro_running_late", "platform_issue", "unclear"]


# --------------------------------------------------------------------------- inputs


def _inputs(run: str, n: int, source: str, start: int = 0) -> list[tuple[str, str, bytes]]:
    """(topic suffix, key, value): per booking its signals, then its event."""
    out = []
    for i in range(start, start + n):
        booking, cid = f"b-{run}-{i}", f"c-{run}-{i}"
        scenario = SCENARIOS[i % len(SCENARIOS)]
        sig = {
            "booking_id": booking,
            "location": {"available": True, "min_distance_m": float(i % 500)},
            "pro_call_attempts": i % 4,
        }
        out.append(("signals", booking, json.dumps(sig).encode()))
        event = CancellationEvent(
            cancellation_id=cid,
            booking_id=booking,
            cancelled_by="customer" if i % 2 else "professional",
            minutes_before_slot=float(i % 240),
            reason_selected=f"scenario:{scenario}",
        )
        if source == "cancellations":
            out.append(("cancellations", booking, event.model_dump_json().encode()))
            continue
        classification = Classification(
            cancellation_id=cid,
            booking_id=booking,
            scenario=scenario,
            reason="precomputed for the benchmark",
            classifier="precomputed",
        )
        work = StageWork(booking_id=booking, event=event, classification=classification)
        out.append(("work.decide", booking, work.model_dump_json().encode()))
    return out


class Broker:
    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.bootstrap = bootstrap
        self.prefix = prefix

    async def produce(
        self, items: list[tuple[str, str, bytes]], rate: float | None = None
    ) -> dict[str, float]:
        """Send items (at ``rate`` inputs/s when given); return input key -> send time."""
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", linger_ms=5, max_batch_size=256_000
        )
        await producer.start()
        sent: dict[str, float] = {}
        try:
            futures = []
            started = time.monotonic()
            events = 0
            for topic, key, value in items:
                if rate and topic != "signals":
                    due = started + events / rate
                    delay = due - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    events += 1
                futures.append(await producer.send(self.prefix + topic, value, key=key.encode()))
                if len(futures) > 5000:
                    await asyncio.gather(*futures)
                    futures = []
            await asyncio.gather(*futures)
        finally:
            await producer.stop()
        return sent

    async def decision_times(self, expected: int, timeout_s: float) -> dict[str, int]:
        """cancellation id -> Kafka timestamp (ms) of its first decision."""
        topic = self.prefix + "decisions"
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        out: dict[str, int] = {}
        try:
            deadline = time.monotonic() + timeout_s
            await _assign_all(consumer, topic)
            while len(out) < expected and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=500, max_records=5000)
                for msgs in batch.values():
                    for m in msgs:
                        cid = json.loads(m.value)["cancellation_id"]
                        out.setdefault(cid, m.timestamp)
        finally:
            await consumer.stop()
        return out

    async def input_times(self, source: str) -> dict[str, int]:
        """cancellation id -> Kafka timestamp (ms) of its input message."""
        topic = self.prefix + ("cancellations" if source == "cancellations" else "work.decide")
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        out: dict[str, int] = {}
        try:
            tps = await _assign_all(consumer, topic)
            ends = await consumer.end_offsets(tps)
            left = {tp for tp in tps if ends[tp]}
            while left:
                batch = await consumer.getmany(timeout_ms=500, max_records=5000)
                for tp, msgs in batch.items():
                    for m in msgs:
                        doc = json.loads(m.value)
                        cid = doc.get("cancellation_id") or doc["event"]["cancellation_id"]
                        out.setdefault(cid, m.timestamp)
                    if msgs and msgs[-1].offset + 1 >= ends[tp]:
                        left.discard(tp)
        finally:
            await consumer.stop()
        return out


async def _assign_all(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """Assign every partition of ``topic`` from the beginning (waiting for metadata)."""
    parts: set[int] = set()
    for _ in range(100):
        await consumer._client.force_metadata_update()
        parts = consumer.partitions_for_topic(topic) or set()
        if parts:
            break
        await asyncio.sleep(0.2)
    tps = [TopicPartition(topic, p) for p in sorted(parts)]
    consumer.assign(tps)
    await consumer.seek_to_beginning(*tps)
    return tps


# --------------------------------------------------------------------------- workers


class Workers:
    def __init__(self, env: dict[str, str], logdir: Path) -> None:
        self.env = env
        self.logdir = logdir
        self.procs: list[subprocess.Popen[bytes]] = []
        self.stages: list[str] = []

    def start(self, stage: str, count: int) -> None:
        for i in range(count):
            log = (self.logdir / f"{stage}-{i}.log").open("wb")
            cmd = [sys.executable, "-m", "workers", "worker", stage, "--classifier", "supplied"]
            proc = subprocess.Popen(
                cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
            )
            self.procs.append(proc)
            self.stages.append(stage)

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            logs = [p.read_text(errors="replace") for p in sorted(self.logdir.glob("*.log"))]
            if all('"partitions assigned"' in log for log in logs) and len(logs) == len(self.procs):
                return
            if any(p.poll() is not None for p in self.procs):
                raise SystemExit(f"a worker exited; see {self.logdir}")
            time.sleep(0.3)
        raise SystemExit(f"workers not ready after {timeout_s}s; see {self.logdir}")

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds (user + system) used so far, per stage, and by the broker when it
        is the one scripts/kafka.sh started."""
        out: dict[str, float] = {}
        pids = list(zip(self.stages, [p.pid for p in self.procs], strict=True))
        broker = Path(os.environ.get("KAFKA_WORK_DIR", ROOT / ".kafka")) / "kafka.pid"
        if broker.exists():
            pids.append(("broker", int(broker.read_text().strip() or 0)))
        for name, pid in pids:
            used = _cpu(pid)
            if used is not None:
                out[name] = round(out.get(name, 0.0) + used, 2)
        return out


def _cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _machine_busy() -> tuple[float, float]:
    """(busy CPU seconds, wall seconds) of the whole machine so far, from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = parts[3] + parts[4]
    return (sum(parts) - idle) / tick, time.monotonic()


def _count_rows(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("select count(*) from decisions")).scalar() or 0)
    except Exception:
        return 0
    finally:
        engine.dispose()


def _postgres_url() -> str:
    url = os.environ.get("REFEREE_TEST_POSTGRES_URL")
    if not url:
        url = subprocess.run(
            ["bash", str(ROOT / "scripts" / "postgres.sh"), "start"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _fresh_postgres_db(base: str, name: str) -> str:
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


async def _delete_topics(bootstrap: str, run: str) -> None:
    """Drop a run's topics (its own and faust's) so runs don't pile up on the broker."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        mine = [t for t in await admin.list_topics() if t.startswith((run + ".", run + "-"))]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


# --------------------------------------------------------------------------- runs


def _setup(args: argparse.Namespace, label: str) -> tuple[str, dict[str, str], Path]:
    run = f"bench{uuid.uuid4().hex[:8]}"
    logdir = Path(tempfile.mkdtemp(prefix=f"{run}-{label}-"))
    if args.db == "postgres":
        db_url = _fresh_postgres_db(_postgres_url(), run)
    else:
        db_url = f"sqlite:///{logdir / 'referee.db'}"
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP": args.bootstrap,
        "TOPIC_PREFIX": f"{run}.",
        "STREAM__APP_ID": run,
        "STREAM__PARTITIONS": str(args.partitions),
        "STREAM__METRICS_PORT": "0",
        "STREAM__JOIN_WAIT_S": "5",
        "STREAM__LOG_LEVEL": "INFO",  # as in production: a JSON line per decision
        "DATABASE_URL": db_url,
        "CACHE_DIR": str(logdir / "cache"),
    }
    return run, env, logdir


async def _create_topics(env: dict[str, str]) -> None:
    from referee.settings import Settings
    from workers.topics import ensure_topics

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        await ensure_topics(Settings())
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _start_workers(args: argparse.Namespace, env: dict[str, str], logdir: Path) -> Workers:
    workers = Workers(env, logdir)
    if args.source == "cancellations":
        workers.start("transcribe", args.decide_workers)
        workers.start("classify", args.decide_workers)
    workers.start("decide", args.decide_workers)
    workers.start("persist", args.persist_workers)
    return workers


def throughput(args: argparse.Namespace) -> dict[str, Any]:
    run, env, logdir = _setup(args, "throughput")
    broker = Broker(args.bootstrap, f"{run}.")
    asyncio.run(_create_topics(env))
    asyncio.run(broker.produce(_inputs(run, args.events, args.source)))
    workers = _start_workers(args, env, logdir)
    try:
        started = time.monotonic()
        workers.wait_ready()
        cpu_ready = workers.cpu_seconds()  # start-up: imports, group join, table recovery
        busy_ready = _machine_busy()
        times = asyncio.run(broker.decision_times(args.events, timeout_s=args.timeout))
        decided_wall = time.monotonic() - started
        cpu_done = workers.cpu_seconds()
        busy_done = _machine_busy()
        deadline = time.monotonic() + args.timeout
        rows = _count_rows(env["DATABASE_URL"])
        while rows < args.events and time.monotonic() < deadline:
            time.sleep(0.2)
            rows = _count_rows(env["DATABASE_URL"])
        stored_wall = time.monotonic() - started
    finally:
        workers.stop()
        asyncio.run(_delete_topics(args.bootstrap, run))
    stamps = sorted(times.values())
    span = (stamps[-1] - stamps[0]) / 1000 if len(stamps) > 1 else float("nan")
    # Persist ends after the last decision; count its tail from the first decision.
    first_decision_wall = decided_wall - (stamps[-1] - stamps[0]) / 1000 if stamps else 0.0
    return {
        "measure": "throughput",
        "db": args.db,
        "source": args.source,
        "partitions": args.partitions,
        "decide_workers": args.decide_workers,
        "persist_workers": args.persist_workers,
        "events": args.events,
        "decisions": len(times),
        "stored": rows,
        "decisions_per_s": round(len(times) / span, 1) if span else None,
        "stored_per_s": round(rows / max(stored_wall - first_decision_wall, 1e-9), 1),
        # CPU per decision after start-up (the last of persist's work may be missing).
        "cpu_ms_per_event": {
            k: round((cpu_done[k] - cpu_ready.get(k, 0.0)) * 1000 / max(len(times), 1), 3)
            for k in cpu_done
        },
        # Cores the whole machine kept busy meanwhile, and how much of that was ours.
        "machine_busy_cores": round(
            (busy_done[0] - busy_ready[0]) / max(busy_done[1] - busy_ready[1], 1e-9), 2
        ),
        "ours_busy_cores": round(
            sum(cpu_done[k] - cpu_ready.get(k, 0.0) for k in cpu_done)
            / max(busy_done[1] - busy_ready[1], 1e-9),
            2,
        ),
        "logs": str(logdir),
    }


def latency(args: argparse.Namespace) -> dict[str, Any]:
    run, env, logdir = _setup(args, "latency")
    broker = Broker(args.bootstrap, f"{run}.")
    asyncio.run(_create_topics(env))
    workers = _start_workers(args, env, logdir)
    try:
        workers.wait_ready()
        # Warm-up: first messages pay for connections and the rule engine's first run.
        asyncio.run(broker.produce(_inputs(run + "w", 200, args.source), rate=args.rate))
        n = int(args.rate * args.seconds)
        asyncio.run(broker.produce(_inputs(run, n, args.source), rate=args.rate))
        decided = asyncio.run(broker.decision_times(n + 200, timeout_s=args.timeout))
        sent = asyncio.run(broker.input_times(args.source))
    finally:
        workers.stop()
        asyncio.run(_delete_topics(args.bootstrap, run))
    lat = [
        (decided[c] - sent[c]) / 1000 for c in decided if c in sent and c.startswith(f"c-{run}-")
    ]
    return {
        "measure": "latency",
        "db": args.db,
        "source": args.source,
        "partitions": args.partitions,
        "decide_workers": args.decide_workers,
        "rate": args.rate,
        "events": len(lat),
        "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "p99_ms": round(_percentile(lat, 0.99) * 1000, 1) if lat else None,
        "max_ms": round(max(lat) * 1000, 1) if lat else None,
        "logs": str(logdir),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--source", choices=["decide", "cancellations"], default="decide")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--decide-workers", type=int, default=1)
    parser.add_argument("--persist-workers", type=int, default=1)
    parser.add_argument("--events", type=int, default=20_000, help="backlog for throughput")
    parser.add_argument("--rate", type=float, default=200.0, help="events/s for latency")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of latency run")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--only", choices=["throughput", "latency"], default=None)
    args = parser.parse_args()

    results = []
    if args.only in (None, "throughput"):
        results.append(throughput(args))
        print(json.dumps(results[-1]), flush=True)
    if args.only in (None, "latency"):
        results.append(latency(args))
        print(json.dumps(results[-1]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
