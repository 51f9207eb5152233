"""Fit the shortlister on the project's training data and ship the index.

Run after changing the training files (data/training/train.jsonl, the
members' train-seed*.jsonl.gz, written.jsonl.gz), rules/scenarios.yaml or the
ShortlistOptions defaults; tests/classifier/test_shortlist.py fails while the
shipped index is stale. A fresh install then scores at once instead of
embedding ~3,500 training conversations first (2-6 minutes on 2 cores).

    .venv/bin/python scripts/fit_shortlist.py
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # faster on a small shared machine

import sys
import time

from referee.classifier.shortlist import Shortlister
from referee.settings import Settings


def main() -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    shortlister = Shortlister.from_settings(Settings())
    if shortlister is None:
        print("the embedding package is not installed (make install)", file=sys.stderr)
        return 2
    target = shortlister.options.shipped_index
    if target is None:
        print("ShortlistOptions.shipped_index is None: nothing to write", file=sys.stderr)
        return 2
    started = time.perf_counter()
    shortlister.write_shipped(target)
    took = time.perf_counter() - started
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB) in {took:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
