"""The store on SQLite and PostgreSQL: migrations, idempotent decisions, challenges."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from referee.errors import InputError
from referee.messages import Challenge, Classification, Decision, Transcript
from referee.rules import load_rule_table
from referee.scenarios import Catalogue
from referee.settings import PROJECT_ROOT
from referee.store import ClassificationRow, Store
from referee.store.db import MIGRATIONS


def decision(
    cancellation_id: str, responsible: str = "customer", flags: tuple[str, ...] = ()
) -> Decision:
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
            flags=flags,
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


def test_duplicates_within_a_batch_keep_the_first(store_url: str) -> None:
    store = Store(store_url)
    first, second = decision("d", "customer"), decision("d", "professional")
    assert store.save_decisions([first, second, decision("e")]) == {"d", "e"}
    stored = store.get_decision("d")
    assert stored is not None and stored.decision_id == first.decision_id
    assert store.save_decisions([second]) == set()
    assert store.count_decisions() == 2


def test_classification_flags_are_stored(store_url: str) -> None:
    store = Store(store_url)
    flags = ("injection_suspected:call[1]", "trimmed")
    store.save_decisions([decision("f1", flags=flags), decision("f2")])
    with store.session() as s:
        rows = {r.cancellation_id: r for r in s.scalars(select(ClassificationRow))}
    assert rows["f1"].flags == "injection_suspected:call[1] trimmed"
    assert rows["f1"].payload["flags"] == list(flags)
    assert rows["f2"].flags is None
    stored = store.get_decision("f1")
    assert stored is not None and stored.classification is not None
    assert stored.classification.flags == flags


def test_migration_adds_the_flags_column_to_an_older_store(store_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    old = Store(store_url, migrate=False)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with old.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with old.engine.begin() as conn:
        assert "flags" not in {c["name"] for c in inspect(conn).get_columns("classifications")}
    old.close()
    store = Store(store_url)
    store.save_decisions([decision("m", flags=("trimmed",))])
    with store.session() as s:
        assert s.scalars(select(ClassificationRow.flags)).one() == "trimmed"


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
