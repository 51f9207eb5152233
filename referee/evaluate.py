"""Scoring: compare decisions with labels and compute the scores of ``eval-format.md``.

The scorer only ever sees a label after the pipeline has decided the case.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from referee.cases import CaseLabel
from referee.messages import Decision


@dataclass
class Scored:
    case_id: str
    label: CaseLabel
    decision: Decision


@dataclass
class Scoreboard:
    """Accumulates decisions against labels; ``scores()`` gives the spec's keys."""

    items: list[Scored] = field(default_factory=list)
    errors: int = 0  # case lines that could not be read
    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    def add(self, case_id: str, label: CaseLabel, decision: Decision, seconds: float) -> None:
        self.items.append(Scored(case_id, label, decision))
        self.seconds += seconds
        if decision.classification is not None:
            usage = decision.classification.usage
            self.model_calls += usage.model_calls
            self.prompt_tokens += usage.prompt_tokens
            self.completion_tokens += usage.completion_tokens

    def scores(self) -> dict[str, Any]:
        n = len(self.items)
        out: dict[str, Any] = {"cases": n, "unreadable_lines": self.errors}
        # The spec's convention: a precision or recall with nothing to count is 0.
        out.update({k: v or 0.0 for k, v in quality_scores(self.items).items()})
        # Not a score: the share the labels themselves send to a person. Beside
        # undetermined_rate it shows how much of that rate the procedure asks for.
        out["label_undetermined_rate"] = _ratio(
            sum(i.label.responsible == "undetermined" for i in self.items), n
        )
        out["model_calls_per_case"] = _ratio(self.model_calls, n)
        out["prompt_tokens_per_case"] = _ratio(self.prompt_tokens, n)
        out["completion_tokens_per_case"] = _ratio(self.completion_tokens, n)
        out["seconds_per_case"] = _ratio(self.seconds, n)
        return out

    def intervals(self, opts: IntervalOptions | None = None) -> dict[str, tuple[float, float]]:
        """Percentile bootstrap interval of every quality score, resampling the cases.

        A score on 126 cases is one draw: professional precision rests on the
        ~50 cases predicted professional, where one case moves it by two
        points. The interval says how far the same system's score could move
        on another set of cases like these, which is what a target "on unseen
        cases" is about. Resampled with a fixed seed, so a file prints the
        same interval every time.
        """
        opts = opts or IntervalOptions()
        if not self.items or opts.resamples <= 0:
            return {}
        rng = random.Random(opts.seed)
        n = len(self.items)
        draws: dict[str, list[float]] = {key: [] for key in QUALITY_KEYS}
        for _ in range(opts.resamples):
            sample = [self.items[rng.randrange(n)] for _ in range(n)]
            for key, value in quality_scores(sample).items():
                # A resample with no case predicted (or labelled) professional has no
                # professional precision (recall): it says nothing, it does not say 0.
                if value is not None:
                    draws[key].append(value)
        tail = (1 - opts.level) / 2
        out = {}
        for key, values in draws.items():
            if values:
                values.sort()
                out[key] = (_quantile(values, tail), _quantile(values, 1 - tail))
        return out


@dataclass(frozen=True)
class IntervalOptions:
    """How ``referee eval`` estimates the spread of its scores (see ``Scoreboard.intervals``)."""

    #: Bootstrap resamples of the cases; 0 turns intervals off. 2,000 keeps the
    #: interval's ends steady to about a point (other seeds move them by 0.01) and
    #: costs 0.4 s on 126 cases.
    resamples: int = 2000
    #: Share of the resampled scores inside the interval.
    level: float = 0.95
    #: Seed of the resampling, fixed so that the same file gives the same interval.
    seed: int = 0


#: The scores that measure decisions (not cost); each gets an interval.
QUALITY_KEYS = (
    "scenario_accuracy",
    "scenario_macro_f1",
    "responsible_accuracy",
    "professional_precision",
    "professional_recall",
    "customer_precision",
    "customer_recall",
    "undetermined_rate",
    "penalty_accuracy",
)


def interval_fields(
    intervals: dict[str, tuple[float, float]], opts: IntervalOptions
) -> dict[str, float]:
    """Intervals as flat JSON fields: ``<score>_low``, ``<score>_high`` and ``interval_level``."""
    out: dict[str, float] = {}
    for key, (low, high) in intervals.items():
        out[f"{key}_low"], out[f"{key}_high"] = low, high
    if intervals:
        out["interval_level"] = opts.level
    return out


def quality_scores(items: Sequence[Scored]) -> dict[str, float | None]:
    """The decision scores of ``eval-format.md`` over these items, keyed as QUALITY_KEYS.

    ``undetermined`` is a miss for recall, never a prediction for precision. A
    party's precision is None when no item is predicted that party, its recall
    None when no item is labelled that party.
    """
    n = len(items)
    gold_s = [i.label.scenario for i in items]
    pred_s = [i.decision.scenario for i in items]
    gold_r = [i.label.responsible for i in items]
    pred_r = [i.decision.responsible for i in items]
    out: dict[str, float | None] = {
        "scenario_accuracy": _agreement(gold_s, pred_s),
        "scenario_macro_f1": macro_f1(gold_s, pred_s),
        "responsible_accuracy": _agreement(gold_r, pred_r),
    }
    for party in ("professional", "customer"):
        tp = sum(g == party and p == party for g, p in zip(gold_r, pred_r, strict=True))
        predicted, actual = pred_r.count(party), gold_r.count(party)
        out[f"{party}_precision"] = tp / predicted if predicted else None
        out[f"{party}_recall"] = tp / actual if actual else None
    out["undetermined_rate"] = _ratio(sum(p == "undetermined" for p in pred_r), n)
    out["penalty_accuracy"] = _ratio(sum(i.label.penalty == i.decision.penalty for i in items), n)
    return out


def _quantile(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted values, by linear interpolation between neighbours."""
    pos = q * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _agreement(gold: Sequence[str], pred: Sequence[str]) -> float:
    return _ratio(sum(g == p for g, p in zip(gold, pred, strict=True)), len(gold))


def _ratio(num: float, den: float) -> float:
    return float(num) / den if den else 0.0


def macro_f1(gold: Iterable[str], pred: Iterable[str]) -> float:
    """Unweighted mean of per-scenario F1 over the scenarios present in gold or predictions."""
    gold, pred = list(gold), list(pred)
    labels = sorted(set(gold) | set(pred))
    if not labels:
        return 0.0
    tp: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            tp[g] += 1
    gold_n, pred_n = Counter(gold), Counter(pred)
    f1s = []
    for label in labels:
        precision = _ratio(tp[label], pred_n[label])
        recall = _ratio(tp[label], gold_n[label])
        f1s.append(_ratio(2 * precision * recall, precision + recall))
    return sum(f1s) / len(f1s)
