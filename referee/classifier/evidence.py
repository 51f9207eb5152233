"""Check the model's quotes against the input: a quote is evidence only if it was said.

A quote is normalised (Unicode NFKC, case-folded, punctuation dropped, spaces
collapsed) and looked for in every input line: first as a substring, then
fuzzily (best window of the line with about as many words, scored with
:class:`difflib.SequenceMatcher`) to forgive the small slips a model makes
when copying. A found quote takes its speaker, time and source from the line
it was found in (the input is the truth, not the model's label for it); a
quote found nowhere keeps the model's labels and ``verified=False``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from referee.classifier.render import Line
from referee.messages import Evidence, Speaker

_TIME = re.compile(r"(\d{1,3}):(\d{2})")


def normalise(text: str) -> str:
    """Case-folded letters, digits and combining marks, single-spaced.

    Marks (Unicode category M) are kept: in Devanagari and other Indic
    scripts the vowel signs are marks, and dropping them would merge words.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in text)
    return " ".join(kept.split())


@dataclass(frozen=True)
class RawQuote:
    """A quote as the model gave it."""

    speaker: str
    quote: str
    time: str | None = None


def parse_time(label: str | None) -> float | None:
    """Seconds from a ``mm:ss`` label; None for chat or booking labels."""
    if not label or "chat" in label.lower():
        return None
    m = _TIME.search(label)
    if not m:
        return None
    return int(m.group(1)) * 60 + int(m.group(2))


def _score(quote: str, line: str) -> float:
    """How well a normalised quote matches somewhere in a normalised line (0..1)."""
    if not quote or not line:
        return 0.0
    if quote in line:
        return 1.0
    q_words = quote.split()
    l_words = line.split()
    n = len(q_words)
    best = 0.0
    # Windows a word shorter or longer than the quote absorb a dropped or
    # added word; a quote longer than the line is compared with the whole line.
    for size in {max(1, n - 1), n, n + 1}:
        if size >= len(l_words):
            windows = [line]
        else:
            windows = [" ".join(l_words[i : i + size]) for i in range(len(l_words) - size + 1)]
        for w in windows:
            sm = SequenceMatcher(None, quote, w, autojunk=False)
            if sm.real_quick_ratio() <= best or sm.quick_ratio() <= best:
                continue
            best = max(best, sm.ratio())
    return best


def verify_quotes(
    quotes: Sequence[RawQuote],
    lines: Sequence[Line],
    *,
    threshold: float = 0.85,
    drop_unverified: bool = False,
    max_chars: int = 200,
) -> tuple[Evidence, ...]:
    """Evidence for each distinct, non-empty quote, verified against ``lines``."""
    norm_lines = [normalise(ln.text) for ln in lines]
    out: list[Evidence] = []
    seen: set[str] = set()
    for q in quotes:
        nq = normalise(q.quote)
        # One or two characters ("ok", "haan") prove nothing and match anything.
        if len(nq) < 3 or nq in seen:
            continue
        seen.add(nq)
        claimed_start = parse_time(q.time)
        best_i, best = -1, 0.0
        for i, nl in enumerate(norm_lines):
            s = _score(nq, nl)
            # Among equal matches prefer the line the model pointed at.
            if s > best or (
                s == best
                and s > 0
                and best_i >= 0
                and _agrees(lines[i], q, claimed_start)
                and not _agrees(lines[best_i], q, claimed_start)
            ):
                best_i, best = i, s
        text = q.quote.strip()[:max_chars]
        if best_i >= 0 and best >= threshold:
            ln = lines[best_i]
            out.append(
                Evidence(
                    speaker=ln.speaker, quote=text, start=ln.start, source=ln.source, verified=True
                )
            )
        elif not drop_unverified:
            out.append(
                Evidence(
                    speaker=_speaker(q.speaker),
                    quote=text,
                    start=claimed_start,
                    source="chat" if q.time and "chat" in q.time.lower() else "call",
                    verified=False,
                )
            )
    return tuple(out)


def _agrees(line: Line, q: RawQuote, start: float | None) -> bool:
    if line.speaker != _speaker(q.speaker):
        return False
    return start is None or line.start is None or abs(line.start - start) < 1.5


def _speaker(value: str) -> Speaker:
    v = (value or "").strip().lower()
    if v.startswith("cust"):
        return "customer"
    if v.startswith("pro"):
        return "professional"
    return "unknown"
