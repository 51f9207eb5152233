"""The four stage agents. Each one only moves messages and calls the stage objects of
:mod:`referee.stages` (and the store); there is no decision logic here.

============  ==============================  ==========================================
stage         consumes                        produces
============  ==============================  ==========================================
transcribe    cancellations                   transcripts, work.classify
classify      work.classify                   classifications, work.decide
decide        work.decide + signals (joined)  decisions (and ticks to work.decide)
persist       decisions + transcripts         rows in the store
============  ==============================  ==========================================

Everything is keyed by booking id and all topics have the same partition count; the
work topics keep the cancellation's partition number, so a booking's signals and
its cancellation meet on one decide worker.
Any stage that raises sends the message to dead-letters (see :mod:`workers.runtime`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from faust.types import TP
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from referee.errors import InputError, StoreError
from referee.messages import (
    CancellationEvent,
    Decision,
    Message,
    SystemSignals,
    Transcript,
)
from referee.stages.classify import Classifier
from referee.stages.decide import DecideStage
from referee.stages.transcribe import TranscribeStage
from referee.store import Store
from workers.envelope import StageWork
from workers.observability import bind_message
from workers.runtime import (
    H_CANCELLATION,
    H_SOURCE,
    Output,
    Runtime,
    Source,
    headers_for,
)

log = logging.getLogger(__name__)

#: Namespace of decision ids: a cancellation's decision id is the same in every worker
#: and every retry, so even a decision produced twice is one decision.
DECISION_NAMESPACE = uuid.UUID("6f1d3c52-8d5e-4b7a-9a35-0c6e1b2f4a10")


def dump(message: Message) -> bytes:
    return message.model_dump_json(by_alias=True).encode()


def decision_id_for(cancellation_id: str) -> str:
    return uuid.uuid5(DECISION_NAMESPACE, cancellation_id).hex


# --------------------------------------------------------------------------- transcribe


def register_transcribe(rt: Runtime, stage: TranscribeStage) -> None:
    names = rt.names

    async def work(source: Source) -> list[Output]:
        event = CancellationEvent.parse(source.value, source.coordinates)
        bind_message(event.booking_id, event.cancellation_id)
        transcript = await rt.call(stage.process, event)
        hand_off = StageWork(
            booking_id=event.booking_id,
            event=event,
            transcript=transcript,
            received_at=source.received_at,
        )
        headers = headers_for(source, event.cancellation_id)
        return [
            Output(names.transcripts, event.booking_id, dump(transcript), headers),
            # The cancellation's own partition, not the key's hash: the work then meets
            # the booking's signals whatever partitioner the marketplace uses, as long
            # as it uses the same one for both its topics.
            Output(
                names.work_classify,
                event.booking_id,
                dump(hand_off),
                headers,
                partition=source.partition,
            ),
        ]

    @rt.app.agent(rt.topic(names.cancellations), name="transcribe")
    async def transcribe(stream: Any) -> None:
        gate = asyncio.Semaphore(rt.options.transcribe_concurrency)
        async for event in stream.noack().events():
            await rt.handle(stream, event, work, gate)


# --------------------------------------------------------------------------- classify


def register_classify(rt: Runtime, classifier: Classifier) -> None:
    names = rt.names

    async def work(source: Source) -> list[Output]:
        hand_in = StageWork.parse(source.value, source.coordinates)
        if hand_in.event is None or hand_in.transcript is None:
            raise InputError(source.coordinates, "classify needs the event and its transcript")
        event = hand_in.event
        bind_message(event.booking_id, event.cancellation_id)
        # The classifier itself, not pipeline.classify_safely: a raising classifier is
        # retried (if retryable) and then dead-lettered, instead of turned into 'unclear'.
        classification = await rt.call(classifier.classify, event, hand_in.transcript)
        hand_off = StageWork(
            booking_id=event.booking_id,
            event=event,
            classification=classification,
            received_at=hand_in.received_at,
        )
        headers = headers_for(source, event.cancellation_id)
        return [
            Output(names.classifications, event.booking_id, dump(classification), headers),
            Output(
                names.work_decide,
                event.booking_id,
                dump(hand_off),
                headers,
                partition=source.partition,  # still the cancellation's partition
            ),
        ]

    @rt.app.agent(rt.topic(names.work_classify), name="classify")
    async def classify(stream: Any) -> None:
        gate = asyncio.Semaphore(rt.options.classify_concurrency)
        async for event in stream.noack().events():
            await rt.handle(stream, event, work, gate)


# --------------------------------------------------------------------------- decide


class DecideJoin:
    """Joins each classification with its booking's signals and decides, once per
    cancellation.

    Three changelog-backed faust tables, each entry written with the partition of
    the message being handled (= the booking's partition), so the worker that takes
    a partition over recovers its entries:

    * ``signals``  booking id -> the booking's latest SystemSignals
    * ``pending``  booking id -> its cancellations waiting for those signals
    * ``decided``  cancellation id -> the decision produced for it

    A cancellation is decided at once when its signals are there; otherwise it waits
    in ``pending`` until they come or until ``join_wait_s`` after the event reached
    Kafka (a timer then sends a *tick* to the booking's partition, so the wait ends
    inside the ordinary, ordered message flow). A decision is recorded in
    ``decided`` -- acknowledged by the broker -- before it is produced, and its id
    is derived from the cancellation id; a redelivered cancellation gets the
    recorded decision again, never a new one.
    """

    def __init__(self, rt: Runtime, stage: DecideStage) -> None:
        self.rt = rt
        self.stage = stage
        opts = rt.options
        app = rt.app
        table_args: dict[str, Any] = {"key_type": str, "partitions": opts.partitions}
        self.signals = app.Table("signals", help="booking id -> latest signals", **table_args)
        self.pending = app.Table("pending", help="booking id -> waiting joins", **table_args)
        self.decided = app.Table("decided", help="cancellation id -> decision", **table_args)
        self._ticked: dict[str, float] = {}  # booking id -> when a tick was last sent
        # Parsed signals by booking, so a booking's signals are validated once.
        self._parsed: dict[str, tuple[str, SystemSignals]] = {}
        # Per signals partition: the newest timestamp and the next offset handled, to
        # tell "no signals came in time" from "signals are still queued" (see _may_give_up).
        self._signals_time: dict[int, float] = {}
        self._signals_next: dict[int, int] = {}

    # -------------------------------------------------------------- table writes
    def _put(self, table: Any, key: str, value: Any, partition: int) -> Output:
        """Write one entry; return its changelog record, to deliver before any output.

        The record is in faust's table format (JSON key and value; None deletes) and
        names its partition: ``table[key] = value`` would take the partition from
        faust's current event and send the record with no way to wait for it.
        """
        if value is None:
            table.data.pop(key, None)
        else:
            table.data[key] = value
        return Output(
            table.changelog_topic.get_topic_name(),
            json.dumps(key),
            None if value is None else json.dumps(value).encode(),
            partition=partition,
        )

    # -------------------------------------------------------------- handlers
    def on_message(self, source: Source) -> tuple[list[Output], list[Output]]:
        """Handle one message of signals or work.decide; return changelog records and
        outputs. Raises for a message that cannot be read (it is dead-lettered)."""
        self.rt.check_size(source)
        if source.topic == self.rt.names.signals:
            return self.on_signals(source)
        work = StageWork.parse(source.value, source.coordinates)
        if work.kind == "tick":
            bind_message(work.booking_id)
            return self._decide_pending(work.booking_id, source.partition)
        return self.on_work(work, source)

    def on_signals(self, source: Source) -> tuple[list[Output], list[Output]]:
        signals = SystemSignals.parse(source.value, source.coordinates)
        booking = signals.booking_id
        bind_message(booking, signals.cancellation_id)
        if source.key != booking:
            # The join relies on it: another key may put them on another partition.
            raise InputError(
                source.coordinates,
                f"signals must be keyed by booking id {booking!r}, not {source.key!r}",
            )
        partition = source.partition
        self._signals_next[partition] = max(self._signals_next.get(partition, 0), source.offset + 1)
        if source.timestamp:
            self._signals_time[partition] = max(
                self._signals_time.get(partition, 0.0), source.timestamp
            )
        futures: list[Output] = []
        current = self.signals.data.get(booking)
        observed = signals.observed_at.timestamp()
        if current is None or current["observed_at"] <= observed:
            text = source.value.decode()
            entry = {"json": text, "observed_at": observed, "stored_at": time.time()}
            self._parsed[booking] = (text, signals)
            futures.append(self._put(self.signals, booking, entry, source.partition))
        more, outputs = self._decide_pending(booking, source.partition)
        return futures + more, outputs

    def on_work(self, work: StageWork, source: Source) -> tuple[list[Output], list[Output]]:
        event, classification = work.event, work.classification
        if event is None or classification is None:
            raise InputError(source.coordinates, "decide needs the event and its classification")
        bind_message(event.booking_id, event.cancellation_id)
        done = self.decided.data.get(event.cancellation_id)
        if done is not None:
            # A redelivery (or a duplicate upstream): the recorded decision again.
            return [], [self._output(event, done["json"], source.coordinates)]
        signals = self._signals(event.booking_id)
        received = (work.received_at or source.received_at).timestamp()
        deadline = received + self.rt.options.join_wait_s
        if signals is None and not self._may_give_up(source.partition, deadline):
            waiting = dict(self.pending.data.get(event.booking_id) or {})
            waiting[event.cancellation_id] = {
                "work": source.value.decode(),
                "deadline": deadline,
                "source": source.coordinates,
            }
            return [self._put(self.pending, event.booking_id, waiting, source.partition)], []
        return self._decide(work, signals, source.partition, source.coordinates)

    # -------------------------------------------------------------- the wait
    def _may_give_up(self, partition: int, deadline: float, now: float | None = None) -> bool:
        """May a cancellation of this partition be decided without signals?

        Only once its wait is over *and* no signals that reached Kafka before the end
        of the wait can still be queued: signals and cancellations come on different
        topics, and after an outage, a rebalance or under a backlog the cancellation
        may be read long before its signals. Either a later signal of the partition
        has been handled (the partition's signals are read in order), or every
        signal of the partition the broker had has been handled.
        """
        if (now or time.time()) < deadline:
            return False
        if self._signals_time.get(partition, 0.0) >= deadline:
            return True
        tp = TP(self.rt.names.signals, partition)
        try:
            highwater = self.rt.app.consumer.highwater(tp)
        except Exception:  # not fetched yet
            return False
        if highwater is None or highwater < 0:
            return False
        # Where this worker started reading (faust's committed offset), or what it read.
        committed = getattr(self.rt.app.consumer, "_committed_offset", {}).get(tp) or 0
        return max(self._signals_next.get(partition, 0), committed) >= highwater

    # -------------------------------------------------------------- deciding
    def _signals(self, booking_id: str) -> SystemSignals | None:
        entry = self.signals.data.get(booking_id)
        if entry is None:
            return None
        cached = self._parsed.get(booking_id)
        if cached is not None and cached[0] == entry["json"]:
            return cached[1]
        signals = SystemSignals.model_validate_json(entry["json"])
        self._parsed[booking_id] = (entry["json"], signals)
        return signals

    def _decide_pending(self, booking_id: str, partition: int) -> tuple[list[Output], list[Output]]:
        """Decide the booking's waiting cancellations whose signals came or whose wait
        is over; leave the others waiting."""
        waiting = self.pending.data.get(booking_id)
        if not waiting:
            return [], []
        signals = self._signals(booking_id)
        now = time.time()
        futures: list[Output] = []
        outputs: list[Output] = []
        left = {}
        for cancellation_id, item in waiting.items():
            if signals is None and not self._may_give_up(partition, item["deadline"], now):
                left[cancellation_id] = item
                continue
            bind_message(booking_id, cancellation_id)
            coordinates = item.get("source") or f"{self.rt.names.work_decide}/{partition}/?"
            try:
                work = StageWork.model_validate_json(item["work"])
                more, outs = self._decide(work, signals, partition, coordinates)
            except Exception as exc:
                raw = str(item["work"]).encode()
                src = Source(self.rt.names.work_decide, partition, -1, booking_id, raw, None)
                more, outs = [], [self.rt.dead_letter(exc, src)]
            futures += more
            outputs += outs
        if len(left) != len(waiting):
            futures.append(self._put(self.pending, booking_id, left or None, partition))
            self._ticked.pop(booking_id, None)
        return futures, outputs

    def _decide(
        self, work: StageWork, signals: SystemSignals | None, partition: int, coordinates: str
    ) -> tuple[list[Output], list[Output]]:
        event, classification = work.event, work.classification
        assert event is not None and classification is not None
        with self.rt.metrics.timed():
            decision = self.stage.process(event, classification, signals)
        decision = decision.model_copy(
            update={"decision_id": decision_id_for(event.cancellation_id)}
        )
        text = decision.model_dump_json(by_alias=True)
        entry = {"json": text, "at": time.time()}
        future = self._put(self.decided, event.cancellation_id, entry, partition)
        self.rt.metrics.processed.labels(self.rt.stage).inc()
        if work.received_at is not None:
            self.rt.metrics.end_to_end.observe(time.time() - work.received_at.timestamp())
        log.info(
            "decided",
            extra={
                "responsible": decision.responsible,
                "rule_id": decision.rule_id,
                "with_signals": signals is not None,
            },
        )
        return [future], [self._output(event, text, coordinates)]

    def _output(self, event: CancellationEvent, text: str, coordinates: str) -> Output:
        headers = (
            (H_SOURCE, coordinates.encode()),
            (H_CANCELLATION, event.cancellation_id.encode()),
        )
        return Output(self.rt.names.decisions, event.booking_id, text.encode(), headers)

    # -------------------------------------------------------------- timers
    def _owned(self) -> set[int]:
        """Partitions of work.decide this worker holds now."""
        return {
            tp.partition
            for tp in self.rt.app.assignor.assigned_actives()
            if tp.topic == self.rt.names.work_decide
        }

    def send_ticks(self) -> None:
        """Ask the partition of every booking whose wait is over to decide it."""
        now = time.time()
        owned = self._owned()
        ticks = []
        for booking_id, waiting in list(self.pending.data.items()):
            if not waiting:
                continue
            deadline = min(i["deadline"] for i in waiting.values())
            if deadline > now or self._ticked.get(booking_id, 0) > now - 5.0:
                continue  # not due, or a tick is on its way (resent if it got lost)
            partition = _partition_of(waiting)
            if partition is None or partition not in owned:
                continue  # a stale entry of a partition another worker took over
            if not self._may_give_up(partition, deadline, now):
                continue  # its signals may still be queued: wait for them
            self._ticked[booking_id] = now
            tick = StageWork(kind="tick", booking_id=booking_id)
            out = Output(self.rt.names.work_decide, booking_id, dump(tick), partition=partition)
            ticks.append(out)
        self.rt.metrics.pending_joins.set(sum(len(w) for w in self.pending.data.values() if w))
        if ticks:
            # In the background: the timer must not wait for the broker.
            self.rt.spawn(self.rt.deliver(ticks))

    def expire(self) -> None:
        """Forget decisions past their retention and signals no cancellation came for.

        Only the in-memory entries go; the changelog keeps them until compaction, so a
        recovering worker loads them and expires them again. This bounds memory.
        """
        now = time.time()
        opts = self.rt.options
        for key, entry in list(self.decided.data.items()):
            if entry and entry.get("at", now) < now - opts.decided_retention_s:
                self.decided.data.pop(key, None)
        for key, entry in list(self.signals.data.items()):
            stale = entry and entry.get("stored_at", now) < now - opts.signals_ttl_s
            if stale and not self.pending.data.get(key):
                self.signals.data.pop(key, None)
                self._parsed.pop(key, None)


def _partition_of(waiting: dict[str, Any]) -> int | None:
    """The partition a pending entry came from ('<topic>/<partition>/<offset>')."""
    for item in waiting.values():
        parts = str(item.get("source", "")).rsplit("/", 2)
        if len(parts) == 3 and parts[1].isdigit():
            return int(parts[1])
    return None


def register_decide(rt: Runtime, stage: DecideStage) -> DecideJoin:
    join = DecideJoin(rt, stage)
    names = rt.names
    topic = rt.app.topic(
        names.work_decide,
        names.signals,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=rt.options.partitions,
    )

    @rt.app.agent(topic, name="decide")
    async def decide(stream: Any) -> None:
        # One agent for both topics: a booking's messages are handled one at a time,
        # in order, so the tables need no locks. The rule engine takes well under a
        # millisecond, so it runs on the loop. Batches amortise the broker round
        # trips: take_events acknowledges a batch after this body returns, i.e. after
        # the broker acknowledged its changelog records and then its outputs.
        batch, within = rt.options.decide_batch, rt.options.decide_within_s
        async for events in stream.take_events(batch, within):
            with rt.fatal_on_error():
                records: list[Output] = []
                outputs: list[Output] = []
                for event in events:
                    source = Source.of(event)
                    bind_message(source.key)
                    try:
                        more, outs = join.on_message(source)
                    except Exception as exc:
                        more, outs = [], [rt.dead_letter(exc, source)]
                    records += more
                    outputs += outs
                bind_message(None)
                await rt.deliver(records)  # recorded first,
                await rt.deliver(outputs)  # then produced

    @rt.app.timer(interval=rt.options.join_tick_s)
    async def ticks() -> None:
        join.send_ticks()

    @rt.app.timer(interval=60.0)
    async def expire() -> None:
        join.expire()

    return join


# --------------------------------------------------------------------------- persist


def _connection_problem(exc: BaseException) -> bool:
    """True for store errors that pass by themselves (server down, database locked)."""
    cause = exc.__cause__ or exc
    return isinstance(cause, OperationalError | InterfaceError | DisconnectionError)


def register_persist(rt: Runtime, store: Store) -> None:
    names = rt.names
    topic = rt.app.topic(
        names.decisions,
        names.transcripts,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=rt.options.partitions,
    )

    def save_transcripts(items: Sequence[Transcript]) -> None:
        for t in items:
            store.save_transcript(t)

    async def save(fn: Callable[[Any], Any], items: list[Any]) -> list[tuple[Any, Exception]]:
        """Store ``items`` in one call; on a data error, one by one. Return the failures.

        A connection problem is retried until it passes (the batch stays
        unacknowledged and the lag shows it), never dead-lettered.
        """
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            try:
                await loop.run_in_executor(rt.executor, fn, items)
                return []
            except StoreError as exc:
                rt.metrics.failed.labels(rt.stage, type(exc).__name__).inc()
                if not _connection_problem(exc):
                    error = exc
                    break
                attempt += 1
                delay = min(rt.options.retry_backoff_s * 2 ** min(attempt, 5), 30.0)
                log.warning("store unavailable (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
        if len(items) == 1:
            return [(items[0], error)]
        failures: list[tuple[Any, Exception]] = []
        for item in items:
            failures += await save(fn, [item])
        return failures

    async def store_batch(events: Sequence[Any]) -> None:
        decisions: dict[str, tuple[Decision, Source]] = {}
        transcripts: dict[str, tuple[Transcript, Source]] = {}
        dead: list[Output] = []
        for event in events:
            source = Source.of(event)
            try:
                rt.check_size(source)
                if source.topic == names.decisions:
                    d = Decision.parse(source.value, source.coordinates)
                    decisions.setdefault(d.cancellation_id, (d, source))
                else:
                    t = Transcript.parse(source.value, source.coordinates)
                    transcripts.setdefault(t.cancellation_id, (t, source))
            except Exception as exc:
                dead.append(rt.dead_letter(exc, source))
        by_source = {id(m): s for m, s in [*decisions.values(), *transcripts.values()]}
        failures = []
        if decisions:
            failures += await save(store.save_decisions, [d for d, _ in decisions.values()])
        if transcripts:
            failures += await save(save_transcripts, [t for t, _ in transcripts.values()])
        for item, problem in failures:
            dead.append(rt.dead_letter(problem, by_source[id(item)]))
        rt.metrics.processed.labels(rt.stage).inc(len(events) - len(dead))
        if dead:
            await rt.deliver(dead)

    @rt.app.agent(topic, name="persist")
    async def persist(stream: Any) -> None:
        # take_events acknowledges the batch after this body returns, i.e. after the
        # rows are committed to the store and any dead letters are on the broker.
        batch, within = rt.options.persist_batch, rt.options.persist_within_s
        async for events in stream.take_events(batch, within):
            with rt.fatal_on_error(), rt.metrics.timed():
                await store_batch(events)
