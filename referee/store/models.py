"""Table definitions. Each row keeps the full message as JSON beside the columns people query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class RuleTableRow(Base):
    """Every rule-table version a decision was made with, so a decision can be replayed."""

    __tablename__ = "rule_tables"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TranscriptRow(Base):
    __tablename__ = "transcripts"

    cancellation_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    booking_id: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClassificationRow(Base):
    __tablename__ = "classifications"

    cancellation_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    booking_id: Mapped[str] = mapped_column(String(128), index=True)
    scenario: Mapped[str] = mapped_column(String(64), index=True)
    classifier: Mapped[str] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(256))
    prompt_version: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    # Classification.flags joined by spaces (a flag has none), for queries such as
    # ``flags LIKE '%injection_suspected%'``; null when there are none.
    flags: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DecisionRow(Base):
    __tablename__ = "decisions"

    # One decision per cancellation: the primary key makes re-processing idempotent.
    cancellation_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(64), unique=True)
    booking_id: Mapped[str] = mapped_column(String(128), index=True)
    responsible: Mapped[str] = mapped_column(String(16), index=True)
    penalty: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    scenario: Mapped[str] = mapped_column(String(64), index=True)
    rule_id: Mapped[str] = mapped_column(String(32))
    # Not a foreign key: a persist worker may store decisions of a table another
    # process loaded; the decide stage records every table version it uses.
    rule_table_version: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ChallengeRow(Base):
    __tablename__ = "challenges"

    challenge_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    cancellation_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("decisions.cancellation_id"), index=True
    )
    raised_by: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    corrected_responsible: Mapped[str | None] = mapped_column(String(16))
    corrected_penalty: Mapped[bool | None] = mapped_column(Boolean)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
