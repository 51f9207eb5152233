"""The exception tree: one root, short subclasses, each naming what went wrong and where.

Every per-message failure in the pipeline is one of these. A stage either
retries it, turns it into an ``undetermined`` decision with the reason, or the
streaming worker sends the event to the dead-letter topic with the error text.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any


class RefereeError(Exception):
    """Root of every error Referee raises on purpose."""


class ConfigError(RefereeError):
    """A setting, path or model is missing or wrong."""


class DataFileError(RefereeError):
    """An SME-facing data file (rule table, prompt, scenario catalogue) is invalid.

    The message always names the file, and where it can, the row and column.
    """

    def __init__(
        self, path: str, message: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        self.path = str(path)
        self.row = row
        self.column = column
        where = self.path
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        self.detail = message
        super().__init__(f"{where}: {message}")

    @classmethod
    def reject_unknown_keys(
        cls,
        path: str,
        mapping: Mapping[str, Any],
        allowed: Collection[str],
        *,
        row: int | None = None,
        prefix: str = "",
    ) -> None:
        """Raise if ``mapping`` has keys outside ``allowed``: an SME's typo is an error,
        not a setting silently ignored. The first unknown key is named as the column
        (``prefix`` + key, e.g. ``trim.max_char``)."""
        unknown = sorted(set(mapping) - set(allowed))
        if unknown:
            raise cls(path, f"unknown key(s) {unknown}", row=row, column=prefix + unknown[0])


class RuleTableError(DataFileError):
    """The rule table cannot be loaded or compiled."""


class ScenarioCatalogueError(DataFileError):
    """The scenario catalogue is invalid."""


class PromptError(DataFileError):
    """A prompt file is invalid."""


class InputError(RefereeError):
    """An input record (case line, event payload) is malformed."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.detail = message
        super().__init__(f"{source}: {message}")


class SchemaVersionError(InputError):
    """A message carries a schema version this build does not understand."""


class StageError(RefereeError):
    """A pipeline stage failed on one message."""

    retryable: bool = False


class TransientStageError(StageError):
    """A stage failed for a reason that may pass (timeout, broker, 5xx): retry it."""

    retryable = True


class ClassifierError(StageError):
    """The language-model classifier could not produce a valid classification."""


class AudioError(StageError):
    """A recording could not be read or recognised."""


class StoreError(RefereeError):
    """The decision store failed."""
