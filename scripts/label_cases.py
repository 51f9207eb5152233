"""Complete the labels of hand-written cases: responsible party and penalty from the rule table.

A person writing a labelled case names its scenario (``label.scenario``); the
responsible party and the penalty then follow from that scenario and the
case's signals through the procedure, exactly as the decide stage applies it.
This script fills them in, so hand-written sets (``data/probe/``) are labelled
by the same table as the generated training data and the spec's dev cases.

    .venv/bin/python scripts/label_cases.py written-a.jsonl written-b.jsonl --out cases.jsonl
    # after the rule table changes (tests/test_probe_data.py fails until then):
    .venv/bin/python scripts/label_cases.py data/probe/cases.jsonl --out data/probe/cases.jsonl

Lines are written in input order, compact, one case per line. A line that is
not a valid case, or names a scenario the catalogue does not list, stops the
script with an error naming the file and line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from referee.cases import case_from_dict, json_lines
from referee.errors import InputError
from referee.settings import Settings
from referee.stages.decide import DecideStage


def complete_label(obj: dict[str, Any], stage: DecideStage, source: str) -> dict[str, Any]:
    """The case with ``label`` = its scenario plus the rule table's responsible and penalty."""
    scenario = (obj.get("label") or {}).get("scenario")
    if scenario not in stage.catalogue:
        raise InputError(source, f"label.scenario {scenario!r} is not in the catalogue")
    label = stage.label_for(case_from_dict({**obj, "label": None}, source), scenario)
    return {**obj, "label": label.model_dump()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = Settings()
    stage = DecideStage.from_files(settings.rules_path, settings.scenarios_path)
    lines: list[str] = []
    seen: set[str] = set()
    try:
        for path in args.inputs:
            for source, obj in json_lines(path):
                if isinstance(obj, InputError):
                    raise obj
                if obj.get("case_id") in seen:
                    raise InputError(source, f"case_id {obj.get('case_id')!r} appears twice")
                seen.add(obj.get("case_id"))
                done = complete_label(obj, stage, source)
                lines.append(json.dumps(done, ensure_ascii=False, separators=(",", ":")))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} cases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
