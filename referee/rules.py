"""The rule table: an SME-edited CSV, validated on load and compiled into a durable-rules ruleset.

Format (one row per rule, first matching row wins; see ``rules/README.md``):

* ``rule``: a short unique id, quoted in every decision.
* ``scenario``: scenario ids separated by ``|``; ``pro_*`` / ``cust_*`` stand for
  every catalogue id with that prefix; ``*`` for all.
* signal columns (:data:`SIGNAL_COLUMNS`): blank (or ``-``) means any value,
  including a missing signal. Numbers take one comparison (``<= 300``,
  ``> 1000``, ``>= 60``, ``< 180``, ``= 2``); yes/no signals take ``true`` or
  ``false``; ``cancelled_by`` takes names separated by ``|``; ``missing``
  matches only a signal the backend did not send.
* ``responsible``: customer, professional, platform or undetermined.
* ``penalty``: true or false.
* ``reason``: a sentence template; ``{placeholders}`` are filled from the facts.
* ``note``: free text for people, ignored by the engine.

The format knows nothing about the engine; :class:`RuleEngine` compiles it into
durable-rules, one rule per row with the row's position as its priority, so
the first matching row consumes the fact.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import string
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from referee.errors import RuleTableError
from referee.scenarios import Catalogue

RESPONSIBLE = ("customer", "professional", "platform", "undetermined")

#: Signal columns the table may test, and their kind.
SIGNAL_COLUMNS: dict[str, str] = {
    "cancelled_by": "enum",
    "minutes_before_slot": "number",
    "location_available": "bool",
    "min_distance_m": "number",
    "pro_call_attempts": "number",
}
ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "cancelled_by": ("customer", "professional", "system"),
}
REQUIRED_COLUMNS = ("rule", "scenario", "responsible", "penalty", "reason")
OPTIONAL_COLUMNS = ("note",)
#: Placeholders a reason template may use.
REASON_FIELDS = frozenset({"rule", "scenario", *SIGNAL_COLUMNS, "scenario_description"})

_ANY = {"", "-", "*", "any"}
_CMP = re.compile(r"^(<=|>=|<|>|==|=)(-?\d+(?:\.\d+)?)$")
_INF = float("inf")


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class Cell:
    """One parsed condition cell. ``kind`` is any, missing, interval or set."""

    kind: str
    lo: float = -_INF
    lo_incl: bool = False
    hi: float = _INF
    hi_incl: bool = False
    values: frozenset[Any] = frozenset()
    text: str = ""

    def covers(self, other: Cell) -> bool:
        """True when every value (or absence) ``other`` matches, ``self`` matches too."""
        if self.kind == "any":
            return True
        if other.kind == "any":
            return False
        if self.kind == "missing" or other.kind == "missing":
            return self.kind == other.kind
        if self.kind == "set" and other.kind == "set":
            return other.values <= self.values
        if self.kind == "interval" and other.kind == "interval":
            lo_ok = self.lo < other.lo or (
                self.lo == other.lo and (self.lo_incl or not other.lo_incl)
            )
            hi_ok = self.hi > other.hi or (
                self.hi == other.hi and (self.hi_incl or not other.hi_incl)
            )
            return lo_ok and hi_ok
        return False

    def matches(self, value: Any) -> bool:
        """Pure-Python reading of the cell (RuleTable.first_match, the engine's reference)."""
        if self.kind == "any":
            return True
        if self.kind == "missing":
            return value is None
        if value is None:
            return False
        if self.kind == "set":
            return value in self.values
        lo_ok = value > self.lo or (self.lo_incl and value == self.lo)
        hi_ok = value < self.hi or (self.hi_incl and value == self.hi)
        return bool(lo_ok and hi_ok)


ANY = Cell("any")


def _parse_cell(column: str, raw: str) -> Cell:
    """Parse a condition cell; raises ValueError with a message for the SME."""
    text = raw.strip()
    low = text.lower()
    if low in _ANY:
        return ANY
    if low == "missing":
        return Cell("missing", text=text)
    kind = SIGNAL_COLUMNS[column]
    if kind == "bool":
        if low in ("true", "yes"):
            return Cell("set", values=frozenset({True}), text=text)
        if low in ("false", "no"):
            return Cell("set", values=frozenset({False}), text=text)
        raise ValueError(f"expected true, false, missing or blank, got {text!r}")
    if kind == "enum":
        allowed = ENUM_VALUES[column]
        vals = [v.strip().lower() for v in text.split("|")]
        bad = [v for v in vals if v not in allowed]
        if bad:
            raise ValueError(f"unknown value(s) {bad}; allowed: {', '.join(allowed)}")
        return Cell("set", values=frozenset(vals), text=text)
    m = _CMP.match(text.replace(" ", ""))
    if not m:
        raise ValueError(
            f"cannot read condition {text!r}: write one comparison like '<= 300', '> 1000', "
            "'= 2', or 'missing', or leave it blank"
        )
    op, num = m.group(1), float(m.group(2))
    if op == "<=":
        return Cell("interval", hi=num, hi_incl=True, text=text)
    if op == "<":
        return Cell("interval", hi=num, text=text)
    if op == ">=":
        return Cell("interval", lo=num, lo_incl=True, text=text)
    if op == ">":
        return Cell("interval", lo=num, text=text)
    return Cell("interval", lo=num, lo_incl=True, hi=num, hi_incl=True, text=text)


# --------------------------------------------------------------------------- rows, table


@dataclass(frozen=True)
class Rule:
    """One row of the table."""

    rule_id: str
    line: int  # spreadsheet row number (the header is row 1)
    scenarios: frozenset[str]
    conditions: dict[str, Cell]
    responsible: str
    penalty: bool
    reason: str
    note: str = ""

    def matches(self, facts: dict[str, Any]) -> bool:
        if facts.get("scenario") not in self.scenarios:
            return False
        return all(cell.matches(facts.get(col)) for col, cell in self.conditions.items())


@dataclass(frozen=True)
class RuleTable:
    path: str
    version: str  # sha256 of the file's bytes, first 16 hex digits
    rules: tuple[Rule, ...]

    def first_match(self, facts: dict[str, Any]) -> Rule | None:
        """Reference evaluation in plain Python (the engine uses durable-rules)."""
        return next((r for r in self.rules if r.matches(facts)), None)


def load_rule_table(path: str | Path, catalogue: Catalogue) -> RuleTable:
    """Load, validate and return the table; every mistake names file, row and column."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise RuleTableError(str(path), "file not found") from exc
    return parse_rule_table(data, catalogue, source=str(path))


def parse_rule_table(data: bytes, catalogue: Catalogue, source: str = "<table>") -> RuleTable:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleTableError(source, f"not UTF-8 text ({exc.reason})") from exc
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise RuleTableError(source, "the table is empty") from exc
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS) | set(SIGNAL_COLUMNS)
    for col in header:
        if col not in known:
            raise RuleTableError(
                source,
                f"unknown column {col!r}; known columns: {', '.join(sorted(known))}",
                row=1,
                column=col,
            )
    for col in REQUIRED_COLUMNS:
        if col not in header:
            raise RuleTableError(source, f"missing required column {col!r}", row=1)
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise RuleTableError(source, "column appears twice", row=1, column=dup)

    rules: list[Rule] = []
    ids: dict[str, int] = {}
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue  # blank spreadsheet rows are harmless
        if len(values) != len(header):
            raise RuleTableError(
                source, f"has {len(values)} cells, the header has {len(header)}", row=line
            )
        cells = dict(zip(header, values, strict=True))
        rules.append(_parse_row(cells, line, catalogue, source, ids))
    if not rules:
        raise RuleTableError(source, "the table has no rules")
    table = RuleTable(
        path=source,
        version=hashlib.sha256(data).hexdigest()[:16],
        rules=tuple(rules),
    )
    _check_reachable(table, source)
    _check_catch_all(table, catalogue, source)
    return table


def _parse_row(
    cells: dict[str, str], line: int, catalogue: Catalogue, source: str, ids: dict[str, int]
) -> Rule:
    rule_id = cells["rule"].strip()
    if not rule_id:
        raise RuleTableError(source, "rule id is empty", row=line, column="rule")
    if rule_id in ids:
        raise RuleTableError(
            source,
            f"rule id {rule_id!r} already used on row {ids[rule_id]}",
            row=line,
            column="rule",
        )
    ids[rule_id] = line
    scenarios = _parse_scenarios(cells["scenario"], catalogue, source, line)
    conditions: dict[str, Cell] = {}
    for col in SIGNAL_COLUMNS:
        if col in cells:
            try:
                cell = _parse_cell(col, cells[col])
            except ValueError as exc:
                raise RuleTableError(source, str(exc), row=line, column=col) from exc
            if cell.kind != "any":
                conditions[col] = cell
    responsible = cells["responsible"].strip().lower()
    if responsible not in RESPONSIBLE:
        raise RuleTableError(
            source,
            f"responsible must be one of {', '.join(RESPONSIBLE)}, not {cells['responsible']!r}",
            row=line,
            column="responsible",
        )
    penalty_text = cells["penalty"].strip().lower()
    if penalty_text not in ("true", "false", "yes", "no"):
        raise RuleTableError(
            source,
            f"penalty must be true or false, not {cells['penalty']!r}",
            row=line,
            column="penalty",
        )
    reason = cells["reason"].strip()
    if not reason:
        raise RuleTableError(source, "reason is empty", row=line, column="reason")
    try:
        placeholders = {f for _, f, _, _ in string.Formatter().parse(reason) if f is not None}
    except ValueError as exc:
        raise RuleTableError(
            source, f"reason template is broken: {exc}", row=line, column="reason"
        ) from exc
    unknown = placeholders - REASON_FIELDS
    if unknown:
        raise RuleTableError(
            source,
            f"reason uses unknown placeholder(s) {sorted(unknown)}; "
            f"known: {', '.join(sorted(REASON_FIELDS))}",
            row=line,
            column="reason",
        )
    return Rule(
        rule_id=rule_id,
        line=line,
        scenarios=scenarios,
        conditions=conditions,
        responsible=responsible,
        penalty=penalty_text in ("true", "yes"),
        reason=reason,
        note=cells.get("note", "").strip(),
    )


def _parse_scenarios(raw: str, catalogue: Catalogue, source: str, line: int) -> frozenset[str]:
    items = [p.strip() for p in raw.replace(",", "|").split("|") if p.strip()]
    if not items:
        raise RuleTableError(
            source, "scenario is empty (write * for every scenario)", row=line, column="scenario"
        )
    out: set[str] = set()
    for item in items:
        if item.endswith("*"):
            prefix = item[:-1]
            matched = {sid for sid in catalogue.ids if sid.startswith(prefix)}
            if not matched:
                raise RuleTableError(
                    source, f"pattern {item!r} matches no scenario", row=line, column="scenario"
                )
            out |= matched
        elif item in catalogue:
            out.add(item)
        else:
            close = [sid for sid in catalogue.ids if _similar(item, sid)]
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise RuleTableError(
                source,
                f"unknown scenario id {item!r} (not in {catalogue.path}){hint}",
                row=line,
                column="scenario",
            )
    return frozenset(out)


def _similar(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio() > 0.8


def _check_reachable(table: RuleTable, source: str) -> None:
    """A row can never match if, for each of its scenarios, one earlier row covers it."""
    for i, later in enumerate(table.rules):
        blockers: dict[str, str] = {}
        for scenario in later.scenarios:
            for earlier in table.rules[:i]:
                if scenario in earlier.scenarios and all(
                    earlier.conditions.get(col, ANY).covers(later.conditions.get(col, ANY))
                    for col in SIGNAL_COLUMNS
                ):
                    blockers[scenario] = earlier.rule_id
                    break
        if len(blockers) == len(later.scenarios):
            by = sorted(set(blockers.values()))
            raise RuleTableError(
                source,
                f"rule {later.rule_id!r} can never match: earlier rule(s) "
                f"{', '.join(repr(b) for b in by)} already match every case it would",
                row=later.line,
                column="scenario",
            )


def _check_catch_all(table: RuleTable, catalogue: Catalogue, source: str) -> None:
    """Every scenario needs a row with no signal conditions, so no case falls through."""
    uncaught = [
        sid
        for sid in catalogue.ids
        if not any(sid in r.scenarios and not r.conditions for r in table.rules)
    ]
    if uncaught:
        raise RuleTableError(
            source,
            "no catch-all: add a row with blank signal conditions for scenario(s) "
            f"{', '.join(uncaught)} (or one row with scenario *), so every case matches a row",
        )


# --------------------------------------------------------------------------- engine


@dataclass(frozen=True)
class RuleMatch:
    rule: Rule
    table_version: str
    reason: str


class RuleEngine:
    """Evaluates facts against a rule table compiled into a durable-rules ruleset."""

    _lock = threading.RLock()
    # table version -> ruleset name; durable-rules rulesets are process-global
    _compiled: ClassVar[dict[str, str]] = {}
    _counter = itertools.count()

    def __init__(self, table: RuleTable, catalogue: Catalogue) -> None:
        self.table = table
        self.catalogue = catalogue
        self._by_id = {r.rule_id: r for r in table.rules}
        self._ruleset = self._compile(table)

    @classmethod
    def _compile(cls, table: RuleTable) -> str:
        from durable import lang  # imported here: the C extension is only needed to decide

        with cls._lock:
            if table.version in cls._compiled:
                return cls._compiled[table.version]
            name = f"referee_{table.version}"
            with lang.ruleset(name):
                for priority, rule in enumerate(table.rules, start=1):
                    lang.when_all(lang.pri(priority), _condition(rule))(_action(rule.rule_id))
            cls._compiled[table.version] = name
            return name

    def evaluate(self, facts: dict[str, Any]) -> RuleMatch | None:
        """Post the facts as one event; the highest-priority matching row consumes it."""
        from durable import lang

        # One durable-rules session for every evaluation: the action writes the matched
        # row into _MATCHES under the event's id. (Creating and deleting a session per
        # event made the engine intermittently drop events, error 307.)
        event_id = f"e{next(self._counter)}"
        event = {k: v for k, v in facts.items() if v is not None}
        event["id"] = event_id
        try:
            with self._lock:
                lang.post(self._ruleset, event)
        finally:
            rule_id = _MATCHES.pop(event_id, None)  # also when post raised: no leftovers
        if rule_id is None:
            return None
        rule = self._by_id[rule_id]
        return RuleMatch(
            rule=rule, table_version=self.table.version, reason=self.render(rule, facts)
        )

    def render(self, rule: Rule, facts: dict[str, Any]) -> str:
        values: dict[str, Any] = {col: _show(facts.get(col)) for col in SIGNAL_COLUMNS}
        if facts.get("min_distance_m") is not None:
            # The unit goes with the number, so a missing distance reads "unknown", not "unknown m".
            values["min_distance_m"] += " m"
        scenario = facts.get("scenario", "")
        values["scenario"] = scenario
        values["rule"] = rule.rule_id
        values["scenario_description"] = (
            self.catalogue.get(scenario).description if scenario in self.catalogue else ""
        )
        return rule.reason.format(**values)


def _show(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Matched row per in-flight event id, written by the compiled actions.
_MATCHES: dict[str, str] = {}


def _action(rule_id: str) -> Any:
    def act(c: Any) -> None:
        _MATCHES[c.m.id] = rule_id

    act.__name__ = f"rule_{re.sub(r'[^A-Za-z0-9_]', '_', rule_id)}"
    return act


def _condition(rule: Rule) -> Any:
    from durable.lang import m

    expr = None
    for sid in sorted(rule.scenarios):
        term = m.scenario == sid
        expr = term if expr is None else (expr | term)
    for col, cell in rule.conditions.items():
        expr = expr & _cell_expr(getattr(m, col), cell)
    return expr


def _cell_expr(field_ref: Any, cell: Cell) -> Any:
    if cell.kind == "missing":
        return -field_ref
    if cell.kind == "set":
        expr = None
        for v in sorted(cell.values, key=str):
            term = field_ref == v
            expr = term if expr is None else (expr | term)
        return expr
    expr = None
    if cell.lo > -_INF:
        expr = (field_ref >= cell.lo) if cell.lo_incl else (field_ref > cell.lo)
    if cell.hi < _INF:
        term = (field_ref <= cell.hi) if cell.hi_incl else (field_ref < cell.hi)
        expr = term if expr is None else (expr & term)
    return expr
