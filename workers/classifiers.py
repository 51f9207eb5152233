"""A classifier for tests and benchmarks of the streaming layer only: no model.

``referee worker classify --classifier supplied`` uses it, so that tests and
``scripts/bench_stream.py`` run the real brokers and workers without a language
model. Never use it for real cancellations.
"""

from __future__ import annotations

import time

from referee.errors import StageError, TransientStageError
from referee.messages import CancellationEvent, Classification, Transcript
from referee.scenarios import UNCLEAR

#: The marker a test event puts in ``reason_selected``: ``"scenario:<scenario id>"``.
SUPPLIED_PREFIX = "scenario:"


class SuppliedScenarioClassifier:
    """TEST/BENCHMARK ONLY: takes the scenario the event carries in ``reason_selected``
    as ``"scenario:<id>"``; anything else is ``unclear`` with ``error`` set.

    Markers drive the worker's failure paths in tests: ``scenario:!fail`` raises a
    :class:`StageError`, ``scenario:!transient`` a retryable
    :class:`TransientStageError` (every time), and ``scenario:!slow:<seconds>:<id>``
    sleeps that long (a slow model call) before returning scenario ``<id>``.
    """

    name = "supplied"

    def classify(self, event: CancellationEvent, transcript: Transcript) -> Classification:
        selected = event.reason_selected or ""
        scenario = selected[len(SUPPLIED_PREFIX) :] if selected.startswith(SUPPLIED_PREFIX) else ""
        if scenario == "!fail":
            raise StageError(f"supplied classifier told to fail on {event.cancellation_id}")
        if scenario.startswith("!slow:"):
            _, seconds, scenario = scenario.split(":", 2)
            time.sleep(float(seconds))
        if scenario == "!transient":
            raise TransientStageError(
                f"supplied classifier told to time out on {event.cancellation_id}"
            )
        return Classification(
            cancellation_id=event.cancellation_id,
            booking_id=event.booking_id,
            scenario=scenario or UNCLEAR,
            reason="Scenario supplied with the event (test/benchmark classifier, no model).",
            classifier=self.name,
            error=None if scenario else "the event supplies no scenario",
        )
