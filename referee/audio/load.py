"""Reading a call recording: decode it with PyAV to 16 kHz float channels, and say what is wrong.

Every problem with the file itself becomes an :class:`AudioProblem` with a short
status code (``missing_file``, ``corrupt_audio``, ``empty_audio``...) and a
sentence for a person; problems that still leave usable audio (a truncated
file, a call cut at the length limit, narrow-band telephony audio) are
returned as notes beside the samples.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import av
import numpy as np

from referee.audio.options import LimitsOptions
from referee.errors import AudioError

#: Whisper's input rate.
SAMPLE_RATE = 16000


class AudioProblem(AudioError):
    """A recording that cannot be recognised; ``status`` is the transcript's status code."""

    def __init__(self, status: str, detail: str) -> None:
        self.status = status
        self.detail = detail
        super().__init__(f"{status}: {detail}")


@dataclass
class Audio:
    """Decoded audio: one or two float32 channels at 16 kHz, and what was noticed on the way."""

    channels: list[np.ndarray]
    source_rate: int
    source_channels: int
    declared_seconds: float | None = None
    truncated: bool = False
    cut: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return len(self.channels[0]) / SAMPLE_RATE if self.channels else 0.0

    @property
    def stereo(self) -> bool:
        return len(self.channels) == 2

    def mono(self) -> np.ndarray:
        """The downmix Whisper hears: both parties in one stream, so it keeps the context."""
        if len(self.channels) == 1:
            return self.channels[0]
        return ((self.channels[0] + self.channels[1]) * 0.5).astype(np.float32)


def local_path(uri: str) -> Path:
    """A recording's ``uri`` (a path or a file:// URI) as a path."""
    if uri.startswith("file:"):
        parsed = urlparse(uri)
        return Path(unquote(parsed.path))
    return Path(uri).expanduser()


def _wav_declared_seconds(path: Path) -> float | None:
    """Duration the RIFF header of a WAV promises (PyAV trusts the file size instead)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            byte_rate = None
            while True:
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return None
                cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if cid == b"fmt ":
                    fmt = fh.read(size + (size & 1))
                    if len(fmt) >= 12:
                        byte_rate = struct.unpack("<I", fmt[8:12])[0]
                elif cid == b"data":
                    # 0 and 0xFFFFFFFF mean "unknown" (streamed writers), not "empty".
                    if not byte_rate or size in (0, 0xFFFFFFFF):
                        return None
                    return size / byte_rate
                else:
                    fh.seek(size + (size & 1), 1)
    except OSError:
        return None


def load_audio(path: Path, limits: LimitsOptions) -> Audio:
    """Decode ``path`` (any format FFmpeg reads) to 16 kHz float32, at most two channels."""
    if not path.exists():
        raise AudioProblem("missing_file", f"{path} does not exist")
    if not path.is_file():
        raise AudioProblem("missing_file", f"{path} is not a file")
    if path.stat().st_size == 0:
        raise AudioProblem("empty_audio", f"{path} is an empty file (0 bytes)")

    max_samples = int(limits.max_call_seconds * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    decoded = 0
    truncated = False
    cut = False
    error: str | None = None
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise AudioProblem(
            "corrupt_audio", f"{path.name} cannot be opened as audio: {exc}"
        ) from exc
    with container:
        if not container.streams.audio:
            raise AudioProblem("corrupt_audio", f"{path.name} holds no audio stream")
        stream = container.streams.audio[0]
        source_rate = int(stream.sample_rate or 0)
        source_channels = int(stream.channels or 0)
        if source_rate <= 0 or source_channels <= 0:
            raise AudioProblem("corrupt_audio", f"{path.name}: audio stream has no rate/channels")
        layout = "stereo" if source_channels >= 2 else "mono"
        resampler = av.AudioResampler(format="s16", layout=layout, rate=SAMPLE_RATE)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    arr = out.to_ndarray().reshape(-1)
                    chunks.append(arr)
                    decoded += arr.size // (2 if layout == "stereo" else 1)
                if decoded >= max_samples:
                    cut = True
                    break
            else:
                for out in resampler.resample(None):
                    arr = out.to_ndarray().reshape(-1)
                    chunks.append(arr)
                    decoded += arr.size // (2 if layout == "stereo" else 1)
        except (av.error.FFmpegError, ValueError) as exc:
            # A damaged tail: keep what decoded before it.
            truncated = True
            error = str(exc)

    if not chunks:
        if error:
            raise AudioProblem("corrupt_audio", f"{path.name}: no audio could be decoded ({error})")
        raise AudioProblem("empty_audio", f"{path.name} contains no audio samples")
    pcm = np.concatenate(chunks).astype(np.float32) / 32768.0
    channels = [pcm[0::2].copy(), pcm[1::2].copy()] if layout == "stereo" else [pcm]
    if cut:
        channels = [c[:max_samples] for c in channels]

    audio = Audio(channels=channels, source_rate=source_rate, source_channels=source_channels)
    if audio.seconds < limits.min_seconds:
        raise AudioProblem("empty_audio", f"{path.name} holds only {audio.seconds:.2f} s of audio")
    audio.declared_seconds = _wav_declared_seconds(path)
    if error:
        audio.notes.append(
            f"decoding stopped early ({error}); recognised the first {audio.seconds:.1f} s"
        )
    declared = audio.declared_seconds
    if not cut and declared and audio.seconds < declared * limits.truncated_ratio:
        truncated = True
        audio.notes.append(
            f"file is truncated: its header declares {declared:.1f} s but only "
            f"{audio.seconds:.1f} s is present; recognised what is there"
        )
    audio.truncated = truncated
    if cut:
        audio.cut = True
        audio.notes.append(
            f"call is longer than asr.limits.max_call_seconds={limits.max_call_seconds:g}; "
            f"recognised the first {audio.seconds:.0f} s only"
        )
    if source_rate < limits.telephony_rate_hz:
        audio.notes.append(
            f"narrow-band telephony audio ({source_rate} Hz) upsampled to {SAMPLE_RATE} Hz; "
            "expect lower accuracy"
        )
    if source_channels > 2:
        audio.notes.append(f"{source_channels} channels downmixed to stereo")
    return audio


def peak_dbfs(samples: np.ndarray, window: int = SAMPLE_RATE // 20) -> float:
    """Loudest ``window`` (50 ms) RMS in dBFS: one click does not make a call non-silent."""
    if samples.size == 0:
        return -np.inf
    n = samples.size // window
    if n == 0:
        rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    else:
        frames = samples[: n * window].astype(np.float64).reshape(n, window)
        rms = float(np.sqrt((frames**2).mean(axis=1)).max())
    return 20 * np.log10(rms) if rms > 0 else -np.inf
