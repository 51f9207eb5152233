"""What every agent shares: the faust app with an idempotent producer, delivery that
acknowledges a message only after its outputs are on the broker, retries, and
dead letters.

The delivery contract, for every stage:

1. a message is handled (parsed, passed to the stage object);
2. its outputs -- or a dead letter -- are produced and the broker has acknowledged
   them (acks=all, idempotent producer), decide's table changelog first;
3. only then is the message acknowledged to faust, which commits contiguous
   acknowledged offsets. A crash anywhere before 3 redelivers the message.

Blocking stage code runs in a thread pool: faust's consumer runs in its own
thread, so heartbeats and polls go on while speech recognition takes minutes.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import faust
from aiokafka.errors import KafkaError, MessageSizeTooLargeError
from faust.transport.consumer import ensure_TP
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP

from referee.errors import InputError, StageError
from referee.messages import DeadLetter
from referee.settings import Settings
from workers.observability import StageMetrics, bind_message, logging_config
from workers.options import StreamOptions
from workers.topics import TopicNames, bootstrap_servers, group_id

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Header names the workers add to what they produce.
H_SOURCE = "referee-source"  # "<topic>/<partition>/<offset>" of the message it came from
H_CANCELLATION = "referee-cancellation-id"
H_STAGE = "referee-stage"


# --------------------------------------------------------------------------- faust plumbing


class IdempotentProducer(faust_aiokafka.Producer):
    """faust's aiokafka producer with acks=all and idempotence always on.

    faust only turns idempotence on for exactly-once processing; we want it for
    at-least-once too, so a producer retry after a lost ack never duplicates.
    """

    def _settings_extra(self) -> dict[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


class CommittedSeekConsumer(faust_aiokafka.Consumer):
    """faust's aiokafka consumer, fixed so that rebalances under load lose no message.

    After a rebalance faust drops the messages it had buffered and seeks each
    partition to its committed offset to read them again. Where that went wrong
    (found with tests/streaming/test_faults.py, two workers starting on a backlog):

    * aiokafka only seeks partitions whose committed offset is above 0, so on a
      partition nothing was committed for yet the dropped messages were not read
      again: such partitions are sought to the earliest offset here;
    * a fetched batch interrupted by a rebalance was dropped without a seek back
      (``getmany``);
    * faust took the resulting holes for offset gaps to skip (``_add_gap``), and
      committed one past an unacknowledged offset (``_new_offset``): lost messages.

    What remains is a hole that is read again after a while (``heal_holes``), and
    re-reads: duplicates, which every stage tolerates.
    """

    async def seek_to_committed(self) -> Mapping[TP, int]:
        committed = await super().seek_to_committed()
        if self.app.conf.consumer_auto_offset_reset != "earliest":
            return committed
        unseeked = [
            ensure_TP(tp)
            for tp, offset in committed.items()
            if not offset and not tp.topic.endswith(_INTERNAL_SUFFIXES)
        ]
        if unseeked:
            earliest = await self.earliest_offsets(*unseeked)
            for tp in unseeked:
                await self._seek(tp, earliest.get(tp) or 0)
        return committed

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Any]]:
        """faust's getmany, seeking back when it stops handing out a fetched batch.

        faust stops mid-batch when a rebalance begins (flow stopped, generation
        changed); the rest of the batch is gone, but the fetch position is already
        past it. faust seeks back only if the flow was stopped *before* the batch.
        Here it also seeks back (to the committed offsets) after stopping mid-batch.
        """
        records, active_partitions = await self._wait_next_records(timeout)
        generation_id = self.app.consumer_generation_id
        if records is None or self.should_stop:
            return
        if not self.flow_active:
            await self._seek_back()
            return
        to_message = self._to_message
        for tp, record in self.scheduler.iterate(records):
            if not self.flow_active or self.app.consumer_generation_id != generation_id:
                await self._seek_back()
                return
            if (
                active_partitions is None
                or tp in active_partitions
                or tp in self._buffered_partitions
            ):
                self.app.monitor.track_tp_end_offset(tp, self.highwater(tp))
                yield tp, to_message(tp, record)

    async def _seek_back(self) -> None:
        try:
            await self.perform_seek()
        except Exception as exc:  # e.g. partitions moving away; the next rebalance seeks
            log.warning("seek to committed offsets failed: %s", exc)

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """faust counts offsets it did not see between two messages as done, for the
        control records of transactional producers. During a rebalance it also "sees"
        gaps over messages it dropped from its buffers, and would commit past them:
        lost messages. So gaps are not skipped unless STREAM__SKIP_OFFSET_GAPS says
        the input really has them."""
        if getattr(self.app, "skip_offset_gaps", False):
            await super()._add_gap(tp, offset_from, offset_to)
        else:
            log.info("offset gap %s..%s on %s: not skipped", offset_from, offset_to - 1, tp)

    def _new_offset(self, tp: TP) -> int | None:
        """The offset to commit: the end of the acknowledged run that starts at the
        committed offset. faust's own version lets the run start one past it, so a
        message handed out but never acknowledged right at the committed offset was
        committed over: lost. (With STREAM__SKIP_OFFSET_GAPS, faust's version.)"""
        if getattr(self.app, "skip_offset_gaps", False):
            return cast(int | None, super()._new_offset(tp))
        acked = self._acked[tp]
        if not acked:
            return None
        acked.sort()
        committed = self._committed_offset[tp]
        if committed is not None and acked[0] != committed:
            return None  # the message at the committed offset is not done yet
        run = 1
        while run < len(acked) and acked[run] == acked[run - 1] + 1:
            run += 1
        done = acked[:run]
        del acked[:run]
        self._acked_index[tp].difference_update(done)
        return done[-1] + 1

    async def heal_holes(self, after_s: float) -> None:
        """Read again what a rebalance left behind.

        A partition whose committed offset has not been handed to the agent (it is
        neither acknowledged nor in flight) while later offsets were, for
        ``after_s`` seconds, is sought back to it. The fixes above close the races
        known; this is the net under them. What follows the committed offsets is
        read again too (handled twice, which every stage tolerates).
        """
        if getattr(self.app, "rebalancing", False) or not self.flow_active:
            return  # faust is moving partitions; it seeks them itself
        now = time.monotonic()
        holes: dict[TP, tuple[int, float]] = self.__dict__.setdefault("_holes", {})
        due = []
        in_flight = {(m.tp, m.offset) for m in list(self._unacked_messages)}
        for tp in list(self.assignment()):
            committed = self._committed_offset.get(tp)
            acked = self._acked_index.get(tp)
            if (
                tp.topic.endswith(_INTERNAL_SUFFIXES)
                or committed is None
                or not acked
                or committed in acked
                or (tp, committed) in in_flight
            ):
                holes.pop(tp, None)
                continue
            since = holes.get(tp)
            if since is None or since[0] != committed:
                holes[tp] = (committed, now)
            elif now - since[1] >= after_s:
                log.warning("offset %s of %s was never handled; reading it again", committed, tp)
                holes.pop(tp, None)
                due.append(tp)
        if due:
            # The way faust moves the fetch position safely: stop the flow, wait for
            # the fetch in progress, seek every partition back to its committed offset
            # (the hole's is at it: commits never pass it), resume.
            self.stop_flow()
            try:
                await self.wait_for_stopped_flow()
                await self.perform_seek()
            finally:
                self.resume_flow()


#: faust's own topics: table changelogs (read by recovery) and the assignor's.
_INTERNAL_SUFFIXES = ("-changelog", "__assignor-__leader")


class IdempotentTransport(faust_aiokafka.Transport):
    Consumer = CommittedSeekConsumer
    Producer = IdempotentProducer


class RefereeApp(faust.App):
    """A faust App with :class:`IdempotentProducer` and :class:`CommittedSeekConsumer`."""

    #: See CommittedSeekConsumer._add_gap (set from STREAM__SKIP_OFFSET_GAPS).
    skip_offset_gaps: bool = False

    def _new_transport(self) -> Any:
        return IdempotentTransport(self.conf.broker_consumer, self)

    def _new_producer_transport(self) -> Any:
        return IdempotentTransport(self.conf.broker_producer, self)


def build_app(settings: Settings, stage: str) -> RefereeApp:
    """The faust app of one stage; its id is the stage's consumer group."""
    opts = settings.stream
    # Room for the envelope and headers around a payload of max_message_bytes.
    frame = opts.max_message_bytes + 65_536
    app_id = group_id(settings, stage)
    # faust wants a data directory even for in-memory tables; keep it out of the cwd.
    datadir = settings.cache_dir / "workers" / app_id
    datadir.mkdir(parents=True, exist_ok=True)
    app = RefereeApp(
        app_id,
        datadir=str(datadir),
        broker=[f"kafka://{s}" for s in bootstrap_servers(settings)],
        # Tables live in memory and are rebuilt from their changelog topics when a
        # worker starts; decide writes them directly (see DecideJoin._put).
        store="memory://",
        web_enabled=False,
        processing_guarantee="at_least_once",
        topic_partitions=opts.partitions,
        topic_replication_factor=opts.replication,
        producer_acks=-1,
        producer_linger_ms=opts.producer_linger_ms,
        producer_max_request_size=frame,
        producer_request_timeout=opts.request_timeout_s,
        consumer_max_fetch_size=max(frame, 1 << 20),
        consumer_auto_offset_reset=opts.auto_offset_reset,
        broker_max_poll_interval=opts.max_poll_interval_s,
        broker_session_timeout=opts.session_timeout_s,
        broker_heartbeat_interval=opts.heartbeat_interval_s,
        broker_request_timeout=opts.request_timeout_s,
        broker_commit_interval=opts.commit_interval_s,
        stream_recovery_delay=0.0,
        worker_redirect_stdouts=False,
        logging_config=logging_config(opts.log_format, opts.log_level),
    )
    app.skip_offset_gaps = opts.skip_offset_gaps
    return app


def raw_topic(app: faust.App, name: str, partitions: int) -> Any:
    """A topic of raw bytes: we validate payloads ourselves, so a bad one becomes a
    dead letter instead of a faust decode error that skips it."""
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=partitions,
    )


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class Source:
    """Where a consumed message came from, and its raw bytes."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    timestamp: float | None

    @classmethod
    def of(cls, event: Any) -> Source:
        msg = event.message
        key = msg.key
        if isinstance(key, bytes):
            key = key.decode("utf-8", "replace")
        value = msg.value if isinstance(msg.value, bytes) else bytes(msg.value or b"")
        return cls(msg.topic, msg.partition, msg.offset, key, value, msg.timestamp)

    @property
    def coordinates(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"

    @property
    def received_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp or time.time(), UTC)


@dataclass(frozen=True)
class Output:
    """One message to produce, keyed by booking id; to the key's partition unless one
    is named (the work topics, table changelog records). A None value is a tombstone."""

    topic: str
    key: str | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()
    partition: int | None = None


class StageFailed(StageError):
    """A stage gave up on a message after ``attempts`` tries; ``cause`` says why."""

    def __init__(self, cause: BaseException, attempts: int) -> None:
        self.cause = cause
        self.attempts = attempts
        super().__init__(f"{type(cause).__name__}: {cause}")


class OutputTooLarge(StageError):
    """An output would exceed the broker's (or our) message size limit."""


