"""Messages are frozen, versioned, validated at the boundary, and their schemas never drift."""

from __future__ import annotations

import json
from pathlib import Path

import pydantic
import pytest

from referee.errors import InputError, SchemaVersionError
from referee.messages import ALL_MESSAGES, CancellationEvent, Classification, Decision
from referee.schemas import write_schemas
from referee.settings import PROJECT_ROOT

EVENT = {
    "cancellation_id": "c-1",
    "booking_id": "b-1",
    "cancelled_by": "customer",
    "slot_start": "2026-03-14T10:00:00+05:30",
    "cancelled_at": "2026-03-14T09:20:00+05:30",
}


def test_minutes_before_slot_is_derived_when_absent() -> None:
    event = CancellationEvent.parse(json.dumps(EVENT))
    assert event.minutes_before_slot == 40


def test_messages_are_frozen() -> None:
    event = CancellationEvent.parse(EVENT)
    with pytest.raises(pydantic.ValidationError):
        event.booking_id = "other"  # type: ignore[misc]


def test_every_message_has_a_version_and_topic() -> None:
    for model in ALL_MESSAGES:
        assert model.SCHEMA_VERSION >= 1 and model.TOPIC, model


def test_unknown_schema_version_is_its_own_error() -> None:
    with pytest.raises(SchemaVersionError, match="schema_version 99"):
        CancellationEvent.parse({**EVENT, "schema_version": 99}, source="topic cancellations")


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"{not json", "not a valid CancellationEvent"),
        (json.dumps({**EVENT, "cancelled_by": "dog"}), "cancelled_by"),
        (json.dumps({k: v for k, v in EVENT.items() if k != "booking_id"}), "booking_id"),
        (json.dumps({**EVENT, "surprise": 1}), "surprise"),
    ],
)
def test_malformed_payloads_name_the_field(payload: bytes | str, words: str) -> None:
    with pytest.raises(InputError) as info:
        CancellationEvent.parse(payload, source="partition 3 offset 17")
    assert words in str(info.value) and "partition 3 offset 17" in str(info.value)


def test_decision_round_trips_through_json() -> None:
    d = Decision(
        cancellation_id="c",
        booking_id="b",
        responsible="customer",
        penalty=True,
        reason="r",
        rule_id="12",
        rule_table_version="abc",
        scenario="cust_not_available",
    )
    assert Decision.parse(d.model_dump_json()) == d


CLASSIFICATION = {
    "cancellation_id": "c",
    "booking_id": "b",
    "scenario": "unclear",
    "classifier": "llm",
}


def test_classification_from_before_flags_still_parses() -> None:
    # A field added with a default: version 1 messages written without it stay valid.
    old = Classification.parse(json.dumps({**CLASSIFICATION, "schema_version": 1}))
    assert old.flags == () and Classification.SCHEMA_VERSION == 1


def test_flags_round_trip_and_are_machine_readable() -> None:
    flags = ["injection_suspected:chat[0]", "quotes_unverified:2/3", "trimmed"]
    c = Classification.parse({**CLASSIFICATION, "flags": flags})
    assert c.flags == tuple(flags)
    assert Classification.parse(c.model_dump_json()) == c
    for bad in ("Injection suspected", "trimmed:", "injection_suspected:the second line"):
        with pytest.raises(InputError, match="flags"):
            Classification.parse({**CLASSIFICATION, "flags": [bad]})


def test_committed_schemas_match_the_models(tmp_path: Path) -> None:
    drift = write_schemas(PROJECT_ROOT / "schemas", check=True)
    assert drift == [], f"run `referee schemas`: {drift}"


def test_schema_check_detects_drift(tmp_path: Path) -> None:
    write_schemas(tmp_path)
    victim = next(tmp_path.glob("decision.*.json"))
    victim.write_text(victim.read_text().replace('"penalty"', '"fine"'))
    assert write_schemas(tmp_path, check=True) == [victim.name]
