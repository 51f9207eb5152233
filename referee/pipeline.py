"""The embedded pipeline: one process takes events through every stage, with no servers.

transcribe -> classify -> decide -> store, using the very stage objects the
streaming workers use. A failing stage never stops the run: audio trouble
becomes the transcript's status, classifier trouble an ``unclear``
classification with its error, and the rule table turns both into an
``undetermined`` decision that names the reason.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from referee.messages import CancellationEvent, Classification, Decision, SystemSignals, Transcript
from referee.scenarios import UNCLEAR
from referee.settings import Settings
from referee.stages.classify import Classifier
from referee.stages.decide import DecideStage
from referee.stages.transcribe import Recogniser, TranscribeStage
from referee.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    transcript: Transcript
    classification: Classification
    decision: Decision
    created: bool  # False when the store already had a decision for this cancellation
    seconds: float


def classify_safely(
    classifier: Classifier, event: CancellationEvent, transcript: Transcript
) -> Classification:
    """Run a classifier; anything it raises becomes an ``unclear`` classification."""
    started = time.perf_counter()
    try:
        return classifier.classify(event, transcript)
    except Exception as exc:  # the contract says never raise; this keeps the run going if one does
        log.exception("classifier %s raised on %s", classifier.name, event.cancellation_id)
        return Classification(
            cancellation_id=event.cancellation_id,
            booking_id=event.booking_id,
            scenario=UNCLEAR,
            reason="The classifier failed on this case.",
            classifier=classifier.name,
            error=f"{type(exc).__name__}: {exc}",
            seconds=time.perf_counter() - started,
        )


def recogniser_for(settings: Settings) -> Recogniser | None:
    """The speech recogniser, or None when the ``asr`` extra is not installed."""
    try:
        from referee.audio import build_recogniser
    except ImportError:
        log.warning("speech recognition is not installed; recordings will not be transcribed")
        return None
    return build_recogniser(settings)


class Pipeline:
    def __init__(
        self,
        transcribe: TranscribeStage,
        classifier: Classifier,
        decide: DecideStage,
        store: Store | None = None,
    ) -> None:
        self.transcribe = transcribe
        self.classifier = classifier
        self.decide = decide
        self.store = store
        if store is not None:
            store.record_rule_table(decide.table)

    @classmethod
    def from_settings(
        cls, settings: Settings, classifier: Classifier, *, store: bool = True
    ) -> Pipeline:
        return cls(
            transcribe=TranscribeStage(factory=lambda: recogniser_for(settings)),
            classifier=classifier,
            decide=DecideStage.from_files(settings.rules_path, settings.scenarios_path),
            store=Store(settings.database_url) if store else None,
        )

    def process(self, event: CancellationEvent, signals: SystemSignals | None) -> Result:
        started = time.perf_counter()
        transcript = self.transcribe.process(event)
        classification = classify_safely(self.classifier, event, transcript)
        decision = self.decide.process(event, classification, signals)
        created = True
        if self.store is not None:
            self.store.save_transcript(transcript)
            decision, created = self.store.save_decision(decision)
        return Result(transcript, classification, decision, created, time.perf_counter() - started)
