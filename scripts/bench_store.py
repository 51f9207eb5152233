"""Decisions stored per second: multi-row INSERT ... VALUES against executemany, side by side.

``Store.save_decisions`` used to build one ``INSERT ... VALUES (...), (...)
ON CONFLICT DO NOTHING`` per batch (a new statement with a bind parameter per
cell, compiled every time); it now executes one cached statement with a list of
row dicts, which SQLAlchemy sends in pages ("insertmanyvalues"). This stores
the same decisions (with their classifications) both ways, and through the
Store itself, on SQLite and, when reachable, on PostgreSQL, each into a fresh
database, then stores them all again (every row a conflict) to time the
idempotent path. Figures are the best of ``--repeat`` runs (a shared machine).

    .venv/bin/python scripts/bench_store.py [--rows 5000] [--batch 500] [--postgres URL]

PostgreSQL: ``--postgres``, else ``REFEREE_TEST_POSTGRES_URL``, else the URL
``scripts/postgres.sh start`` prints; skipped when none answers.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from referee.messages import Classification, Decision, Evidence, Usage, utcnow
from referee.store import ClassificationRow, DecisionRow, Store
from referee.store.db import _classification_row, _decision_row

DEFAULT_PG = "postgresql://referee:referee@127.0.0.1:55432/referee"


def make_decisions(n: int) -> list[Decision]:
    """Decisions shaped like the decide stage's: signals, a classification with evidence."""
    now = utcnow()
    out = []
    for i in range(n):
        cid = f"bench-{i:07d}"
        classification = Classification(
            cancellation_id=cid,
            booking_id=f"b-{i}",
            scenario="pro_running_late",
            reason="The professional said they would be two hours late and the customer cancelled.",
            evidence=(
                Evidence(
                    speaker="professional",
                    quote="Traffic mein hoon, do ghante lagenge.",
                    start=17.0,
                    verified=True,
                ),
            ),
            confidence=0.82,
            classifier="llm",
            model="gemma-3-270m-it",
            prompt_version="abc123",
            usage=Usage(model_calls=1, prompt_tokens=900, completion_tokens=60),
            seconds=1.7,
        )
        out.append(
            Decision(
                cancellation_id=cid,
                booking_id=f"b-{i}",
                responsible="professional",
                penalty=True,
                reason="pro_running_late: the professional was 4200 m away 12 minutes before "
                "the slot [rule 31, table 0123abcd]",
                rule_id="31",
                rule_table_version="0123abcd",
                scenario="pro_running_late",
                signals={
                    "scenario": "pro_running_late",
                    "cancelled_by": "customer",
                    "minutes_before_slot": 12.0,
                    "location_available": True,
                    "min_distance_m": 4200.0,
                    "pro_call_attempts": 2,
                },
                classification=classification,
                decided_at=now + timedelta(milliseconds=i),
            )
        )
    return out


def save_multirow_values(store: Store, decisions: Sequence[Decision]) -> set[str]:
    """The former ``Store.save_decisions``: one multi-row VALUES statement per table and batch."""
    insert = store._insert()
    rows = [_classification_row(d.classification) for d in decisions if d.classification]
    stmt = (
        insert(ClassificationRow)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["cancellation_id"])
    )
    with store.engine.begin() as conn:
        conn.execute(stmt)
    stmt = (
        insert(DecisionRow)
        .values([_decision_row(d) for d in decisions])
        .on_conflict_do_nothing(index_elements=["cancellation_id"])
        .returning(DecisionRow.cancellation_id)
    )
    with store.engine.begin() as conn:
        return {r[0] for r in conn.execute(stmt)}


def save_executemany(store: Store, decisions: Sequence[Decision]) -> set[str]:
    """The new ``Store.save_decisions``, spelled out: one cached statement, a list of rows."""
    insert = store._insert()
    classifications = [_classification_row(d.classification) for d in decisions if d.classification]
    rows = [_decision_row(d) for d in decisions]
    ignore = {"index_elements": ["cancellation_id"]}
    with store.engine.begin() as conn:
        conn.execute(insert(ClassificationRow).on_conflict_do_nothing(**ignore), classifications)
        result = conn.execute(
            insert(DecisionRow)
            .on_conflict_do_nothing(**ignore)
            .returning(DecisionRow.cancellation_id),
            rows,
        )
        return {r[0] for r in result}


APPROACHES: dict[str, Callable[[Store, Sequence[Decision]], set[str]]] = {
    "multi-row VALUES (before)": save_multirow_values,
    "executemany (after)": save_executemany,
    "Store.save_decisions (now)": Store.save_decisions,
}


def run(
    store: Store, save: Callable[..., set[str]], decisions: list[Decision], batch: int
) -> list[float]:
    """Rows per second storing every decision new, then every one again (all conflicts)."""
    batches = [decisions[i : i + batch] for i in range(0, len(decisions), batch)]
    rates = []
    for expect_new in (True, False):  # first everything new, then everything a duplicate
        stored = 0
        started = time.perf_counter()
        for b in batches:
            stored += len(save(store, b))
        seconds = time.perf_counter() - started
        want = len(decisions) if expect_new else 0
        if stored != want:
            raise SystemExit(f"{save.__name__}: reported {stored} new rows, expected {want}")
        rates.append(len(decisions) / seconds)
    if store.count_decisions() != len(decisions):
        raise SystemExit(f"{save.__name__}: the table does not hold {len(decisions)} rows")
    return rates


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"


def postgres_reachable(url: str) -> bool:
    engine = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://"), connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


@contextmanager
def postgres_db(base: str) -> Iterator[str]:
    """A throwaway database on the server of ``base``, dropped afterwards."""
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=500, help="decisions per call (persist)")
    parser.add_argument("--postgres", default=None, help="server URL (a database is created)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is shown")
    args = parser.parse_args()
    decisions = make_decisions(args.rows)
    backends: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [("SQLite", sqlite_url)]
    pg = args.postgres or os.environ.get("REFEREE_TEST_POSTGRES_URL") or DEFAULT_PG
    if postgres_reachable(pg):
        backends.append(("PostgreSQL", lambda: postgres_db(pg)))
    else:
        print(f"PostgreSQL not reachable at {pg}: skipped (scripts/postgres.sh start)")
    print(f"{args.rows} decisions with their classifications, batches of {args.batch}")
    print(f"{'backend':<11} {'approach':<28} {'new rows':>11}  {'duplicates':>11}")
    for backend, make_url in backends:
        for label, save in APPROACHES.items():
            best = [0.0, 0.0]
            for _ in range(args.repeat):
                with make_url() as url:
                    store = Store(url)
                    try:
                        rates = run(store, save, decisions, args.batch)
                    finally:
                        store.close()
                best = [max(b, r) for b, r in zip(best, rates, strict=True)]
            print(f"{backend:<11} {label:<28} {best[0]:9,.0f}/s  {best[1]:9,.0f}/s")


if __name__ == "__main__":
    main()
