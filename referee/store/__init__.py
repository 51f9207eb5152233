"""The decision store: SQLAlchemy 2 models, Alembic migrations, idempotent writes.

SQLite by default, PostgreSQL when ``DATABASE_URL`` says so. A cancellation
has at most one decision: saving it again returns the decision already stored.
"""

from referee.store.db import Store
from referee.store.models import (
    Base,
    ChallengeRow,
    ClassificationRow,
    DecisionRow,
    RuleTableRow,
    TranscriptRow,
)

__all__ = [
    "Base",
    "ChallengeRow",
    "ClassificationRow",
    "DecisionRow",
    "RuleTableRow",
    "Store",
    "TranscriptRow",
]
