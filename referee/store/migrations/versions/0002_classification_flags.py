"""Classification flags as a column (space-separated), beside the full list in the payload.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("classifications", sa.Column("flags", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("classifications") as batch:
        batch.drop_column("flags")
