"""The scenario catalogue: loaded from ``rules/scenarios.yaml`` and validated.

Prompts and the rule table refer to scenarios by id; both check their ids
against this catalogue on load, so a typo is caught with the file and place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

from referee.errors import ScenarioCatalogueError

Side = Literal["professional", "customer", "neutral"]
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
#: The scenario that means "the conversation does not say"; always present.
UNCLEAR = "unclear"


@dataclass(frozen=True)
class Scenario:
    id: str
    side: Side
    description: str


@dataclass(frozen=True)
class Catalogue:
    path: str
    scenarios: tuple[Scenario, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.scenarios)

    def get(self, scenario_id: str) -> Scenario:
        for s in self.scenarios:
            if s.id == scenario_id:
                return s
        raise KeyError(scenario_id)

    def __contains__(self, scenario_id: object) -> bool:
        return any(s.id == scenario_id for s in self.scenarios)


def load_catalogue(path: str | Path) -> Catalogue:
    """Read and validate a catalogue; every problem names the file and entry."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ScenarioCatalogueError(str(path), "file not found") from exc
    except yaml.YAMLError as exc:
        raise ScenarioCatalogueError(str(path), f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), list):
        raise ScenarioCatalogueError(str(path), "expected a mapping with a 'scenarios' list")
    seen: set[str] = set()
    out: list[Scenario] = []
    for i, entry in enumerate(data["scenarios"], start=1):
        if not isinstance(entry, dict):
            raise ScenarioCatalogueError(str(path), "entry is not a mapping", row=i)
        ScenarioCatalogueError.reject_unknown_keys(
            str(path), entry, {"id", "side", "description"}, row=i
        )
        sid = entry.get("id")
        if not isinstance(sid, str) or not _ID.match(sid):
            raise ScenarioCatalogueError(str(path), f"bad id {sid!r}", row=i, column="id")
        if sid in seen:
            raise ScenarioCatalogueError(str(path), f"duplicate id {sid!r}", row=i, column="id")
        side = entry.get("side")
        if side not in ("professional", "customer", "neutral"):
            raise ScenarioCatalogueError(
                str(path),
                f"side must be professional, customer or neutral, not {side!r}",
                row=i,
                column="side",
            )
        desc = entry.get("description")
        if not isinstance(desc, str) or not desc.strip():
            raise ScenarioCatalogueError(
                str(path), "description is empty", row=i, column="description"
            )
        seen.add(sid)
        out.append(Scenario(id=sid, side=side, description=desc.strip()))
    if UNCLEAR not in seen:
        raise ScenarioCatalogueError(str(path), f"the catalogue must list {UNCLEAR!r}")
    return Catalogue(path=str(path), scenarios=tuple(out))


@lru_cache(maxsize=8)
def cached_catalogue(path: str) -> Catalogue:
    return load_catalogue(path)
