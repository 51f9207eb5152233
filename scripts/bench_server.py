#!/usr/bin/env python
"""Two settings of the embedded model server, side by side on the same cases.

Starts two embedded servers that differ only in the ``ServerOptions`` fields
given as ``--a`` and ``--b`` (JSON objects; the rest are the embedded
defaults: Gemma 3 270M, the shipped adapter, the shortlister) and classifies
the same cases on each, alternating which goes first so neither gains from the
order. Prints seconds per case for each, their ratio, the completion tokens,
and how many answers (scenario, reason, evidence, confidence) are identical.

Usage::

    # the grammar veto against llama-cpp-python's stock sampler (the default pair)
    .venv/bin/python scripts/bench_server.py ../shared/data/dev/cases.jsonl --limit 40
    # generation on one thread (llama-cpp-python's default here) against two
    .venv/bin/python scripts/bench_server.py FILE --a '{"threads": 1}' --b '{"threads": 2}'
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from referee.cases import read_cases
from referee.classifier import build_classifier, load_shortlister
from referee.errors import InputError
from referee.messages import Classification
from referee.settings import Settings
from referee.stages.transcribe import TranscribeStage


def _settings(server_fields: dict[str, Any]) -> Settings:
    base = Settings()
    server = base.classifier.server.model_validate(
        {**base.classifier.server.model_dump(), **server_fields}
    )
    classifier = base.classifier.model_copy(update={"server": server})
    return base.model_copy(update={"classifier": classifier})


def _answer(c: Classification) -> tuple[object, ...]:
    quotes = tuple((e.speaker, e.quote) for e in c.evidence)
    return (c.scenario, c.reason, quotes, c.confidence, c.error)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path, help="JSONL of labelled cases (eval format)")
    ap.add_argument("--limit", type=int, default=20, help="first N cases (default 20)")
    ap.add_argument("--a", default='{"grammar_veto": false}', help="ServerOptions fields of A")
    ap.add_argument("--b", default="{}", help="ServerOptions fields of B ({}: the defaults)")
    args = ap.parse_args(argv)

    cases = [c for c in read_cases(args.file) if not isinstance(c, InputError)][: args.limit]
    shortlister = load_shortlister(Settings())
    fields = {"A": json.loads(args.a), "B": json.loads(args.b)}
    clfs = {
        name: build_classifier(_settings(f), shortlister=shortlister) for name, f in fields.items()
    }
    transcribe = TranscribeStage()  # no recogniser: the cases carry their transcripts
    seconds: dict[str, list[float]] = {name: [] for name in fields}
    tokens = dict.fromkeys(fields, 0)
    same = 0
    try:
        for i, case in enumerate(cases):
            answers = {}
            for name in ("A", "B") if i % 2 == 0 else ("B", "A"):
                t0 = time.monotonic()
                c = clfs[name].classify(case.event, transcribe.process(case.event))
                seconds[name].append(time.monotonic() - t0)
                tokens[name] += c.usage.completion_tokens
                answers[name] = _answer(c)
            same += answers["A"] == answers["B"]
            print(
                f"  {i + 1:3d}/{len(cases)} A {seconds['A'][-1]:5.2f}s  B {seconds['B'][-1]:5.2f}s"
                f"  {'same' if answers['A'] == answers['B'] else 'DIFFERENT'}",
                file=sys.stderr,
            )
    finally:
        for clf in clfs.values():
            clf.close()

    n = len(cases) or 1
    print(f"cases: {len(cases)} from {args.file}")
    labels = {name: f"{name} {json.dumps(f)}" for name, f in fields.items()}
    w = max(len(label) for label in labels.values())
    print(f"{'server':{w}s} {'s/case':>8s} {'median':>8s} {'completion tok/case':>20s}")
    for name, label in labels.items():
        s = seconds[name]
        print(
            f"{label:{w}s} {sum(s) / n:8.2f} {statistics.median(s) if s else 0:8.2f} "
            f"{tokens[name] / n:20.1f}"
        )
    ratio = sum(seconds["A"]) / max(sum(seconds["B"]), 1e-9)
    print(f"speed-up (A / B): {ratio:.2f}x")
    print(f"identical answers: {same}/{len(cases)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