# --------------------------------------------------------------------------- runtime


@dataclass
class Runtime:
    """One worker process: settings, the app, its topics, metrics and delivery."""

    settings: Settings
    stage: str
    app: RefereeApp
    metrics: StageMetrics
    names: TopicNames = field(init=False)
    options: StreamOptions = field(init=False)
    executor: ThreadPoolExecutor = field(init=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.names = TopicNames.from_settings(self.settings)
        self.options = self.settings.stream
        threads = max(self.options.transcribe_concurrency, self.options.classify_concurrency, 2)
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=self.stage)

    def topic(self, name: str) -> Any:
        return raw_topic(self.app, name, self.options.partitions)

    # ------------------------------------------------------------ calling stage code
    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking stage code in the thread pool; retry retryable errors with backoff.

        Raises :class:`StageFailed` with the attempt count when it gives up.
        """
        loop = asyncio.get_running_loop()
        attempt = 1
        while True:
            ctx = contextvars.copy_context()  # the log lines of the thread name the ids
            try:
                return await loop.run_in_executor(self.executor, ctx.run, fn, *args)
            except Exception as exc:
                self.metrics.failed.labels(self.stage, type(exc).__name__).inc()
                if getattr(exc, "retryable", False) and attempt < self.options.max_attempts:
                    delay = self.options.retry_backoff_s * 2 ** (attempt - 1)
                    log.warning(
                        "attempt %s failed (%s: %s); retrying in %.1fs",
                        attempt,
                        type(exc).__name__,
                        exc,
                        delay,
                    )
                    await asyncio.sleep(delay)
                    attempt += 1
                    continue
                raise StageFailed(exc, attempt) from exc

    # ------------------------------------------------------------ dead letters
    def dead_letter(self, exc: BaseException, source: Source, stage: str | None = None) -> Output:
        """The dead letter for a message a stage could not take, with error and attempts."""
        cause, attempts = exc, 1
        if isinstance(exc, StageFailed):
            cause, attempts = exc.cause, exc.attempts
        elif isinstance(exc, InputError):
            self.metrics.failed.labels(stage or self.stage, type(exc).__name__).inc()
        limit = self.options.dead_letter_payload_bytes
        payload = source.value[:limit].decode("utf-8", "replace")
        letter = DeadLetter(
            stage=stage or self.stage,
            error=str(cause)[:4000],
            error_type=type(cause).__name__,
            attempts=attempts,
            source_topic=source.topic,
            key=source.key,
            payload=payload,
        )
        self.metrics.dead_lettered.labels(stage or self.stage).inc()
        log.warning(
            "dead-lettered %s after %s attempt(s): %s: %s",
            source.coordinates,
            attempts,
            type(cause).__name__,
            cause,
        )
        return Output(
            self.names.dead_letters,
            source.key,
            letter.model_dump_json().encode(),
            headers=((H_SOURCE, source.coordinates.encode()), (H_STAGE, letter.stage.encode())),
        )

    def check_size(self, source: Source) -> None:
        if len(source.value) > self.options.max_message_bytes:
            raise InputError(
                source.coordinates,
                f"message of {len(source.value)} bytes exceeds STREAM__MAX_MESSAGE_BYTES="
                f"{self.options.max_message_bytes}",
            )

    # ------------------------------------------------------------ delivery
    async def deliver(self, outputs: Sequence[Output], source: Source | None = None) -> None:
        """Produce ``outputs`` and wait until the broker acknowledged every one.

        Broker trouble (leader moves, a restart) is retried until it passes: the
        message stays unacknowledged meanwhile, so nothing is lost and lag shows it.
        An output too large for the broker is replaced by a dead letter.
        """
        pending = list(outputs)
        attempt = 0
        while pending:
            attempt += 1
            futures: list[tuple[Output, Awaitable[Any]]] = []
            failed: list[Output] = []
            for out in pending:
                try:
                    fut = await self.app.producer.send(
                        out.topic,
                        out.key.encode() if out.key is not None else None,
                        out.value,
                        out.partition,
                        None,
                        list(out.headers),
                    )
                    futures.append((out, fut))
                except MessageSizeTooLargeError as exc:
                    failed.append(self._too_large(out, exc, source))
                except KafkaError as exc:
                    log.warning("produce to %s failed (%s); will retry", out.topic, exc)
                    failed.append(out)
            for out, fut in futures:
                try:
                    await fut
                except MessageSizeTooLargeError as exc:
                    failed.append(self._too_large(out, exc, source))
                except KafkaError as exc:
                    log.warning("produce to %s not acknowledged (%s); will retry", out.topic, exc)
                    failed.append(out)
            pending = failed
            if pending:
                await asyncio.sleep(min(0.25 * 2 ** min(attempt, 7), 30.0))

    def _too_large(self, out: Output, exc: Exception, source: Source | None) -> Output:
        if out.topic == self.names.dead_letters or source is None:
            # A dead letter is cut to dead_letter_payload_bytes, so this means a
            # misconfiguration; drop it loudly rather than loop for ever.
            log.error("output to %s is too large even as a dead letter; dropped", out.topic)
            return Output(self.names.dead_letters, out.key, b"{}")
        return self.dead_letter(OutputTooLarge(f"output to {out.topic}: {exc}"), source)

    def spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        self.metrics.inflight.labels(self.stage).set(len(self._tasks))
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.metrics.inflight.labels(self.stage).set(len(self._tasks))
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            # Delivery itself failed (not the stage: that became a dead letter). The
            # message is unacknowledged; stop the worker so it is redelivered.
            log.critical("delivery failed; stopping the worker", exc_info=exc)
            self.spawn(self.app.crash(exc))

    @contextmanager
    def fatal_on_error(self) -> Iterator[None]:
        """Around an agent's batch: an error that escapes the per-message handling is a
        bug or a broken delivery; stop the worker (to be restarted), which leaves the
        batch unacknowledged and so redelivered, instead of letting faust restart the
        agent past it."""
        try:
            yield
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.critical("unexpected error in the %s agent; stopping", self.stage, exc_info=exc)
            self.spawn(self.app.crash(exc))
            raise

    # ------------------------------------------------------------ handling a message
    async def handle(
        self,
        stream: Any,
        event: Any,
        work: Callable[[Source], Awaitable[list[Output]]],
        gate: asyncio.Semaphore,
    ) -> None:
        """Run one message through ``work`` in the background (at most ``gate`` at once);
        whatever it raises becomes a dead letter. Then deliver and acknowledge."""
        await gate.acquire()
        source = Source.of(event)

        async def run() -> None:
            bind_message(source.key)
            try:
                with self.metrics.timed():
                    try:
                        self.check_size(source)
                        outputs = await work(source)
                        self.metrics.processed.labels(self.stage).inc()
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:
                        outputs = [self.dead_letter(exc, source)]
                await self.deliver(outputs, source)
                await stream.ack(event)
            finally:
                gate.release()

        self.spawn(run())


def headers_for(source: Source, cancellation_id: str | None) -> tuple[tuple[str, bytes], ...]:
    out = [(H_SOURCE, source.coordinates.encode())]
    if cancellation_id:
        out.append((H_CANCELLATION, cancellation_id.encode()))
    return tuple(out)
