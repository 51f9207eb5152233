"""Classify stage: the conversation in, a scenario with its reason and evidence out.

:class:`Classifier` is the interface. The language-model classifier lives in
:mod:`referee.classifier`; :class:`OracleClassifier` reads the labelled
scenario and exists only to measure the rule table alone
(``referee eval --oracle-scenarios``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from referee.messages import CancellationEvent, Classification, Transcript
from referee.scenarios import UNCLEAR


class Classifier(Protocol):
    """Names the scenario of one cancellation. Must not raise on bad model output:
    it returns ``unclear`` with ``error`` set instead."""

    name: str

    def classify(self, event: CancellationEvent, transcript: Transcript) -> Classification: ...


class OracleClassifier:
    """Returns the scenario a labelled file gives for each case. For rule-table checks only."""

    name = "oracle"

    def __init__(self, scenarios: Mapping[str, str]) -> None:
        self._scenarios = dict(scenarios)

    def classify(self, event: CancellationEvent, transcript: Transcript) -> Classification:
        scenario = self._scenarios.get(event.cancellation_id)
        return Classification(
            cancellation_id=event.cancellation_id,
            booking_id=event.booking_id,
            scenario=scenario or UNCLEAR,
            reason="Scenario taken from the case label (oracle mode: measures the rule table only)",
            classifier=self.name,
            error=None if scenario else "no labelled scenario for this case",
        )
