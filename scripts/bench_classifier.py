#!/usr/bin/env python
"""Benchmark the language-model classifier on a labelled JSONL file (eval format).

Runs :func:`referee.classifier.build_classifier` on every case (the label is
read only after the classifier has answered) and prints, per variant, the
scenario accuracy, macro-F1, unclear and error rates, the share of verified
quotes, model calls and tokens per case and seconds per case. Variants run
side by side:

* ``base``: every scenario in the prompt;
* ``shortlist``: the embedding shortlister's top-k (+ unclear), when
  ``referee.classifier.shortlist`` is installed and configured;
* ``adapter``: a LoRA adapter on the embedded server (``--adapter PATH``, by
  default the shipped data/training/gemma-lora.gguf); variants without
  "adapter" in their name run without any;
* ``shortlist+adapter``: both.

A shortlist variant may name its own k, as in ``shortlist@3+adapter``.

Usage::

    .venv/bin/python scripts/bench_classifier.py /work/shared/data/dev/cases.jsonl
    .venv/bin/python scripts/bench_classifier.py FILE --limit 20 --variants base
    .venv/bin/python scripts/bench_classifier.py FILE --json /tmp/bench.json \
        --predictions /tmp/preds.jsonl

With LLM_BASE_URL set it measures that server instead of the embedded model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from referee.cases import Case, read_cases
from referee.classifier import build_classifier, load_shortlister
from referee.classifier.server import ADAPTER_PATH
from referee.errors import InputError
from referee.evaluate import macro_f1
from referee.messages import Transcript
from referee.settings import Settings


def _transcript(case: Case) -> Transcript:
    ev = case.event
    return Transcript(
        cancellation_id=ev.cancellation_id,
        booking_id=ev.booking_id,
        status="supplied" if ev.transcript is not None else "none",
        utterances=ev.transcript or (),
    )


def run_variant(
    name: str, settings: Settings, cases: list[Case], shortlister: Any, predictions: Any
) -> dict[str, Any]:
    clf = build_classifier(settings, shortlister=shortlister if shortlister else False)
    gold: list[str] = []
    pred: list[str] = []
    calls = ptoks = ctoks = errors = quotes = verified = backed = 0
    seconds = 0.0
    try:
        for i, case in enumerate(cases, start=1):
            t0 = time.monotonic()
            c = clf.classify(case.event, _transcript(case))
            seconds += time.monotonic() - t0
            label = case.label.scenario if case.label else "?"
            gold.append(label)
            pred.append(c.scenario)
            calls += c.usage.model_calls
            ptoks += c.usage.prompt_tokens
            ctoks += c.usage.completion_tokens
            errors += c.error is not None
            quotes += len(c.evidence)
            verified += sum(e.verified for e in c.evidence)
            backed += any(e.verified for e in c.evidence)
            if predictions is not None:
                row = {
                    "variant": name,
                    "case_id": case.case_id,
                    "gold": label,
                    **c.model_dump(
                        mode="json",
                        include={
                            "scenario",
                            "reason",
                            "evidence",
                            "confidence",
                            "error",
                            "usage",
                            "trimmed",
                            "seconds",
                        },
                    ),
                }
                predictions.write(json.dumps(row, ensure_ascii=False) + "\n")
            mark = "ok " if c.scenario == label else "   "
            print(
                f"  [{name}] {i:3d}/{len(cases)} {mark}{label:34s} -> {c.scenario}"
                + (f"  (error: {c.error[:60]})" if c.error else ""),
                file=sys.stderr,
            )
    finally:
        clf.close()
    n = len(cases) or 1
    confusions = Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p)
    return {
        "variant": name,
        "cases": len(cases),
        "scenario_accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / n, 4),
        "scenario_macro_f1": round(macro_f1(gold, pred), 4),
        "unclear_rate": round(pred.count("unclear") / n, 4),
        "error_rate": round(errors / n, 4),
        "verified_quote_share": round(verified / quotes, 4) if quotes else 0.0,
        # What an auditor needs first: at least one quote that is really in the input.
        "cases_with_verified_quote": round(backed / n, 4),
        "model_calls_per_case": round(calls / n, 3),
        "prompt_tokens_per_case": round(ptoks / n, 1),
        "completion_tokens_per_case": round(ctoks / n, 1),
        "seconds_per_case": round(seconds / n, 3),
        "top_confusions": [f"{g} -> {p} x{k}" for (g, p), k in confusions.most_common(5)],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path, help="JSONL of labelled cases (eval format)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N cases")
    ap.add_argument(
        "--variants",
        default="auto",
        help="comma-separated: base, shortlist, adapter, shortlist+adapter, and "
        "shortlist@K(+adapter) for a shortlist of K; auto = base plus whatever is available",
    )
    ap.add_argument(
        "--adapter",
        type=Path,
        default=ADAPTER_PATH if ADAPTER_PATH.is_file() else None,
        help="LoRA adapter GGUF (default: the shipped one)",
    )
    ap.add_argument("--k", type=int, default=None, help="shortlist size (default from settings)")
    ap.add_argument("--json", type=Path, default=None, help="write the scores here")
    ap.add_argument(
        "--predictions",
        type=Path,
        default=None,
        help="write one JSON line per case and variant here",
    )
    args = ap.parse_args(argv)

    cases: list[Case] = []
    for item in read_cases(args.file):
        if isinstance(item, InputError):
            print(f"skipping {item}", file=sys.stderr)
        else:
            cases.append(item)
    cases = cases[: args.limit] if args.limit else cases

    base = Settings()
    if args.k:
        base = base.model_copy(
            update={"classifier": base.classifier.model_copy(update={"shortlist_k": args.k})}
        )
    shortlister = load_shortlister(base)
    if args.variants == "auto":
        variants = ["base"]
        if shortlister is not None:
            variants.append("shortlist")
        if args.adapter:
            variants += ["adapter"] + (["shortlist+adapter"] if shortlister else [])
    else:
        variants = [v.strip() for v in args.variants.split(",") if v.strip()]

    results = []
    # Line-buffered: an interrupted run keeps every case it finished.
    preds = args.predictions.open("w", encoding="utf-8", buffering=1) if args.predictions else None
    try:
        for name in variants:
            use_sl = "shortlist" in name
            if use_sl and shortlister is None:
                print(f"skipping {name}: no shortlister available", file=sys.stderr)
                continue
            if "adapter" in name and not args.adapter:
                print(f"skipping {name}: no --adapter given", file=sys.stderr)
                continue
            # No adapter unless the variant names one (the shipped one is on by default).
            server = base.classifier.server.model_copy(
                update={
                    "shipped_adapter": False,
                    "lora_path": args.adapter if "adapter" in name else None,
                }
            )
            clf_update: dict[str, Any] = {"server": server}
            if "@" in name:
                clf_update["shortlist_k"] = int(name.split("@", 1)[1].split("+", 1)[0])
            settings = base.model_copy(
                update={"classifier": base.classifier.model_copy(update=clf_update)}
            )
            results.append(
                run_variant(name, settings, cases, shortlister if use_sl else None, preds)
            )
    finally:
        if preds:
            preds.close()

    keys = [k for k in results[0] if k not in ("variant", "top_confusions")] if results else []
    print(f"\n{'metric':28s}" + "".join(f"{r['variant']:>20s}" for r in results))
    for k in keys:
        print(f"{k:28s}" + "".join(f"{r[k]!s:>20s}" for r in results))
    for r in results:
        print(f"\n{r['variant']}: top confusions (gold -> predicted)")
        for line in r["top_confusions"]:
            print(f"  {line}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
