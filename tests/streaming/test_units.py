"""The streaming layer's pieces that need no broker: options, envelope, the test-only
classifier, decision ids, dead letters, JSON logs, metrics."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from referee.errors import InputError, SchemaVersionError, StageError, TransientStageError
from referee.messages import CancellationEvent, DeadLetter, Transcript
from referee.settings import Settings
from workers.agents import decision_id_for
from workers.classifiers import SuppliedScenarioClassifier
from workers.envelope import StageWork
from workers.observability import JsonFormatter, StageMetrics, bind_message, set_stage
from workers.options import StreamOptions
from workers.runtime import Runtime, Source, build_app
from workers.topics import TopicNames, group_id


def _event(**kw: object) -> CancellationEvent:
    base: dict[str, object] = {
        "cancellation_id": "c1",
        "booking_id": "b1",
        "cancelled_by": "customer",
        "reason_selected": "scenario:pro_no_show",
    }
    return CancellationEvent.model_validate({**base, **kw})


def test_options_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STREAM__PARTITIONS", "12")
    monkeypatch.setenv("STREAM__JOIN_WAIT_S", "7.5")
    monkeypatch.setenv("TOPIC_PREFIX", "prod.")
    settings = Settings()
    assert settings.stream.partitions == 12
    assert settings.stream.join_wait_s == 7.5
    names = TopicNames.from_settings(settings)
    assert names.cancellations == "prod.cancellations"
    assert names.dead_letters == "prod.dead-letters"
    assert len(set(names.all())) == 8
    assert group_id(settings, "decide") == "referee-decide"


def test_every_option_is_documented() -> None:
    for name, field in StreamOptions.model_fields.items():
        assert field.description, name


def test_stage_work_is_validated_at_the_boundary() -> None:
    event = _event()
    work = StageWork(booking_id="b1", event=event)
    assert StageWork.parse(work.model_dump_json()).event == event
    with pytest.raises(InputError):
        StageWork.parse(b'{"kind": "work", "booking_id": "b1"}')  # no event
    with pytest.raises(InputError):
        StageWork.parse(
            StageWork(booking_id="b1", event=event)
            .model_dump_json()
            .replace('"booking_id":"b1","event"', '"booking_id":"other","event"')
        )
    with pytest.raises(SchemaVersionError):
        StageWork.parse(json.dumps({"schema_version": 9, "kind": "tick", "booking_id": "b"}))
    assert StageWork.parse(b'{"kind": "tick", "booking_id": "b1"}').event is None


def test_supplied_classifier_reads_the_event() -> None:
    classifier = SuppliedScenarioClassifier()
    transcript = Transcript(cancellation_id="c1", booking_id="b1")
    assert classifier.classify(_event(), transcript).scenario == "pro_no_show"
    unclear = classifier.classify(_event(reason_selected="no show"), transcript)
    assert (unclear.scenario, unclear.error) == ("unclear", "the event supplies no scenario")
    with pytest.raises(TransientStageError):
        classifier.classify(_event(reason_selected="scenario:!transient"), transcript)
    with pytest.raises(StageError):
        classifier.classify(_event(reason_selected="scenario:!fail"), transcript)
    slow = classifier.classify(
        _event(reason_selected="scenario:!slow:0.01:platform_issue"), transcript
    )
    assert slow.scenario == "platform_issue"


def test_decision_ids_depend_only_on_the_cancellation() -> None:
    assert decision_id_for("c1") == decision_id_for("c1")
    assert decision_id_for("c1") != decision_id_for("c2")
    assert len(decision_id_for("c1")) == 32


def test_dead_letter_keeps_error_stage_attempts_and_a_cut_payload(tmp_path: Path) -> None:
    settings = Settings(stream=StreamOptions(dead_letter_payload_bytes=300, metrics_port=0))
    rt = Runtime(settings, "classify", build_app(settings, "classify"), StageMetrics("classify"))
    source = Source("referee.work.classify", 3, 41, "b1", b"x" * 1000, None)
    from workers.runtime import StageFailed

    out = rt.dead_letter(StageFailed(TransientStageError("model timed out"), 3), source)
    letter = DeadLetter.parse(out.value or b"")
    assert (letter.stage, letter.attempts, letter.error_type) == (
        "classify",
        3,
        "TransientStageError",
    )
    assert letter.error == "model timed out"
    assert letter.source_topic == "referee.work.classify" and letter.key == "b1"
    assert len(letter.payload) == 300
    assert dict(out.headers)["referee-source"] == b"referee.work.classify/3/41"
    assert out.topic == "referee.dead-letters" and out.key == "b1"

    big = Source("referee.cancellations", 0, 1, "b1", b"y" * 2_000_000, None)
    with pytest.raises(InputError, match="exceeds STREAM__MAX_MESSAGE_BYTES"):
        rt.check_size(big)


def test_json_logs_name_the_booking_and_cancellation() -> None:
    record = logging.LogRecord(
        "workers.test", logging.INFO, __file__, 1, "decided %s", ("x",), None
    )
    record.rule_id = "7"
    set_stage("decide")
    bind_message("b9", "c9")
    try:
        doc = json.loads(JsonFormatter().format(record))
    finally:
        bind_message(None)
    assert doc["msg"] == "decided x"
    assert (doc["stage"], doc["booking_id"], doc["cancellation_id"]) == ("decide", "b9", "c9")
    assert doc["rule_id"] == "7" and doc["level"] == "INFO"


def test_metrics_per_stage() -> None:
    from prometheus_client import generate_latest

    metrics = StageMetrics("decide")
    metrics.processed.labels("decide").inc(3)
    metrics.dead_lettered.labels("decide").inc()
    metrics.failed.labels("decide", "InputError").inc()
    with metrics.timed():
        pass
    metrics.lag.labels("referee-decide", "referee.work.decide", "0").set(5)
    text = generate_latest(metrics.registry).decode()
    assert 'referee_stage_processed_total{stage="decide"} 3.0' in text
    assert 'referee_stage_dead_lettered_total{stage="decide"} 1.0' in text
    assert 'referee_stage_latency_seconds_count{stage="decide"} 1.0' in text
    assert (
        'referee_consumer_lag{group="referee-decide",partition="0",topic="referee.work.decide"} 5.0'
        in text
    )
