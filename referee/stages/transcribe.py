"""Transcribe stage: a cancellation event in, the diarised transcript of its calls out.

A transcript that came with the event is passed through; linked recordings go
to a :class:`Recogniser` (speech recognition, see :mod:`referee.audio`); with
neither, the transcript is empty with status ``none``. Audio problems never
raise here: they become the transcript's ``status`` and the pipeline goes on
with the chat and signals.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from referee.errors import AudioError
from referee.messages import CancellationEvent, Recording, Transcript


class Recogniser(Protocol):
    """Turns one call recording into a transcript (speech recognition + diarisation)."""

    def transcribe(self, recording: Recording, event: CancellationEvent) -> Transcript: ...


class TranscribeStage:
    """``recogniser`` may be given ready, or built on the first recording by ``factory``
    (so runs over text-only cases never load a speech model)."""

    def __init__(
        self,
        recogniser: Recogniser | None = None,
        factory: Callable[[], Recogniser | None] | None = None,
    ) -> None:
        self._recogniser = recogniser
        self._factory = factory

    @property
    def recogniser(self) -> Recogniser | None:
        if self._recogniser is None and self._factory is not None:
            self._recogniser = self._factory()
            self._factory = None
        return self._recogniser

    def process(self, event: CancellationEvent) -> Transcript:
        started = time.perf_counter()
        base = {"cancellation_id": event.cancellation_id, "booking_id": event.booking_id}
        if event.transcript is not None:
            return Transcript(
                **base,
                status="supplied",
                utterances=event.transcript,
                language=event.language_hint,
            )
        if not event.recordings:
            return Transcript(**base, status="none")
        if self.recogniser is None:
            return Transcript(
                **base,
                status="asr_unavailable: speech recognition is not installed "
                "(pip install 'referee[asr]')",
            )
        parts: list[Transcript] = []
        for recording in event.recordings:
            try:
                parts.append(self.recogniser.transcribe(recording, event))
            except AudioError as exc:
                parts.append(Transcript(**base, status=f"audio_error: {exc}"))
        return _merge(parts, base, time.perf_counter() - started)


def _merge(parts: list[Transcript], base: dict[str, str], seconds: float) -> Transcript:
    """Join the transcripts of several recordings in order; the status says what failed."""
    if len(parts) == 1:
        return parts[0].model_copy(update={"seconds": parts[0].seconds or seconds})
    offset = 0.0
    utterances = []
    for part in parts:
        for u in part.utterances:
            utterances.append(
                u.model_copy(update={"start": u.start + offset, "end": u.end + offset})
            )
        if part.utterances:
            offset = utterances[-1].end + 1.0
    statuses = sorted({p.status for p in parts})
    first_ok = next((p for p in parts if p.status == "ok"), parts[0])
    return Transcript(
        **base,
        status="ok" if statuses == ["ok"] else "; ".join(statuses),
        utterances=tuple(utterances),
        language_detected=first_ok.language_detected,
        language_probabilities=first_ok.language_probabilities,
        language=first_ok.language,
        language_correction_reason=first_ok.language_correction_reason,
        model=first_ok.model,
        seconds=seconds,
        notes=tuple(note for p in parts for note in p.notes),
        audio_seconds=sum(p.audio_seconds or 0.0 for p in parts) or None,
    )
