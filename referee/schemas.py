"""JSON Schemas of the messages, generated from the pydantic models into ``schemas/``.

``referee schemas`` writes them; ``referee schemas --check`` (and a test)
fails when a model changed without regenerating, so the published contract
never drifts from the code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from referee.messages import ALL_MESSAGES, Message


def schema_filename(model: type[Message]) -> str:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()
    return f"{snake}.v{model.SCHEMA_VERSION}.json"


def render(model: type[Message]) -> str:
    schema = model.model_json_schema(by_alias=True)
    schema["$id"] = f"referee/{schema_filename(model)}"
    schema["x-topic"] = model.TOPIC
    schema["x-schema-version"] = model.SCHEMA_VERSION
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schemas(out_dir: Path, *, check: bool = False) -> list[str]:
    """Write every schema (or, with ``check``, only compare); return the names that differ."""
    drift = []
    out_dir.mkdir(parents=True, exist_ok=True)
    expected = {schema_filename(m): render(m) for m in ALL_MESSAGES}
    for name, text in expected.items():
        path = out_dir / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            drift.append(name)
            if not check:
                path.write_text(text, encoding="utf-8")
    stale = sorted(p.name for p in out_dir.glob("*.json") if p.name not in expected)
    drift.extend(stale)
    if not check:
        for name in stale:
            (out_dir / name).unlink()
    return drift
