"""Decision scores of the embedded default path in seconds instead of minutes.

With the embedded model the scenario is the shortlister's first choice (the
small model only writes the reason and quotes; see docs/benchmarks-classifier.md),
so the decisions of `referee eval` can be reproduced by the shortlister plus the
rule table alone. The shortlister reads what it reads inside the classifier:
the case as the classifier's view renders it (injection attempts flagged and
redacted, long inputs trimmed). This prints the eval-format scores that way,
without labels being read before deciding, each decision score with its 95%
bootstrap interval over the cases.

    .venv/bin/python scripts/bench_decisions.py ../shared/data/dev/cases.jsonl
    # several files are scored as one pooled set (narrower intervals):
    .venv/bin/python scripts/bench_decisions.py ../shared/data/dev/cases.jsonl data/probe/*.jsonl
    # the shortlister's first fit alone, without the other ensemble members:
    .venv/bin/python scripts/bench_decisions.py --members 1 ../shared/data/dev/cases.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # faster on a small shared machine

from referee.cases import read_cases
from referee.classifier.prompts import load_prompts
from referee.classifier.render import build_view, shortlist_text
from referee.classifier.shortlist import Shortlister
from referee.errors import InputError
from referee.evaluate import IntervalOptions, Scoreboard, interval_fields
from referee.messages import Classification
from referee.scenarios import load_catalogue
from referee.settings import Settings
from referee.stages.decide import DecideStage
from referee.stages.transcribe import TranscribeStage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=Path, nargs="+", help="eval-format files, scored together")
    parser.add_argument(
        "--members",
        type=int,
        default=None,
        help="use only the shortlister's first N ensemble members (1: the first fit alone)",
    )
    args = parser.parse_args()
    settings = Settings()
    shortlister = Shortlister.from_settings(settings)
    if shortlister is None:
        raise SystemExit("the shortlister is not installed (make install)")
    decide = DecideStage.from_files(settings.rules_path, settings.scenarios_path)
    prompts = load_prompts(settings.prompts_dir, load_catalogue(settings.scenarios_path))
    options = settings.classifier
    transcribe = TranscribeStage()
    board = Scoreboard()
    for case in (c for path in args.cases for c in read_cases(path)):
        if isinstance(case, InputError) or case.label is None:
            board.errors += 1
            continue
        started = time.perf_counter()
        # The case carries its transcript inline; the stage only wraps it.
        transcript = transcribe.process(case.event)
        view = build_view(
            case.event,
            transcript,
            prompts,
            max_chars=options.max_input_chars,
            redact=options.redact_injections,
        )
        scenario, _ = shortlister.predict(shortlist_text(view), members=args.members)
        classification = Classification(
            cancellation_id=case.case_id,
            booking_id=case.event.booking_id,
            scenario=scenario,
            classifier="shortlist-top1",
        )
        decision = decide.process(case.event, classification, case.signals)
        board.add(case.case_id, case.label, decision, time.perf_counter() - started)
    opts = IntervalOptions()
    scores = board.scores() | interval_fields(board.intervals(opts), opts)
    print(json.dumps(scores, indent=2))


if __name__ == "__main__":
    main()
