"""Decide stage: a classification joined with the booking's system signals, through the rule table.

The rule table (``rules/default.csv``) is data; this stage turns the inputs
into the table's facts, asks the durable-rules engine for the first matching
row and writes the decision with a reason sentence that names the scenario,
the signals used, the row and the table version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from referee.cases import Case, CaseLabel
from referee.messages import CancellationEvent, Classification, Decision, SystemSignals
from referee.rules import RuleEngine, RuleTable, load_rule_table
from referee.scenarios import Catalogue, load_catalogue


def facts_for(
    event: CancellationEvent, signals: SystemSignals | None, scenario: str
) -> dict[str, Any]:
    """The facts a rule row can test. A signal the backend did not send is None."""
    location = signals.location if signals else None
    return {
        "scenario": scenario,
        "cancelled_by": event.cancelled_by,
        "minutes_before_slot": event.minutes_before_slot,
        "location_available": location.available if location else None,
        "min_distance_m": location.min_distance_m if location and location.available else None,
        "pro_call_attempts": signals.pro_call_attempts if signals else None,
    }


class DecideStage:
    def __init__(self, table: RuleTable, catalogue: Catalogue) -> None:
        self.table = table
        self.catalogue = catalogue
        self.engine = RuleEngine(table, catalogue)

    @classmethod
    def from_files(cls, rules_path: str | Path, scenarios_path: str | Path) -> DecideStage:
        catalogue = load_catalogue(scenarios_path)
        return cls(load_rule_table(rules_path, catalogue), catalogue)

    def label_for(self, case: Case, scenario: str) -> CaseLabel:
        """The label of a case whose scenario a person (or the generator) named: the
        responsible party and penalty this table gives for it with the case's signals.
        """
        decision = self.process(
            case.event,
            Classification(
                cancellation_id=case.case_id,
                booking_id=case.event.booking_id,
                scenario=scenario,
                classifier="label",
            ),
            case.signals,
        )
        return CaseLabel(
            scenario=scenario, responsible=decision.responsible, penalty=decision.penalty
        )

    def process(
        self,
        event: CancellationEvent,
        classification: Classification,
        signals: SystemSignals | None,
    ) -> Decision:
        scenario = classification.scenario
        notes: list[str] = []
        if scenario not in self.catalogue:
            notes.append(f"the classifier named unknown scenario {scenario!r}")
            scenario = "unclear"
        if classification.error:
            notes.append(f"classifier: {classification.error}")
        if signals is None:
            notes.append("no system signals arrived for this booking")
        facts = facts_for(event, signals, scenario)
        match = self.engine.evaluate(facts)
        base: dict[str, Any] = {
            "cancellation_id": event.cancellation_id,
            "booking_id": event.booking_id,
            "scenario": scenario,
            "signals": facts,
            "classification": classification,
            "rule_table_version": self.table.version,
        }
        if match is None:
            # Unreachable with a validated table (every scenario has a catch-all row);
            # kept so that a decision is always produced and says what happened.
            return Decision(
                **base,
                responsible="undetermined",
                penalty=False,
                reason="No rule-table row matched these facts; a person reviews it.",
                rule_id="(none)",
            )
        reason = f"{match.reason} [rule {match.rule.rule_id}, table {match.table_version}]"
        if notes:
            reason += " Note: " + "; ".join(notes) + "."
        return Decision(
            **base,
            responsible=match.rule.responsible,
            penalty=match.rule.penalty,
            reason=reason,
            rule_id=match.rule.rule_id,
        )
