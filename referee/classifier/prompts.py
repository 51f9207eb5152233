"""The classifier's prompt, loaded from the expert-edited files in ``prompts/``.

:func:`load_prompts` reads and validates every file (see ``prompts/README.md``)
against the scenario catalogue and returns a :class:`PromptSet`: the pieces,
a content-hash version, and the methods that render the system message and
the JSON Schema of the answer. Every problem is a
:class:`referee.errors.PromptError` naming the file and, where it can, the
entry (row) and field (column).
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from referee.errors import PromptError
from referee.scenarios import UNCLEAR, Catalogue

#: The files of a prompt set, relative to the prompts directory.
FILES = ("persona.md", "task.md", "scenarios.yaml", "input.yaml", "output.yaml")
#: The answer's fields; output.yaml must list exactly these.
OUTPUT_FIELDS = ("evidence", "scenario", "reason", "confidence")
TEMPLATE_PLACEHOLDERS = ("data", "candidates")
SPEAKERS = ("customer", "professional", "unknown")


@dataclass(frozen=True)
class ScenarioGuide:
    """How the prompt explains one scenario."""

    id: str
    when: str
    not_when: str | None
    examples: tuple[str, ...]


@dataclass(frozen=True)
class OutputField:
    name: str
    description: str
    max_items: int | None = None
    max_chars: int | None = None


@dataclass(frozen=True)
class TrimRules:
    max_chars: int
    head_lines: int
    tail_lines: int
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class PromptSet:
    """A validated prompt: its parts, and a version that changes with any edit."""

    directory: str
    version: str
    persona: str
    task: str
    guides: tuple[ScenarioGuide, ...]
    template: str
    trim: TrimRules
    injection_patterns: tuple[re.Pattern[str], ...]
    fields: tuple[OutputField, ...]

    def field(self, name: str) -> OutputField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def guide(self, scenario_id: str) -> ScenarioGuide:
        for g in self.guides:
            if g.id == scenario_id:
                return g
        raise KeyError(scenario_id)

    def system_message(self, candidates: Sequence[str]) -> str:
        """Persona, task, the candidate scenarios and the answer format.

        With the full candidate list the text is the same for every case, so a
        llama.cpp server reuses its evaluated prefix from one case to the next.
        """
        lines = [self.persona.strip(), "", self.task.strip(), "", "SCENARIOS"]
        for sid in candidates:
            g = self.guide(sid)
            lines.append(f"- {g.id}: {g.when}")
            if g.not_when:
                lines.append(f"  Not when: {g.not_when}")
            for ex in g.examples:
                lines.append(f"  e.g. {ex}")
        lines += ["", "ANSWER FORMAT: one JSON object with these fields, in this order:"]
        for f in self.fields:
            lines.append(f'- "{f.name}": {f.description}')
        return "\n".join(lines)

    def user_message(self, data_block: str, candidates: Sequence[str]) -> str:
        return self.template.format(data=data_block, candidates=", ".join(candidates))

    def json_schema(self, candidates: Sequence[str], *, limits: bool = False) -> dict[str, Any]:
        """The answer's JSON Schema; ``scenario`` is an enum of the candidates.

        ``limits`` adds maxItems/maxLength: a grammar-constrained server (llama.cpp)
        then cannot ramble inside a string until the token budget runs out. They
        are left out for OpenAI-style strict schemas, which reject some of them;
        our own checks cut long values either way.
        """
        ev = self.field("evidence")

        def string(max_chars: int | None) -> dict[str, Any]:
            out: dict[str, Any] = {"type": "string"}
            if limits and max_chars:
                out["maxLength"] = max_chars
            return out

        props: dict[str, Any] = {}
        for f in self.fields:
            if f.name == "scenario":
                props["scenario"] = {"type": "string", "enum": list(candidates)}
            elif f.name == "reason":
                props["reason"] = string(f.max_chars)
            elif f.name == "confidence":
                props["confidence"] = {"type": "number"}
            elif f.name == "evidence":
                props["evidence"] = {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "speaker": {"type": "string", "enum": list(SPEAKERS)},
                            "quote": string(ev.max_chars),
                            "time": string(16),
                        },
                        "required": ["speaker", "quote", "time"],
                        "additionalProperties": False,
                    },
                }
                if limits:
                    props["evidence"]["maxItems"] = ev.max_items or 3
        return {
            "type": "object",
            "properties": props,
            "required": [f.name for f in self.fields],
            "additionalProperties": False,
        }


# --------------------------------------------------------------------------- loading


def load_prompts(directory: str | Path, catalogue: Catalogue) -> PromptSet:
    """Read and validate the prompt files in ``directory`` against ``catalogue``."""
    directory = Path(directory)
    raw: dict[str, str] = {}
    for name in FILES:
        path = directory / name
        try:
            raw[name] = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise PromptError(str(path), "file not found") from exc
        except UnicodeDecodeError as exc:
            raise PromptError(str(path), f"not UTF-8 text: {exc}") from exc

    persona = _markdown(directory / "persona.md", raw["persona.md"])
    task = _markdown(directory / "task.md", raw["task.md"])
    guides = _scenarios(directory / "scenarios.yaml", raw["scenarios.yaml"], catalogue)
    template, trim, patterns = _input(directory / "input.yaml", raw["input.yaml"])
    fields = _output(directory / "output.yaml", raw["output.yaml"])

    digest = hashlib.sha256()
    for name in FILES:
        digest.update(name.encode() + b"\0" + raw[name].encode("utf-8") + b"\0")
    # The catalogue's ids and order shape the prompt and the schema too.
    digest.update("\n".join(catalogue.ids).encode())
    return PromptSet(
        directory=str(directory),
        version="p-" + digest.hexdigest()[:12],
        persona=persona,
        task=task,
        guides=guides,
        template=template,
        trim=trim,
        injection_patterns=patterns,
        fields=fields,
    )


def _markdown(path: Path, text: str) -> str:
    if not text.strip():
        raise PromptError(str(path), "file is empty")
    return text.strip()


def _yaml(path: Path, text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise PromptError(str(path), f"not valid YAML: {exc}", row=row) from exc
    if not isinstance(data, dict):
        raise PromptError(str(path), "expected a mapping at the top level")
    return data


def _text(path: Path, value: Any, row: int | None, column: str, *, optional: bool = False) -> str:
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise PromptError(str(path), "must be a non-empty string", row=row, column=column)
    return " ".join(value.split())


def _scenarios(path: Path, text: str, catalogue: Catalogue) -> tuple[ScenarioGuide, ...]:
    data = _yaml(path, text)
    entries = data.get("scenarios")
    if not isinstance(entries, list):
        raise PromptError(str(path), "expected a 'scenarios' list", column="scenarios")
    PromptError.reject_unknown_keys(str(path), data, {"scenarios"})
    by_id: dict[str, ScenarioGuide] = {}
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise PromptError(str(path), "entry is not a mapping", row=i)
        PromptError.reject_unknown_keys(
            str(path), entry, {"id", "when", "not_when", "examples"}, row=i
        )
        sid = entry.get("id")
        if not isinstance(sid, str):
            raise PromptError(str(path), "id is missing", row=i, column="id")
        if sid not in catalogue:
            raise PromptError(
                str(path), f"scenario {sid!r} is not in the catalogue", row=i, column="id"
            )
        if sid in by_id:
            raise PromptError(str(path), f"duplicate scenario {sid!r}", row=i, column="id")
        when = _text(path, entry.get("when"), i, "when")
        not_when = _text(path, entry.get("not_when"), i, "not_when", optional=True) or None
        examples = entry.get("examples")
        if not isinstance(examples, list) or not 1 <= len(examples) <= 3:
            raise PromptError(str(path), "needs 1 to 3 examples", row=i, column="examples")
        exs = tuple(_text(path, ex, i, "examples") for ex in examples)
        by_id[sid] = ScenarioGuide(id=sid, when=when, not_when=not_when, examples=exs)
    missing = [sid for sid in catalogue.ids if sid not in by_id]
    if missing:
        raise PromptError(
            str(path),
            f"no entry for catalogue scenario(s) {missing} (every catalogue id needs one)",
            column="id",
        )
    # Present them in catalogue order, whatever order the file uses.
    return tuple(by_id[sid] for sid in catalogue.ids)


def _input(path: Path, text: str) -> tuple[str, TrimRules, tuple[re.Pattern[str], ...]]:
    data = _yaml(path, text)
    PromptError.reject_unknown_keys(str(path), data, {"template", "trim", "injection_patterns"})
    template = data.get("template")
    if not isinstance(template, str) or not template.strip():
        raise PromptError(str(path), "must be a non-empty string", column="template")
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise PromptError(
            str(path),
            f"bad braces ({exc}); write {{{{ and }}}} for literal braces",
            column="template",
        ) from exc
    for name in names:
        if name not in TEMPLATE_PLACEHOLDERS:
            raise PromptError(
                str(path),
                f"unknown placeholder {{{name}}}; allowed: {list(TEMPLATE_PLACEHOLDERS)}",
                column="template",
            )
    for name in TEMPLATE_PLACEHOLDERS:
        if names.count(name) != 1:
            raise PromptError(
                str(path), f"placeholder {{{name}}} must appear exactly once", column="template"
            )

    trim_raw = data.get("trim")
    if not isinstance(trim_raw, dict):
        raise PromptError(str(path), "expected a mapping", column="trim")
    PromptError.reject_unknown_keys(
        str(path), trim_raw, {"max_chars", "head_lines", "tail_lines", "keywords"}, prefix="trim."
    )
    ints: dict[str, int] = {}
    for key, low in (("max_chars", 500), ("head_lines", 0), ("tail_lines", 1)):
        value = trim_raw.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise PromptError(str(path), f"must be a whole number >= {low}", column=f"trim.{key}")
        ints[key] = value
    keywords = trim_raw.get("keywords", [])
    if not isinstance(keywords, list) or not all(
        isinstance(k, str) and k.strip() for k in keywords
    ):
        raise PromptError(str(path), "must be a list of words", column="trim.keywords")
    trim = TrimRules(
        max_chars=ints["max_chars"],
        head_lines=ints["head_lines"],
        tail_lines=ints["tail_lines"],
        keywords=tuple(k.strip().lower() for k in keywords),
    )

    patterns_raw = data.get("injection_patterns", [])
    if not isinstance(patterns_raw, list):
        raise PromptError(str(path), "must be a list", column="injection_patterns")
    patterns: list[re.Pattern[str]] = []
    for i, pat in enumerate(patterns_raw, start=1):
        if not isinstance(pat, str) or not pat:
            raise PromptError(str(path), "must be a string", row=i, column="injection_patterns")
        try:
            patterns.append(re.compile(pat, re.IGNORECASE))
        except re.error as exc:
            raise PromptError(
                str(path), f"bad regular expression: {exc}", row=i, column="injection_patterns"
            ) from exc
    return template, trim, tuple(patterns)


def _output(path: Path, text: str) -> tuple[OutputField, ...]:
    data = _yaml(path, text)
    entries = data.get("fields")
    if not isinstance(entries, list):
        raise PromptError(str(path), "expected a 'fields' list", column="fields")
    out: list[OutputField] = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise PromptError(str(path), "entry is not a mapping", row=i)
        PromptError.reject_unknown_keys(
            str(path), entry, {"name", "description", "max_items", "max_chars"}, row=i
        )
        name = entry.get("name")
        if name not in OUTPUT_FIELDS:
            raise PromptError(
                str(path),
                f"unknown field {name!r}; expected {list(OUTPUT_FIELDS)}",
                row=i,
                column="name",
            )
        if any(f.name == name for f in out):
            raise PromptError(str(path), f"field {name!r} listed twice", row=i, column="name")
        desc = _text(path, entry.get("description"), i, "description")
        limits: dict[str, int | None] = {}
        for key in ("max_items", "max_chars"):
            value = entry.get(key)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 1
            ):
                raise PromptError(str(path), "must be a whole number >= 1", row=i, column=key)
            limits[key] = value
        if limits["max_items"] is not None and name != "evidence":
            raise PromptError(str(path), "only evidence has max_items", row=i, column="max_items")
        out.append(OutputField(name=name, description=desc, **limits))
    missing = [n for n in OUTPUT_FIELDS if not any(f.name == n for f in out)]
    if missing:
        raise PromptError(str(path), f"missing field(s) {missing}", column="fields")
    return tuple(out)


def ensure_unclear(candidates: Sequence[str]) -> list[str]:
    """The candidates, deduplicated, with ``unclear`` always last."""
    seen: list[str] = []
    for c in candidates:
        if c != UNCLEAR and c not in seen:
            seen.append(c)
    return [*seen, UNCLEAR]
