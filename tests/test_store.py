"""The store on SQLite and PostgreSQL: migrations, idempotent decisions, challenges."""

from __future__ import annotations

import pytest

from referee.errors import InputError
from referee.messages import Challenge, Classification, Decision, Transcript
from referee.rules import load_rule_table
from referee.scenarios import Catalogue
from referee.settings import PROJECT_ROOT
from referee.store import Store


def decision(cancellation_id: str, responsible: str = "customer") -> Decision:
    return Decision(
        cancellation_id=cancellation_id,
        booking_id="b-" + cancellation_id,
        responsible=responsible,  # type: ignore[arg-type]
        penalty=True,
        reason="because",
        rule_id="12",
        rule_table_version="v1",
        scenario="cust_not_available",
        classification=Classification(
            cancellation_id=cancellation_id,
            booking_id="b-" + cancellation_id,
            scenario="cust_not_available",
            classifier="test",
        ),
    )


def test_same_cancellation_never_gets_a_second_decision(store_url: str) -> None:
    store = Store(store_url)
    first, created = store.save_decision(decision("c1", "customer"))
    assert created
    again, created_again = store.save_decision(decision("c1", "professional"))
    assert not created_again
    assert again.decision_id == first.decision_id and again.responsible == "customer"
    assert store.count_decisions() == 1


def test_batch_insert_reports_only_new_ones(store_url: str) -> None:
    store = Store(store_url)
    store.save_decision(decision("a"))
    new = store.save_decisions([decision("a"), decision("b"), decision("c")])
    assert new == {"b", "c"}
    assert store.count_decisions() == 3


def test_migrations_are_idempotent_and_tables_exist(store_url: str, catalogue: Catalogue) -> None:
    Store(store_url)
    store = Store(store_url)  # second run of the migrations is a no-op
    store.record_rule_table(load_rule_table(PROJECT_ROOT / "rules" / "default.csv", catalogue))
    store.save_transcript(Transcript(cancellation_id="t", booking_id="b", status="none"))
    store.save_transcript(Transcript(cancellation_id="t", booking_id="b", status="none"))


def test_challenge_lifecycle(store_url: str) -> None:
    store = Store(store_url)
    store.save_decision(decision("c9"))
    ch = store.raise_challenge(
        Challenge(cancellation_id="c9", raised_by="pro-77", reason="I was there")
    )
    assert [c.challenge_id for c in store.challenges("open")] == [ch.challenge_id]
    done = store.resolve_challenge(
        ch.challenge_id,
        status="overturned",
        resolution="GPS shows 20 m",
        resolved_by="auditor-1",
        corrected_responsible="customer",
    )
    assert done.status == "overturned" and done.resolved_at is not None
    with pytest.raises(InputError, match="already overturned"):
        store.resolve_challenge(ch.challenge_id, status="upheld", resolution="x", resolved_by="y")
    with pytest.raises(InputError, match="no decision"):
        store.raise_challenge(Challenge(cancellation_id="nope", raised_by="x", reason="y"))
