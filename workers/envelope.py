"""The hand-off between stages on the internal work topics, and the decide stage's ticks.

A stage's public output (Transcript, Classification) is what the marketplace
and auditors read; the next stage also needs the cancellation event itself, so
the stages pass a :class:`StageWork` on ``work.classify`` and ``work.decide``.
It is validated with ``StageWork.parse`` like every other message.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from referee.messages import CancellationEvent, Classification, Message, Transcript


class StageWork(Message):
    """One cancellation on its way between stages (topics work.classify and work.decide)."""

    TOPIC: ClassVar[str] = "work"

    kind: Literal["work", "tick"] = Field(
        default="work",
        description="'work' carries a cancellation; 'tick' asks decide to look at the "
        "booking's pending joins (decide sends these to itself when a wait is over).",
    )
    booking_id: str = Field(min_length=1)
    event: CancellationEvent | None = None
    transcript: Transcript | None = None
    classification: Classification | None = None
    received_at: datetime | None = Field(
        default=None,
        description="When the cancellation event reached Kafka; the join wait and the "
        "end-to-end latency count from here.",
    )

    @model_validator(mode="after")
    def _work_has_event(self) -> Self:
        if self.kind == "work":
            if self.event is None:
                raise ValueError("a 'work' message needs its cancellation event")
            if self.event.booking_id != self.booking_id:
                raise ValueError("booking_id differs from the event's booking_id")
        return self
