"""Scoring recognised calls against synthetic ground truth: WER and speaker attribution.

Shared by ``tests/audio`` and ``scripts/bench_asr.py``. Text is normalised
(lower case, no punctuation, small numbers spelled out) before the word error
rate, so "4" and "four" or "I'm" and "I am" are not counted as errors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from referee.audio.diarise import Assigned
from referee.audio.synth import SynthCall

_NUMBERS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_CONTRACTIONS = {
    "i'm": "i am",
    "can't": "cannot",
    "don't": "do not",
    "doesn't": "does not",
    "it's": "it is",
    "that's": "that is",
    "i'll": "i will",
    "won't": "will not",
    "there's": "there is",
    "you're": "you are",
}


def normalise(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'")
    for short, full in _CONTRACTIONS.items():
        text = text.replace(short, full)
    words = re.findall(r"[a-z0-9']+", text)
    out = []
    for w in words:
        w = w.strip("'")
        if w.isdigit() and int(w) < len(_NUMBERS):
            w = _NUMBERS[int(w)]
        if w:
            out.append(w)
    return out


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: (substitutions + deletions + insertions) / reference words."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)


def attribution(call: SynthCall, words: Sequence[Assigned]) -> tuple[float, int]:
    """Share of recognised words given to the speaker who was talking at the word's midpoint.

    An item holding several words (a whole segment, when word timestamps are off) counts
    once per word, each at its share of the item's time span (spread by characters), so
    segment-level and word-level results are scored alike. Words that fall in no turn
    (outside every turn by more than the slack) are not scored; returns (accuracy, words
    scored).
    """
    right = scored = 0
    for a in words:
        for mid in _word_midpoints(a.word.text, a.word.start, a.word.end):
            truth = call.speaker_at(mid)
            if truth is None:
                continue
            scored += 1
            right += truth == a.speaker
    return (right / scored if scored else 0.0), scored


def _word_midpoints(text: str, start: float, end: float) -> list[float]:
    tokens = text.split()
    if len(tokens) <= 1:
        return [(start + end) / 2]
    total = sum(len(t) for t in tokens)
    out, done = [], 0
    for t in tokens:
        out.append(start + (end - start) * (done + len(t) / 2) / total)
        done += len(t)
    return out
