#!/usr/bin/env python
"""Grammar-first-token sampling against llama-cpp-python's stock sampler, side by side.

Starts two embedded servers that differ only in
``ServerOptions.grammar_veto`` (both with the embedded defaults:
Gemma 3 270M, the shipped adapter, the shortlister) and classifies the same
cases on each, alternating which goes first so neither gains from the order.
Prints seconds per case for each, their ratio, the completion tokens, and how
many answers (scenario, reason, evidence, confidence) are identical.

Usage::

    .venv/bin/python scripts/bench_sampling.py data/probe/cases-5.jsonl --limit 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from referee.cases import read_cases
from referee.classifier import build_classifier, load_shortlister
from referee.errors import InputError
from referee.messages import Classification
from referee.settings import Settings
from referee.stages.transcribe import TranscribeStage


def _settings(grammar_veto: bool) -> Settings:
    base = Settings()
    server = base.classifier.server.model_copy(update={"grammar_veto": grammar_veto})
    classifier = base.classifier.model_copy(update={"server": server})
    return base.model_copy(update={"classifier": classifier})


def _answer(c: Classification) -> tuple[object, ...]:
    quotes = tuple((e.speaker, e.quote) for e in c.evidence)
    return (c.scenario, c.reason, quotes, c.confidence, c.error)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path, help="JSONL of labelled cases (eval format)")
    ap.add_argument("--limit", type=int, default=20, help="first N cases (default 20)")
    args = ap.parse_args(argv)

    cases = [c for c in read_cases(args.file) if not isinstance(c, InputError)][: args.limit]
    shortlister = load_shortlister(Settings())
    names = ("stock", "veto")
    clfs = {
        name: build_classifier(_settings(name == "veto"), shortlister=shortlister) for name in names
    }
    transcribe = TranscribeStage()  # no recogniser: the cases carry their transcripts
    seconds: dict[str, list[float]] = {name: [] for name in names}
    tokens = dict.fromkeys(names, 0)
    same = 0
    try:
        for i, case in enumerate(cases):
            answers = {}
            for name in names if i % 2 == 0 else names[::-1]:
                t0 = time.monotonic()
                c = clfs[name].classify(case.event, transcribe.process(case.event))
                seconds[name].append(time.monotonic() - t0)
                tokens[name] += c.usage.completion_tokens
                answers[name] = _answer(c)
            same += answers["stock"] == answers["veto"]
            print(
                f"  {i + 1:3d}/{len(cases)} stock {seconds['stock'][-1]:5.2f}s  "
                f"veto {seconds['veto'][-1]:5.2f}s  "
                f"{'same' if answers['stock'] == answers['veto'] else 'DIFFERENT'}",
                file=sys.stderr,
            )
    finally:
        for clf in clfs.values():
            clf.close()

    n = len(cases) or 1
    print(f"cases: {len(cases)} from {args.file}")
    print(f"{'sampler':15s} {'s/case':>8s} {'median':>8s} {'completion tok/case':>20s}")
    for name in names:
        s = seconds[name]
        print(
            f"{name:15s} {sum(s) / n:8.2f} {statistics.median(s) if s else 0:8.2f} "
            f"{tokens[name] / n:20.1f}"
        )
    ratio = sum(seconds["stock"]) / max(sum(seconds["veto"]), 1e-9)
    print(f"speed-up (stock / veto): {ratio:.2f}x")
    print(f"identical answers: {same}/{len(cases)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
