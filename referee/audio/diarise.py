"""Who said each word: channel activity for stereo calls, an optional pyannote pipeline for mono.

Stereo call recordings carry one party per channel. The call is recognised once
on the downmix (see :mod:`referee.audio.recognise`); here each channel's
activity is measured with pydub's silence detection and every word (or segment)
goes to the channel that was active while it was spoken. When both were active
(overlap, or echo of one line on the other) the louder channel wins.

Mono calls have no channels to go by. With a local pyannote.audio pipeline
configured (``asr.diarise.mono_pipeline``) its speaker turns split the words;
otherwise every utterance's speaker is ``unknown`` and the status says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from referee.audio.load import SAMPLE_RATE
from referee.audio.options import DiariseOptions
from referee.errors import ConfigError

with warnings.catch_warnings():
    # pydub warns about ffmpeg and audioop at import; we hand it raw PCM only.
    warnings.simplefilter("ignore")
    from pydub import AudioSegment
    from pydub.silence import detect_nonsilent

Role = Literal["customer", "professional", "unknown"]
Span = tuple[float, float]


@dataclass(frozen=True)
class Word:
    """A recognised word (or a whole segment when word timestamps are off)."""

    start: float
    end: float
    text: str
    segment: int = 0


@dataclass(frozen=True)
class Assigned:
    word: Word
    speaker: Role
    how: str  # "one_active", "energy", "nearest", "mono", "pyannote"


def to_segment(samples: np.ndarray) -> AudioSegment:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    return AudioSegment(data=pcm, sample_width=2, frame_rate=SAMPLE_RATE, channels=1)


def channel_activity(samples: np.ndarray, opts: DiariseOptions) -> list[Span]:
    """Stretches (seconds) where a channel is not silent, by pydub silence detection."""
    seg = to_segment(samples)
    if seg.rms == 0:
        return []
    # Relative to the channel's own level, so a quiet line still shows its speech,
    # but never below the absolute floor, so hiss on a silent line is not activity.
    thresh = max(seg.dBFS - opts.silence_below_channel_db, opts.silence_floor_dbfs)
    spans = detect_nonsilent(
        seg,
        min_silence_len=opts.min_silence_ms,
        silence_thresh=thresh,
        seek_step=opts.seek_step_ms,
    )
    return [(s / 1000.0, e / 1000.0) for s, e in spans]


def channels_identical(left: np.ndarray, right: np.ndarray, opts: DiariseOptions) -> bool:
    """True for 'dual mono': the same mix written to both channels."""
    n = min(left.size, right.size)
    if n == 0:
        return True
    sig = float(
        np.mean(left[:n].astype(np.float64) ** 2) + np.mean(right[:n].astype(np.float64) ** 2)
    )
    diff = float(np.mean((left[:n].astype(np.float64) - right[:n]) ** 2))
    if sig == 0:
        return True
    return 10 * np.log10(max(diff, 1e-20) / sig) < opts.identical_channels_db


def _overlap(span: Span, spans: Sequence[Span]) -> float:
    s, e = span
    return sum(max(0.0, min(e, b) - max(s, a)) for a, b in spans if b > s and a < e)


def _distance(span: Span, spans: Sequence[Span]) -> float:
    s, e = span
    best = np.inf
    for a, b in spans:
        if b < s:
            best = min(best, s - b)
        elif a > e:
            best = min(best, a - e)
        else:
            return 0.0
    return float(best)


def _rms(samples: np.ndarray, span: Span) -> float:
    a = max(0, int(span[0] * SAMPLE_RATE))
    b = min(samples.size, max(a + 1, int(span[1] * SAMPLE_RATE)))
    if b <= a:
        return 0.0
    chunk = samples[a:b].astype(np.float64)
    return float(np.sqrt(np.mean(chunk**2)))


class StereoDiariser:
    """Assigns words to the customer or professional channel."""

    def __init__(
        self,
        left: np.ndarray,
        right: np.ndarray,
        customer_channel: Literal["left", "right"],
        opts: DiariseOptions,
    ) -> None:
        self.opts = opts
        self.samples = (left, right)
        self.activity = (channel_activity(left, opts), channel_activity(right, opts))
        self.roles: tuple[Role, Role] = (
            ("customer", "professional")
            if customer_channel == "left"
            else ("professional", "customer")
        )

    def channel_of(self, span: Span) -> tuple[int, str]:
        pad = self.opts.word_pad_seconds
        wide = (max(0.0, span[0] - pad), span[1] + pad)
        ov = [_overlap(wide, act) for act in self.activity]
        if ov[0] > 0 and ov[1] == 0:
            return 0, "one_active"
        if ov[1] > 0 and ov[0] == 0:
            return 1, "one_active"
        if ov[0] == 0 and ov[1] == 0:
            # Neither side active (timestamps drifted into a pause): the nearer activity wins.
            d = [_distance(wide, act) for act in self.activity]
            if d[0] != d[1]:
                return (0 if d[0] < d[1] else 1), "nearest"
        # Both active (overlap or echo) or equally near: the louder channel spoke.
        e = [_rms(ch, span) for ch in self.samples]
        return (0 if e[0] >= e[1] else 1), "energy"

    def assign(self, words: Sequence[Word]) -> list[Assigned]:
        out = []
        for w in words:
            ch, how = self.channel_of((w.start, w.end))
            out.append(Assigned(w, self.roles[ch], how))
        return out

    def any_activity(self, span: Span) -> bool:
        """Was either line active around ``span``? (No: text there was invented.)"""
        pad = self.opts.word_pad_seconds
        wide = (max(0.0, span[0] - pad), span[1] + pad)
        return any(_overlap(wide, act) > 0 for act in self.activity)


class MonoDiariser:
    """A local pyannote.audio pipeline for single-channel calls (optional dependency)."""

    def __init__(self, pipeline_path: Path, first_speaker: Role) -> None:
        try:
            from pyannote.audio import Pipeline
        except ImportError as exc:
            raise ConfigError(
                "asr.diarise.mono_pipeline is set but pyannote.audio is not installed"
            ) from exc
        path = Path(pipeline_path).expanduser()
        config = path / "config.yaml" if path.is_dir() else path
        if not config.is_file():
            raise ConfigError(f"asr.diarise.mono_pipeline {config} does not exist")
        # A local config only: pyannote would otherwise fetch from the hub.
        self.pipeline: Any = Pipeline.from_pretrained(str(config))
        self.first_speaker = first_speaker

    def turns(self, samples: np.ndarray) -> list[tuple[float, float, str]]:
        import torch

        waveform = torch.from_numpy(samples[None, :].astype(np.float32))
        result = self.pipeline({"waveform": waveform, "sample_rate": SAMPLE_RATE})
        annotation = getattr(result, "speaker_diarization", result)
        return [
            (t.start, t.end, str(label)) for t, _, label in annotation.itertracks(yield_label=True)
        ]

    def assign(self, words: Sequence[Word], samples: np.ndarray) -> tuple[list[Assigned], int]:
        return assign_turns(words, self.turns(samples), self.first_speaker)


def assign_turns(
    words: Sequence[Word], turns: Sequence[tuple[float, float, str]], first_speaker: Role
) -> tuple[list[Assigned], int]:
    """Give each word the label of the diarisation turn it overlaps most; count the labels.

    Labels become roles only for a two-party call whose first speaker is known
    (``asr.diarise.mono_first_speaker``): the label heard first is that party,
    the other label the other party. Anything else (one voice, three voices, a
    word outside every turn, an unknown first speaker) stays ``unknown``,
    because guessing who is who would put one party's words in the other's mouth.
    """
    order: list[str] = []
    for _, _, label in sorted(turns):
        if label not in order:
            order.append(label)
    roles: dict[str, Role] = {}
    if first_speaker != "unknown" and len(order) == 2:
        other: Role = "professional" if first_speaker == "customer" else "customer"
        roles = {order[0]: first_speaker, order[1]: other}
    out = []
    for w in words:
        span = (w.start, w.end)
        best = max(turns, key=lambda t: _overlap(span, [(t[0], t[1])]), default=None)
        inside = best is not None and _overlap(span, [(best[0], best[1])]) > 0
        role: Role = roles.get(best[2], "unknown") if best is not None and inside else "unknown"
        out.append(Assigned(w, role, "pyannote"))
    return out, len(order)


def group_utterances(
    assigned: Sequence[Assigned], gap: float
) -> list[tuple[Role, float, float, str]]:
    """Consecutive words of one speaker form an utterance; a long pause starts a new one."""
    out: list[tuple[Role, float, float, str]] = []
    cur: list[Assigned] = []

    def flush() -> None:
        if cur:
            text = "".join(a.word.text for a in cur).strip()
            if text:
                out.append((cur[0].speaker, cur[0].word.start, cur[-1].word.end, text))

    for a in assigned:
        if cur and (a.speaker != cur[-1].speaker or a.word.start - cur[-1].word.end > gap):
            flush()
            cur = []
        cur.append(a)
    flush()
    return out
