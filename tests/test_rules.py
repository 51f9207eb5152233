"""The default rule table reproduces the SOP, the engine agrees with it, and bad tables are
rejected with file, row and column."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from referee.errors import RuleTableError, ScenarioCatalogueError
from referee.rules import RuleEngine, load_rule_table, parse_rule_table
from referee.scenarios import Catalogue, load_catalogue
from referee.settings import PROJECT_ROOT

DEFAULT = PROJECT_ROOT / "rules" / "default.csv"


def sop(facts: dict) -> tuple[str, bool]:
    """sop.md, written out independently of the table, as the oracle for the table."""
    s = facts["scenario"]
    avail, dist = facts["location_available"], facts["min_distance_m"]
    minutes, calls = facts["minutes_before_slot"], facts["pro_call_attempts"]
    reached = avail is True and dist is not None and dist <= 300
    far = avail is True and dist is not None and dist > 1000
    late = minutes is not None and minutes < 180
    if s == "unclear":
        return "undetermined", False
    if s == "pro_medical_emergency":
        return "professional", False
    if s == "cust_medical_emergency":
        return "customer", False
    if s in ("service_out_of_scope", "platform_issue", "external_disruption"):
        return "platform", False
    if s == "pro_no_show":
        return ("undetermined", False) if reached else ("professional", True)
    if s.startswith("pro_"):
        return "professional", True
    if s in ("cust_entry_denied", "cust_unsafe_environment"):
        if reached:
            return "customer", True
        if far:
            return "professional", True
        return "undetermined", False
    if s == "cust_not_available":
        if minutes is not None and minutes >= 60:
            return "customer", late
        if reached:
            return "customer", True
        if far:
            return "professional", True
        if avail is False and calls is not None and calls >= 2:
            return "customer", True
        return "undetermined", False
    assert s.startswith("cust_")
    # LATE cannot be told without minutes_before_slot; the table then applies the penalty.
    return "customer", late or minutes is None


def grid(catalogue: Catalogue):
    locations = [
        (None, None),
        (False, None),
        (True, 0),
        (True, 300),
        (True, 301),
        (True, 1000),
        (True, 1000.5),
        (True, 5000),
    ]
    for scenario, (avail, dist), minutes, calls, by in itertools.product(
        catalogue.ids,
        locations,
        [None, -30, 0, 59, 60, 179, 180, 600],
        [None, 0, 1, 2, 5],
        ["customer", "professional", "system"],
    ):
        yield {
            "scenario": scenario,
            "cancelled_by": by,
            "minutes_before_slot": minutes,
            "location_available": avail,
            "min_distance_m": dist,
            "pro_call_attempts": calls,
        }


def test_default_table_reproduces_the_sop_on_every_boundary(catalogue: Catalogue) -> None:
    table = load_rule_table(DEFAULT, catalogue)
    engine = RuleEngine(table, catalogue)
    checked = 0
    for facts in grid(catalogue):
        match = engine.evaluate(facts)
        assert match is not None, facts
        assert (match.rule.responsible, match.rule.penalty) == sop(facts), (facts, match.rule)
        # durable-rules and the plain reading of the table must pick the same row.
        assert table.first_match(facts) == match.rule
        checked += 1
    assert checked > 10_000


def test_decision_reason_names_scenario_signals_and_row(catalogue: Catalogue) -> None:
    engine = RuleEngine(load_rule_table(DEFAULT, catalogue), catalogue)
    facts = {
        "scenario": "cust_not_available",
        "cancelled_by": "professional",
        "minutes_before_slot": -10,
        "location_available": True,
        "min_distance_m": 4200,
        "pro_call_attempts": 1,
    }
    match = engine.evaluate(facts)
    assert match is not None
    assert match.rule.rule_id == "13"
    assert "cust_not_available" in match.reason and "4200 m" in match.reason
    no_location = engine.evaluate(
        {**facts, "scenario": "pro_no_show", "location_available": False, "min_distance_m": None}
    )
    assert no_location is not None and "(closest unknown)" in no_location.reason


def test_version_is_a_content_hash(catalogue: Catalogue, tmp_path: Path) -> None:
    a = load_rule_table(DEFAULT, catalogue)
    copy = tmp_path / "t.csv"
    copy.write_bytes(DEFAULT.read_bytes().replace(b"a person reviews it", b"a person checks it"))
    b = load_rule_table(copy, catalogue)
    assert a.version != b.version and len(a.version) == 16


HEADER = (
    "rule,scenario,cancelled_by,minutes_before_slot,location_available,min_distance_m,"
    "pro_call_attempts,responsible,penalty,reason\n"
)
CATCH_ALL = "z,*,,,,,,undetermined,false,catch all\n"


def load(text: str, catalogue: Catalogue):
    return parse_rule_table(text.encode(), catalogue, source="bad.csv")


@pytest.mark.parametrize(
    ("table", "row", "column", "words"),
    [
        (
            HEADER + "1,pro_runing_late,,,,,,professional,true,x\n" + CATCH_ALL,
            2,
            "scenario",
            "unknown scenario id 'pro_runing_late'",
        ),
        (
            HEADER.replace("penalty,", "penalty,colour,") + "1,*,,,,,,professional,true,red,x\n",
            1,
            "colour",
            "unknown column",
        ),
        (
            HEADER + "1,pro_no_show,,,,<= three hundred,,professional,true,x\n" + CATCH_ALL,
            2,
            "min_distance_m",
            "cannot read condition",
        ),
        (
            HEADER + "1,pro_no_show,,,maybe,,,professional,true,x\n" + CATCH_ALL,
            2,
            "location_available",
            "expected true, false",
        ),
        (
            HEADER + "1,*,teacher,,,,,professional,true,x\n" + CATCH_ALL,
            2,
            "cancelled_by",
            "unknown value",
        ),
        (
            HEADER
            + "1,pro_*,,,,,,professional,true,x\n"
            + "2,pro_no_show,,,true,<= 300,,undetermined,false,x\n"
            + CATCH_ALL,
            3,
            "scenario",
            "can never match",
        ),
        (HEADER + "1,pro_*,,,,,,professional,true,x\n", None, None, "no catch-all"),
        (HEADER + "1,*,,,,,,blame,true,x\n", 2, "responsible", "responsible must be one of"),
        (HEADER + "1,*,,,,,,customer,sometimes,x\n", 2, "penalty", "penalty must be true or false"),
        (HEADER + "1,*,,,,,,customer,true,{distance} away\n", 2, "reason", "unknown placeholder"),
        (HEADER + "1,*,,,,customer,true,x\n", 2, None, "cells"),
        (
            HEADER + "1,pro_*,,,,,,professional,true,x\n1,*,,,,,,customer,true,x\n",
            3,
            "rule",
            "already used",
        ),
    ],
    ids=[
        "unknown-scenario",
        "unknown-column",
        "unparsable-number",
        "unparsable-bool",
        "unknown-enum",
        "unreachable-row",
        "no-catch-all",
        "bad-responsible",
        "bad-penalty",
        "bad-placeholder",
        "short-row",
        "duplicate-id",
    ],
)
def test_loader_rejects_mistakes_naming_file_row_and_column(
    catalogue: Catalogue, table: str, row: int | None, column: str | None, words: str
) -> None:
    with pytest.raises(RuleTableError) as info:
        load(table, catalogue)
    err = info.value
    assert err.path == "bad.csv"
    assert err.row == row
    assert err.column == column
    assert words in str(err)
    assert str(err).startswith("bad.csv")


def test_unreachable_check_considers_each_scenario(catalogue: Catalogue) -> None:
    # Row 2 is covered for pro_no_show by row 1, but not for the other pro_* ids: reachable.
    table = load(
        HEADER
        + "1,pro_no_show,,,,,,professional,true,x\n2,pro_*,,,,,,professional,true,x\n"
        + CATCH_ALL,
        catalogue,
    )
    assert [r.rule_id for r in table.rules] == ["1", "2", "z"]


def test_missing_file_is_named(catalogue: Catalogue, tmp_path: Path) -> None:
    with pytest.raises(RuleTableError, match="file not found"):
        load_rule_table(tmp_path / "nope.csv", catalogue)


def test_catalogue_rejects_an_unknown_key_naming_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "scenarios.yaml"
    path.write_text(
        "scenarios:\n"
        "  - id: unclear\n    side: neutral\n    description: Nobody can tell.\n"
        "  - id: pro_no_show\n    side: professional\n    descripton: Never came.\n"
    )
    with pytest.raises(ScenarioCatalogueError, match="unknown key") as info:
        load_catalogue(path)
    assert info.value.row == 2 and info.value.column == "descripton"
