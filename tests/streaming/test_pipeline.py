"""End to end on a real broker: events in, decisions out, bad inputs dead-lettered.

``referee worker all`` runs the four stages as processes with the test-only
``supplied`` classifier. Every event sent is accounted for: a decision or a dead
letter, never both, never two different decisions.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.request

import pytest

from tests.streaming.harness import Deployment, cancellation, encode, signals

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def _free_port_block(n: int) -> int:
    """A port p such that p..p+n-1 looked free just now."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n >= 65535:
            continue
        try:
            for i in range(1, n):
                with socket.socket() as t:
                    t.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            continue
    raise RuntimeError("no free port block")


def test_events_become_decisions_and_bad_inputs_dead_letters(deployment: Deployment) -> None:
    dep = deployment
    dep.env["STREAM__MAX_MESSAGE_BYTES"] = "20000"
    dep.env["STREAM__DEAD_LETTER_PAYLOAD_BYTES"] = "4096"
    metrics_base = _free_port_block(4)
    dep.start("all", via_cli=True, wait_s=120, metrics_port=metrics_base)

    on_time = [(f"c-on-{i}", f"b-on-{i}") for i in range(10)]
    late = [(f"c-late-{i}", f"b-late-{i}") for i in range(5)]
    never = [(f"c-none-{i}", f"b-none-{i}") for i in range(5)]

    # Signals first for the on-time group, then all cancellations.
    dep.send(("signals", b, encode(signals(b, attempts=3))) for _, b in on_time)
    dep.send(
        ("cancellations", b, encode(cancellation(c, b, scenario="pro_no_show")))
        for c, b in [*on_time, *late, *never]
    )

    bad: list[tuple[str, str | None, bytes]] = [
        ("cancellations", "b-bad-json", b'{"cancellation_id": "c-bad-json", '),
        (
            "cancellations",
            "b-bad-version",
            encode({**cancellation("c-bad-version", "b-bad-version"), "schema_version": 99}),
        ),
        (
            "cancellations",
            "b-bad-field",
            encode({"cancellation_id": "c-bad-field", "booking_id": "b-bad-field"}),
        ),
        (
            "cancellations",
            "b-big",
            encode(
                cancellation("c-big", "b-big", chat=[{"from": "customer", "text": "x" * 30_000}])
            ),
        ),
        ("cancellations", "b-fail", encode(cancellation("c-fail", "b-fail", scenario="!fail"))),
        (
            "cancellations",
            "b-transient",
            encode(cancellation("c-transient", "b-transient", scenario="!transient")),
        ),
        ("signals", "not-the-booking", encode(signals("b-wrong-key"))),
        ("signals", "b-bad-signals", b"[1, 2, 3]"),
    ]
    dep.send(bad)
    time.sleep(1.0)
    # Late signals: after the cancellations, within the 3 s join wait.
    dep.send(("signals", b, encode(signals(b, attempts=5))) for _, b in late)

    valid = {c for c, _ in [*on_time, *late, *never]}
    tally = dep.wait_for(
        lambda t: len(t.decisions) >= len(valid) and len(t.dead) >= len(bad),
        timeout_s=60,
        what="20 decisions and 8 dead letters",
    )
    time.sleep(1.0)  # anything extra (a second decision) would show up now
    tally = dep.tally()

    assert set(tally.decisions) == valid
    assert not tally.duplicates()
    assert len(tally.dead) == len(bad), sorted(tally.dead)
    assert not set(tally.decisions) & {k.removeprefix("cid:") for k in tally.dead}

    # The join: on-time and late ones saw their signals, the others were decided without.
    for c, _ in on_time:
        assert tally.decisions[c][0]["signals"]["pro_call_attempts"] == 3
    for c, _ in late:
        assert tally.decisions[c][0]["signals"]["pro_call_attempts"] == 5
    for c, _ in never:
        decision = tally.decisions[c][0]
        assert decision["signals"]["pro_call_attempts"] is None
        assert "no system signals" in decision["reason"]

    letters = {d["error_type"]: d for d in tally.dead.values()}
    transient = tally.dead["cid:c-transient"]
    assert (transient["stage"], transient["attempts"]) == ("classify", 3)
    assert transient["error_type"] == "TransientStageError"
    assert tally.dead["cid:c-fail"]["stage"] == "classify"
    assert "SchemaVersionError" in letters
    oversized = [
        d for d in tally.dead.values() if "exceeds STREAM__MAX_MESSAGE_BYTES" in d["error"]
    ]
    assert len(oversized) == 1 and len(oversized[0]["payload"]) <= 4096
    assert oversized[0]["source_topic"] == dep.topic("cancellations")
    signals_topic = dep.topic("signals")
    signal_letters = [d for d in tally.dead.values() if d["source_topic"] == signals_topic]
    assert len(signal_letters) == 2
    assert all(d["stage"] == "decide" for d in signal_letters)

    # Persist stored each decision once, the same one that went out on the topic.
    deadline = time.monotonic() + 20
    while len(dep.stored_decisions()) < len(valid) and time.monotonic() < deadline:
        time.sleep(0.5)
    stored = dep.stored_decisions()
    assert stored == {c: docs[0]["decision_id"] for c, docs in tally.decisions.items()}

    # The same cancellation again (a retry upstream): the same decision, nothing new.
    c0, b0 = on_time[0]
    dep.send([("cancellations", b0, encode(cancellation(c0, b0, scenario="cust_changed_mind")))])
    again = dep.wait_for(lambda t: len(t.decisions[c0]) >= 2, timeout_s=30, what="the repeat")
    assert {d["decision_id"] for d in again.decisions[c0]} == {stored[c0]}
    assert {d["scenario"] for d in again.decisions[c0]} == {"pro_no_show"}
    assert dep.stored_decisions() == stored

    # Observability: per-stage metrics and the lag gauge; JSON logs name the ids.
    url = f"http://127.0.0.1:{metrics_base + 2}/metrics"  # decide: the third stage
    deadline = time.monotonic() + 15  # the lag gauge is refreshed every 5 s
    text = urllib.request.urlopen(url).read().decode()
    while "referee_consumer_lag{" not in text and time.monotonic() < deadline:
        time.sleep(0.5)
        text = urllib.request.urlopen(url).read().decode()
    processed = [
        line for line in text.splitlines() if line.startswith("referee_stage_processed_total")
    ]
    assert processed and float(processed[0].split()[-1]) >= len(valid), processed
    assert "referee_stage_dead_lettered_total" in text
    assert "referee_stage_latency_seconds_bucket" in text
    assert "referee_consumer_lag{" in text
    decided_lines = [
        json.loads(line) for line in dep.workers[0].log().splitlines() if '"msg": "decided"' in line
    ]
    assert {line["cancellation_id"] for line in decided_lines} >= valid
    assert all(line["booking_id"] for line in decided_lines)
