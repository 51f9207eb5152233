"""Synthetic test calls: espeak-ng speaks a script of turns, one voice per stereo channel.

Used by ``tests/audio`` and ``scripts/bench_asr.py`` so that no recording of a
real person is needed. A call is a list of :class:`Turn` (speaker, text, voice)
placed one after another with pauses (or overlaps), optionally preceded by an
*opening*: ring-back tones, line noise, or a greeting in another language.
Every placed turn's true start and end are returned, so tests can score who
was heard when. Needs the ``espeak-ng`` program (Debian: ``apt-get install
espeak-ng``).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np

from referee.errors import ConfigError

Party = Literal["customer", "professional"]
Channel = Literal["left", "right", "both"]

#: Default voices: clearly different to the ear and to Whisper.
VOICES: dict[str, str] = {"customer": "en-us", "professional": "en-gb-x-rp"}


@dataclass(frozen=True)
class Turn:
    speaker: Party
    text: str
    voice: str | None = None
    pause: float = 0.6  # seconds after the previous turn; negative overlaps it
    speed: int = 155  # espeak words per minute


@dataclass(frozen=True)
class Ring:
    """Ring-back tone (400+450 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off), on both lines."""

    seconds: float = 6.0
    level_db: float = -14.0


@dataclass(frozen=True)
class Noise:
    """Line noise (white noise) on both lines."""

    seconds: float = 6.0
    level_db: float = -30.0


@dataclass(frozen=True)
class Greeting:
    """Speech before the conversation, e.g. an IVR message in another language."""

    text: str
    voice: str
    channel: Channel = "both"
    speed: int = 150
    pause: float = 0.5


@dataclass(frozen=True)
class Placed:
    """Where a turn ended up in the call, in seconds."""

    speaker: Party
    text: str
    start: float
    end: float


@dataclass
class SynthCall:
    path: Path
    sample_rate: int
    seconds: float
    turns: list[Placed] = field(default_factory=list)
    opening_seconds: float = 0.0

    def speaker_at(self, t: float, slack: float = 0.5) -> Party | None:
        """Who was speaking at ``t`` (the nearest turn within ``slack`` seconds)."""
        best: tuple[float, Party] | None = None
        for p in self.turns:
            d = 0.0 if p.start <= t <= p.end else min(abs(t - p.start), abs(t - p.end))
            if d <= slack and (best is None or d < best[0]):
                best = (d, p.speaker)
        return best[1] if best else None

    def reference_text(self) -> str:
        return " ".join(p.text for p in sorted(self.turns, key=lambda p: p.start))


def espeak(text: str, voice: str, speed: int = 155, rate: int = 16000) -> np.ndarray:
    """Speak ``text`` with espeak-ng; float32 mono at ``rate``, leading/trailing silence cut."""
    return _espeak(text, voice, speed, rate).copy()


@lru_cache(maxsize=256)
def _espeak(text: str, voice: str, speed: int, rate: int) -> np.ndarray:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise ConfigError("espeak-ng is not installed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.wav"
        subprocess.run(
            [exe, "-v", voice, "-s", str(speed), "-w", str(out), text],
            check=True,
            capture_output=True,
        )
        with wave.open(io.BytesIO(out.read_bytes())) as w:
            src_rate = w.getframerate()
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    samples = pcm.astype(np.float32) / 32768.0
    samples = resample(samples, src_rate, rate)
    loud = np.flatnonzero(np.abs(samples) > 0.01)
    if loud.size:
        samples = samples[loud[0] : loud[-1] + 1]
    return samples


def resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Windowed-sinc low-pass then linear interpolation: good enough for synthetic speech."""
    if src == dst or x.size == 0:
        return x.astype(np.float32)
    if dst < src:
        cutoff = 0.45 * dst / src  # cycles per input sample, below the new Nyquist
        taps = 101
        n = np.arange(taps) - (taps - 1) / 2
        h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
        x = np.convolve(x, h / h.sum(), mode="same")
    t_out = np.arange(int(x.size * dst / src)) * (src / dst)
    return np.interp(t_out, np.arange(x.size), x).astype(np.float32)


def _ring(seconds: float, rate: int, level_db: float) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.5 * (np.sin(2 * np.pi * 400 * t) + np.sin(2 * np.pi * 450 * t))
    cycle = t % 3.0
    on = (cycle < 0.4) | ((cycle >= 0.6) & (cycle < 1.0))
    return (tone * on * 10 ** (level_db / 20)).astype(np.float32)


def _noise(seconds: float, rate: int, level_db: float, rng: np.random.Generator) -> np.ndarray:
    return (rng.standard_normal(int(seconds * rate)) * 10 ** (level_db / 20)).astype(np.float32)


