"""Labelled cases (the format of the shared spec's ``eval-format.md``) and event files.

A case line carries the inputs of one cancellation plus its ``label``. The
reader splits them: the pipeline receives a :class:`CancellationEvent` and
:class:`SystemSignals` only, and the label stays with the scorer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from referee.errors import InputError
from referee.messages import (
    CancellationEvent,
    Canceller,
    ChatMessage,
    LocationSignal,
    Responsible,
    SystemSignals,
    Utterance,
    _short_errors,
)


class CaseLabel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    scenario: str
    responsible: Responsible
    penalty: bool


class _Booking(BaseModel):
    model_config = ConfigDict(extra="ignore")
    booking_id: str = Field(min_length=1)
    slot_start: str | None = None


class _Cancellation(BaseModel):
    model_config = ConfigDict(extra="ignore")
    cancelled_by: Canceller
    cancelled_at: str | None = None
    minutes_before_slot: float | None = None
    reason_selected: str | None = None


class _Signals(BaseModel):
    model_config = ConfigDict(extra="ignore")
    location: LocationSignal | None = None
    pro_call_attempts: int | None = Field(default=None, ge=0)


class _CaseLine(BaseModel):
    model_config = ConfigDict(extra="ignore")
    case_id: str = Field(min_length=1)
    service: str | None = None
    city: str | None = None
    region: str | None = None
    language: str | None = None
    booking: _Booking
    cancellation: _Cancellation
    signals: _Signals | None = None
    transcript: list[Utterance] | None = None
    chat: list[ChatMessage] = Field(default_factory=list)
    recordings: list[dict[str, Any]] = Field(default_factory=list)
    label: CaseLabel | None = None


@dataclass(frozen=True)
class Case:
    """One cancellation to decide: the inputs, and (kept apart) the label if it has one."""

    case_id: str
    event: CancellationEvent
    signals: SystemSignals | None
    label: CaseLabel | None = None
    kind: Literal["case", "event"] = "case"


def case_from_dict(obj: dict[str, Any], source: str, base_dir: Path | None = None) -> Case:
    """Build a Case from a case line, or from an ``{"event": ..., "signals": ...}`` line."""
    if "event" in obj:
        event = CancellationEvent.parse(obj["event"], source)
        signals = SystemSignals.parse(obj["signals"], source) if obj.get("signals") else None
        return Case(case_id=event.cancellation_id, event=event, signals=signals, kind="event")
    try:
        line = _CaseLine.model_validate(obj)
    except ValidationError as exc:
        raise InputError(source, f"not a valid case: {_short_errors(exc)}") from exc
    recordings = []
    for rec in line.recordings:
        rec = dict(rec)
        uri = str(rec.get("uri", ""))
        if base_dir is not None and uri and not uri.startswith(("/", "file:")):
            rec["uri"] = str(base_dir / uri)  # sample files refer to audio beside them
        recordings.append(rec)
    try:
        event = CancellationEvent(
            cancellation_id=line.case_id,
            booking_id=line.booking.booking_id,
            service=line.service,
            city=line.city,
            region=line.region,
            language_hint=line.language,
            slot_start=line.booking.slot_start,
            cancelled_by=line.cancellation.cancelled_by,
            cancelled_at=line.cancellation.cancelled_at,
            minutes_before_slot=line.cancellation.minutes_before_slot,
            reason_selected=line.cancellation.reason_selected,
            transcript=tuple(line.transcript) if line.transcript is not None else None,
            chat=tuple(line.chat),
            recordings=tuple(recordings),
        )
    except ValidationError as exc:
        raise InputError(source, f"not a valid case: {_short_errors(exc)}") from exc
    signals = None
    if line.signals is not None:
        signals = SystemSignals(
            booking_id=line.booking.booking_id,
            cancellation_id=line.case_id,
            location=line.signals.location,
            pro_call_attempts=line.signals.pro_call_attempts,
        )
    return Case(case_id=line.case_id, event=event, signals=signals, label=line.label)


def json_lines(path: str | Path) -> Iterator[tuple[str, dict[str, Any] | InputError]]:
    """Yield ("file:line", object) for each non-blank line of a JSON-lines file.

    A line that is not a JSON object comes as the InputError naming it, in
    place of the object, so that one bad line does not stop the reading.
    """
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            source = f"{path}:{lineno}"
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                problem = f"not valid JSON ({exc.msg} at column {exc.colno})"
                yield source, InputError(source, problem)
                continue
            if not isinstance(obj, dict):
                yield source, InputError(source, "expected a JSON object")
                continue
            yield source, obj


def read_cases(path: str | Path) -> Iterator[Case | InputError]:
    """Yield each line as a Case, or as the InputError that names the file and line.

    Bad lines do not stop the reading: the caller counts and reports them.
    """
    path = Path(path)
    for source, obj in json_lines(path):
        if isinstance(obj, InputError):
            yield obj
            continue
        try:
            yield case_from_dict(obj, source, base_dir=path.parent)
        except InputError as exc:
            yield exc
