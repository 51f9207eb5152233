"""Initial schema: rule tables, transcripts, classifications, decisions, challenges.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rule_tables",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("loaded_at", TZ, nullable=False),
    )
    op.create_table(
        "transcripts",
        sa.Column("cancellation_id", sa.String(128), primary_key=True),
        sa.Column("booking_id", sa.String(128), nullable=False, index=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "classifications",
        sa.Column("cancellation_id", sa.String(128), primary_key=True),
        sa.Column("booking_id", sa.String(128), nullable=False, index=True),
        sa.Column("scenario", sa.String(64), nullable=False, index=True),
        sa.Column("classifier", sa.String(32), nullable=False),
        sa.Column("model", sa.String(256)),
        sa.Column("prompt_version", sa.String(64)),
        sa.Column("error", sa.Text),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("cancellation_id", sa.String(128), primary_key=True),
        sa.Column("decision_id", sa.String(64), nullable=False, unique=True),
        sa.Column("booking_id", sa.String(128), nullable=False, index=True),
        sa.Column("responsible", sa.String(16), nullable=False, index=True),
        sa.Column("penalty", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("scenario", sa.String(64), nullable=False, index=True),
        sa.Column("rule_id", sa.String(32), nullable=False),
        sa.Column("rule_table_version", sa.String(64), nullable=False, index=True),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("decided_at", TZ, nullable=False, index=True),
    )
    op.create_table(
        "challenges",
        sa.Column("challenge_id", sa.String(64), primary_key=True),
        sa.Column(
            "cancellation_id",
            sa.String(128),
            sa.ForeignKey("decisions.cancellation_id"),
            nullable=False,
            index=True,
        ),
        sa.Column("raised_by", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("resolution", sa.Text),
        sa.Column("resolved_by", sa.String(128)),
        sa.Column("corrected_responsible", sa.String(16)),
        sa.Column("corrected_penalty", sa.Boolean),
        sa.Column("raised_at", TZ, nullable=False),
        sa.Column("resolved_at", TZ),
    )


def downgrade() -> None:
    for table in ("challenges", "decisions", "classifications", "transcripts", "rule_tables"):
        op.drop_table(table)