def build_call(
    turns: Sequence[Turn],
    path: Path,
    *,
    customer_channel: Literal["left", "right"] = "left",
    sample_rate: int = 16000,
    opening: Sequence[Ring | Noise | Greeting] = (),
    voices: dict[str, str] | None = None,
    crosstalk_db: float | None = -30.0,
    floor_noise_db: float | None = -60.0,
    mono: bool = False,
    lead_in: float = 0.5,
    tail: float = 0.8,
    seed: int = 0,
) -> SynthCall:
    """Write a call to ``path`` (16-bit WAV) and return where each turn is.

    ``crosstalk_db`` leaks each line into the other at that level (the echo real
    calls have); ``floor_noise_db`` adds faint hiss so silence is not digital zero.
    ``mono`` writes a single mixed channel.
    """
    rng = np.random.default_rng(seed)
    voices = {**VOICES, **(voices or {})}
    lines: list[list[tuple[int, np.ndarray]]] = [[], []]  # (start sample, samples) per channel
    cust = 0 if customer_channel == "left" else 1
    t = lead_in

    def put(channel: Channel | int, at: float, samples: np.ndarray) -> None:
        idx = (
            [0, 1]
            if channel == "both"
            else [channel if isinstance(channel, int) else (0 if channel == "left" else 1)]
        )
        for i in idx:
            lines[i].append((int(at * sample_rate), samples))

    for part in opening:
        if isinstance(part, Ring):
            put("both", t, _ring(part.seconds, sample_rate, part.level_db))
            t += part.seconds
        elif isinstance(part, Noise):
            put("both", t, _noise(part.seconds, sample_rate, part.level_db, rng))
            t += part.seconds
        else:
            s = espeak(part.text, part.voice, part.speed, sample_rate)
            put(part.channel, t, s * 0.7)
            t += s.size / sample_rate + part.pause
    opening_seconds = t

    placed: list[Placed] = []
    prev_end = t
    for i, turn in enumerate(turns):
        s = espeak(turn.text, turn.voice or voices[turn.speaker], turn.speed, sample_rate)
        start = prev_end + (turn.pause if i else 0.0)
        start = max(start, 0.0)
        ch = cust if turn.speaker == "customer" else 1 - cust
        put(ch, start, s * 0.8)
        if crosstalk_db is not None:
            put(1 - ch, start, s * 0.8 * 10 ** (crosstalk_db / 20))
        end = start + s.size / sample_rate
        placed.append(Placed(turn.speaker, turn.text, round(start, 3), round(end, 3)))
        prev_end = max(prev_end, end)

    total = int((prev_end + tail) * sample_rate)
    out = np.zeros((2, total), dtype=np.float32)
    for i in (0, 1):
        for at, samples in lines[i]:
            n = min(samples.size, total - at)
            out[i, at : at + n] += samples[:n]
        if floor_noise_db is not None:
            out[i] += _noise(total / sample_rate, sample_rate, floor_noise_db, rng)[:total]
    if mono:
        out = out.mean(axis=0, keepdims=True)
    write_wav(path, out, sample_rate)
    return SynthCall(path, sample_rate, total / sample_rate, placed, opening_seconds)


def write_wav(path: Path, channels: np.ndarray, rate: int) -> None:
    """Write float channels (shape [channels, samples]) as 16-bit PCM WAV."""
    pcm = (np.clip(channels, -1.0, 1.0) * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(pcm.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.T.tobytes())


# --------------------------------------------------------------------------- scripts

#: A home-services call, one (speaker, text) per turn, repeated for longer calls.
DIALOGUE: tuple[tuple[Party, str], ...] = (
    ("professional", "Hello, this is Ravi from the cleaning service."),
    ("customer", "Hi Ravi, yes, I booked a deep cleaning for today."),
    ("professional", "I am calling about your booking at four in the afternoon."),
    ("customer", "Is there a problem? I have been waiting since morning."),
    ("professional", "My scooter broke down on the highway and I cannot reach you on time."),
    ("customer", "That is very disappointing. I took the day off for this."),
    ("professional", "I am really sorry. Can we move the visit to tomorrow morning?"),
    ("customer", "No, tomorrow does not work for me at all."),
    ("professional", "Then I will have to cancel the booking from my side."),
    ("customer", "Fine, please cancel it and make sure I get a full refund."),
    ("professional", "Yes madam, the refund will reach your account in three days."),
    ("customer", "Thank you. Please do not charge me any cancellation fee."),
    ("professional", "There will be no fee, the cancellation is on my side."),
    ("customer", "Alright, goodbye then."),
)


def build_call_of_length(seconds: float, path: Path, **kwargs: Any) -> SynthCall:
    """A :func:`dialogue` call at least ``seconds`` long (turns added until it is)."""
    target = seconds
    while True:
        call = build_call(dialogue(target), path, **kwargs)
        if call.seconds >= seconds:
            return call
        target += seconds - call.seconds + 3.0  # always grows, so this ends


def dialogue(seconds: float = 60.0, words_per_second: float = 2.6) -> list[Turn]:
    """Turns from :data:`DIALOGUE`, repeated until about ``seconds`` of speech."""
    turns: list[Turn] = []
    spoken = 0.0
    i = 0
    while spoken < seconds:
        speaker, text = DIALOGUE[i % len(DIALOGUE)]
        turns.append(Turn(speaker, text))
        spoken += len(text.split()) / words_per_second + 0.6
        i += 1
    return turns
