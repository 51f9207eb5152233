"""The speech recogniser: faster-whisper on a call, language ID with region correction, speakers.

One call goes through:

1. :func:`referee.audio.load.load_audio` - decode, or a status saying why not;
2. a silence check and Silero VAD, run once on the downmix - no speech means no
   recognition (nothing invented); its speech chunks also give the language window
   and are the audio Whisper decodes;
3. language detection on the configured window of speech, then region correction;
4. recognition ONCE on the mono downmix: Whisper keeps the whole conversation's
   context, and echo of one line on the other is not recognised a second time
   (docs/benchmarks-asr.md compares it with recognising each channel);
5. :mod:`referee.audio.diarise` - each word to the channel that was active.

:class:`WhisperRecogniser` implements :class:`referee.stages.transcribe.Recogniser`;
the ``referee transcribe`` command uses the same object.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from referee.audio.diarise import (
    Assigned,
    MonoDiariser,
    Role,
    StereoDiariser,
    Word,
    channels_identical,
    group_utterances,
)
from referee.audio.language import (
    Correction,
    Regions,
    average_probabilities,
    correct_language,
    detection_spans,
    first_window_spans,
    load_regions,
)
from referee.audio.load import SAMPLE_RATE, Audio, AudioProblem, load_audio, local_path, peak_dbfs
from referee.audio.model import offline_hub, resolve_model_dir
from referee.audio.options import AsrOptions
from referee.errors import ConfigError
from referee.messages import CancellationEvent, Recording, Transcript, Utterance

log = logging.getLogger(__name__)

#: Whisper looks at 30 s at a time; language detection runs per 30 s of speech.
WHISPER_WINDOW = 30.0


@dataclass
class LanguageResult:
    detected: str | None
    probabilities: dict[str, float]
    corrected: str | None
    reason: str | None
    window: str


@dataclass
class Recognition:
    """Everything one call gave: the transcript fields plus what the benchmark needs."""

    status: str
    notes: list[str] = field(default_factory=list)
    utterances: list[Utterance] = field(default_factory=list)
    words: list[Assigned] = field(default_factory=list)
    language: LanguageResult | None = None
    seconds: float | None = None
    audio_seconds: float | None = None


class WhisperRecogniser:
    """faster-whisper + windowed language ID + region correction + channel diarisation.

    The model is loaded on first use and shared by every call; CTranslate2 is
    thread-safe for concurrent ``transcribe`` calls, the lazy load is guarded.
    """

    def __init__(
        self,
        options: AsrOptions | None = None,
        *,
        cache_dir: Path,
        default_region: str | None = "IN",
    ) -> None:
        self.options = options or AsrOptions()
        self.cache_dir = Path(cache_dir)
        self.default_region = default_region
        self._model: Any = None
        self._model_name: str | None = None
        self._lock = threading.Lock()
        # Validate the regions file now: a bad file is a configuration error at start-up.
        self.regions: Regions = load_regions(self.options.language.regions_path)
        self._mono: MonoDiariser | None = None
        self._mono_error: str | None = None

    def with_options(self, options: AsrOptions) -> WhisperRecogniser:
        """A recogniser with other options that shares this one's loaded model.

        Only valid for options that do not change the model (model_dir, device...).
        """
        other = WhisperRecogniser(
            options, cache_dir=self.cache_dir, default_region=self.default_region
        )
        other._model, other._model_name = self._model, self._model_name
        return other

    # ------------------------------------------------------------------ model

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    @property
    def model_name(self) -> str:
        if self._model_name is None:
            _ = self.model
        return self._model_name or "whisper"

    def _load(self) -> Any:
        offline_hub()
        from faster_whisper import WhisperModel

        path, name = resolve_model_dir(self.options.model_dir, self.cache_dir)
        device = self.options.device
        compute = self.options.compute_type or ("int8" if device == "cpu" else "float16")
        if device == "auto":
            compute = self.options.compute_type or "default"
        log.info("loading Whisper model %s (%s, %s)", path, device, compute)
        try:
            model = WhisperModel(
                str(path),
                device=device,
                compute_type=compute,
                cpu_threads=self.options.cpu_threads,
                local_files_only=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise ConfigError(f"cannot load Whisper model {path} on {device}: {exc}") from exc
        self._model_name = f"{name} [{device}/{compute}]"
        return model

    def _mono_diariser(self) -> MonoDiariser | None:
        pipeline = self.options.diarise.mono_pipeline
        if pipeline is None or self._mono_error:
            return None
        if self._mono is None:
            try:
                self._mono = MonoDiariser(pipeline, self.options.diarise.mono_first_speaker)
            except ConfigError as exc:
                self._mono_error = str(exc)
                return None
        return self._mono

    # ------------------------------------------------------------------ Recogniser

    def transcribe(self, recording: Recording, event: CancellationEvent) -> Transcript:
        """The Recogniser protocol: one recording of ``event`` to a Transcript; never raises."""
        started = time.perf_counter()
        result = self.recognise(
            local_path(recording.uri),
            customer_channel=recording.customer_channel,
            region=event.region or self.default_region,
        )
        return self.to_transcript(result, event.cancellation_id, event.booking_id, started)

    def to_transcript(
        self, result: Recognition, cancellation_id: str, booking_id: str, started: float
    ) -> Transcript:
        lang = result.language
        return Transcript(
            cancellation_id=cancellation_id,
            booking_id=booking_id,
            status=result.status,
            utterances=tuple(result.utterances),
            language_detected=lang.detected if lang else None,
            language_probabilities=lang.probabilities if lang else {},
            language=lang.corrected if lang else None,
            language_correction_reason=lang.reason if lang else None,
            model=self._model_name,
            seconds=round(time.perf_counter() - started, 3),
            notes=tuple(result.notes),
            audio_seconds=result.audio_seconds,
        )

    # ------------------------------------------------------------------ the work

    def recognise(
        self,
        path: Path,
        *,
        customer_channel: Literal["left", "right"] = "left",
        region: str | None = None,
        mode: Literal["once", "per_channel"] = "once",
    ) -> Recognition:
        """Recognise one call file. Bad audio gives a status, never an exception.

        ``mode='per_channel'`` recognises each channel separately instead of once on the
        downmix; it exists for the benchmark's comparison.
        """
        started = time.perf_counter()
        try:
            audio = load_audio(Path(path), self.options.limits)
        except AudioProblem as exc:
            return Recognition(status=exc.status, notes=[exc.detail])
        result = self._recognise_audio(audio, customer_channel, region, mode)
        result.audio_seconds = round(audio.seconds, 3)
        result.seconds = time.perf_counter() - started
        return result

    def _recognise_audio(
        self,
        audio: Audio,
        customer_channel: Literal["left", "right"],
        region: str | None,
        mode: Literal["once", "per_channel"],
    ) -> Recognition:
        opts = self.options
        notes = list(audio.notes)
        if region and self.regions.get(region) is None:
            notes.append(f"region {region!r} has no language rules in {self.regions.path}")

        loudest = max(peak_dbfs(ch) for ch in audio.channels)
        if loudest < opts.limits.silent_below_dbfs:
            notes.append(
                f"loudest 50 ms is {loudest:.0f} dBFS, below asr.limits.silent_below_dbfs="
                f"{opts.limits.silent_below_dbfs:g}; nothing recognised"
            )
            return Recognition(status="silent", notes=notes)

        # Dual mono (one mix copied to both channels) is a mono call in disguise.
        if audio.stereo and channels_identical(audio.channels[0], audio.channels[1], opts.diarise):
            notes.append("both channels carry the same signal; handled as mono")
            audio.channels = [audio.channels[0]]

        if mode == "per_channel" and audio.stereo:
            return self._per_channel(audio, customer_channel, region, notes)

        mix = audio.mono()

        # Silero VAD runs once on the downmix: its chunks gate the call (no speech, no
        # text), choose the language window and are the audio Whisper decodes.
        chunks = self.speech_chunks(mix)
        if not chunks:
            notes.append("voice activity detection found no speech; nothing recognised")
            return Recognition(status="no_speech", notes=notes)
        speech = _seconds(chunks)

        language = self.detect_language(mix, speech, audio.seconds, region)
        notes.append(f"language detected on {language.window}")
        per_channel_lang: list[str | None] = []
        multilingual = False
        if opts.language.per_channel and audio.stereo and opts.language.fixed is None:
            for ch in audio.channels:
                ch_speech = self.speech_spans(ch)
                if ch_speech:
                    res = self.detect_language(ch, ch_speech, audio.seconds, region)
                    per_channel_lang.append(res.corrected)
                else:
                    per_channel_lang.append(None)
            found = {lang for lang in per_channel_lang if lang}
            if len(found) > 1:
                multilingual = True
                notes.append(
                    f"channels speak different languages ({', '.join(sorted(found))}); "
                    "decoded with per-segment language detection"
                )

        words = self._words(mix, chunks, language.corrected, multilingual)
        assigned, status = self._diarise(audio, words, customer_channel, notes)
        role_lang: dict[str, str | None] = {}
        if per_channel_lang:
            first, second = _roles(customer_channel)
            role_lang = {first: per_channel_lang[0], second: per_channel_lang[-1]}
        return self._finish(audio, assigned, language, role_lang, status, notes)

    def _per_channel(
        self,
        audio: Audio,
        customer_channel: Literal["left", "right"],
        region: str | None,
        notes: list[str],
    ) -> Recognition:
        """The benchmark's baseline: each line recognised on its own, as a per-channel system would.

        Each channel gets its own VAD, language detection (same window) and recognition,
        with the same decoding options. That includes word timestamps: the channel says who
        spoke, but without word times a segment that runs across the other party's turn
        (the VAD keeps pauses under a second) cannot be placed in the conversation; on the
        benchmark's 3-min call, segment-level per-channel output interleaved so badly that
        attribution by time fell to 55 % and order-sensitive WER rose to 47 %.
        """
        roles = _roles(customer_channel)
        assigned: list[Assigned] = []
        found: list[tuple[float, LanguageResult]] = []
        role_lang: dict[str, str | None] = {}
        for i, ch in enumerate(audio.channels):
            chunks = self.speech_chunks(ch)
            if not chunks:
                continue
            speech = _seconds(chunks)
            lang = self.detect_language(ch, speech, audio.seconds, region)
            found.append((sum(e - s for s, e in speech), lang))
            role_lang[roles[i]] = lang.corrected
            words = self._words(ch, chunks, lang.corrected, False)
            assigned.extend(Assigned(w, roles[i], "channel") for w in words)
        if not found:
            notes.append("voice activity detection found no speech; nothing recognised")
            return Recognition(status="no_speech", notes=notes)
        # The call's language: that of the channel with the most speech.
        language = max(found, key=lambda f: f[0])[1]
        notes.append(f"language detected per channel on {language.window}")
        assigned.sort(key=lambda a: a.word.start)
        return self._finish(audio, assigned, language, role_lang, "ok", notes)

    def _finish(
        self,
        audio: Audio,
        assigned: list[Assigned],
        language: LanguageResult,
        role_lang: dict[str, str | None],
        status: str,
        notes: list[str],
    ) -> Recognition:
        """Words to utterances, and the call's status."""
        opts = self.options
        text_lang = "en" if opts.task == "translate" else language.corrected
        if opts.task == "translate":
            notes.append("translated to English (Whisper translate task)")
        utterances = [
            Utterance(
                speaker=speaker,
                start=round(start, 2),
                end=round(max(end, start), 2),
                text=text,
                language=text_lang
                if opts.task == "translate"
                else role_lang.get(speaker) or text_lang,
            )
            for speaker, start, end, text in group_utterances(
                assigned, opts.diarise.utterance_gap_seconds
            )
        ]
        if not utterances:
            notes.append("speech was detected but the model produced no text for it")
            return Recognition(status="no_text", notes=notes, language=language)

        # The primary status: the worst thing that still left text.
        if audio.truncated:
            status = "truncated_audio"
        elif audio.cut:
            status = "long_call_cut"
        return Recognition(
            status=status, notes=notes, utterances=utterances, words=assigned, language=language
        )

    def _diarise(
        self,
        audio: Audio,
        words: list[Word],
        customer_channel: Literal["left", "right"],
        notes: list[str],
    ) -> tuple[list[Assigned], str]:
        opts = self.options
        if audio.stereo:
            diariser = StereoDiariser(
                audio.channels[0], audio.channels[1], customer_channel, opts.diarise
            )
            # Text where neither line was active cannot have been said: drop it.
            kept = [w for w in words if diariser.any_activity((w.start, w.end))]
            if len(kept) < len(words):
                notes.append(
                    f"dropped {len(words) - len(kept)} word(s) recognised where neither "
                    "channel was active"
                )
            return diariser.assign(kept), "ok"
        if audio.source_channels >= 2:
            pass  # dual mono: the note was added above
        else:
            notes.append(
                f"mono recording (customer channel {customer_channel!r} expected on stereo)"
            )
        mono = self._mono_diariser()
        if mono is not None:
            assigned, n = mono.assign(words, audio.mono())
            notes.append(f"speakers from the pyannote pipeline: {n} found")
            if all(a.speaker == "unknown" for a in assigned):
                return assigned, "speakers_unknown"
            return assigned, "ok"
        if self._mono_error:
            notes.append(f"mono diarisation unavailable: {self._mono_error}")
        else:
            notes.append(
                "no mono diarisation pipeline configured (asr.diarise.mono_pipeline); "
                "speakers are unknown"
            )
        return [Assigned(w, "unknown", "mono") for w in words], "speakers_unknown"

    # ------------------------------------------------------------------ pieces

    def speech_chunks(self, samples: np.ndarray) -> list[dict[str, int]]:
        """Silero VAD speech chunks, in samples (the model ships inside faster-whisper).

        With the VAD off, the whole recording is one chunk.
        """
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        if not self.options.vad.enabled:
            return [{"start": 0, "end": int(samples.size)}] if samples.size else []
        chunks = get_speech_timestamps(samples, self._vad_options(VadOptions))
        return [{"start": int(c["start"]), "end": int(c["end"])} for c in chunks]

    def speech_spans(self, samples: np.ndarray) -> list[tuple[float, float]]:
        """Silero VAD speech stretches in seconds."""
        return _seconds(self.speech_chunks(samples))

    def _vad_options(self, cls: Any) -> Any:
        v = self.options.vad
        return cls(
            threshold=v.threshold,
            min_speech_duration_ms=v.min_speech_duration_ms,
            min_silence_duration_ms=v.min_silence_duration_ms,
            speech_pad_ms=v.speech_pad_ms,
        )

    def language_probabilities(
        self, samples: np.ndarray, spans: Sequence[tuple[float, float]]
    ) -> dict[str, float]:
        """Whisper's language distribution over the given spans, averaged per 30 s."""
        from faster_whisper.audio import pad_or_trim

        model = self.model
        pieces = [samples[int(s * SAMPLE_RATE) : int(e * SAMPLE_RATE)] for s, e in spans]
        joined = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        if joined.size == 0:
            return {}
        step = int(WHISPER_WINDOW * SAMPLE_RATE)
        runs: list[dict[str, float]] = []
        for i in range(0, joined.size, step):
            piece = joined[i : i + step]
            # A short tail (<3 s) adds noise, not evidence, unless it is all there is.
            if runs and piece.size < 3 * SAMPLE_RATE:
                break
            features = model.feature_extractor(piece)
            encoder_output = model.encode(pad_or_trim(features))
            results = model.model.detect_language(encoder_output)[0]
            runs.append({token[2:-2]: float(p) for token, p in results})
        return average_probabilities(runs)

    def detect_language(
        self,
        samples: np.ndarray,
        speech: Sequence[tuple[float, float]],
        duration: float,
        region: str | None,
        *,
        first_30s: bool = False,
    ) -> LanguageResult:
        """Windowed detection (or Whisper's first-30-s choice) plus region correction."""
        lo = self.options.language
        if lo.fixed:
            probs = {lo.fixed: 1.0}
            window = "nothing: language fixed by asr.language.fixed"
        else:
            if first_30s:
                spans, window = first_window_spans(duration), "the first 30 s"
            else:
                spans, window = detection_spans(
                    speech, duration, lo.window_start, lo.window_end, lo.min_speech_seconds
                )
            probs = self.language_probabilities(samples, spans)
        detected = next(iter(probs), None)
        fix: Correction = correct_language(detected, probs, region, self.regions)
        rounded = {k: round(v, 5) for k, v in probs.items()}
        return LanguageResult(detected, rounded, fix.language, fix.reason, window)

    def _words(
        self,
        samples: np.ndarray,
        chunks: Sequence[dict[str, int]],
        language: str | None,
        multilingual: bool,
    ) -> list[Word]:
        """Recognise the speech ``chunks`` of ``samples``; words (or segments) in the call's clock.

        The chunks are the VAD's, already computed for the call: they are joined end to end
        and decoded as one stream (what faster-whisper's own ``vad_filter`` does, without
        running the VAD a second time), then times are mapped back to the recording.
        """
        from faster_whisper.transcribe import restore_speech_timestamps

        opts = self.options
        d = opts.decode
        wt = d.word_timestamps
        whole = len(chunks) == 1 and chunks[0]["start"] == 0 and chunks[0]["end"] >= samples.size
        audio = (
            samples if whole else np.concatenate([samples[c["start"] : c["end"]] for c in chunks])
        )
        segments, _info = self.model.transcribe(
            audio,
            language=None if multilingual else language,
            multilingual=multilingual,
            task=opts.task,
            beam_size=d.beam_size,
            best_of=max(1, d.beam_size),
            temperature=list(d.temperatures),
            compression_ratio_threshold=d.compression_ratio_threshold,
            log_prob_threshold=d.log_prob_threshold,
            no_speech_threshold=d.no_speech_threshold,
            condition_on_previous_text=d.condition_on_previous_text,
            repetition_penalty=d.repetition_penalty,
            no_repeat_ngram_size=d.no_repeat_ngram_size,
            word_timestamps=wt,
            hallucination_silence_threshold=d.hallucination_silence_threshold if wt else None,
            vad_filter=False,
        )
        if not whole:
            segments = restore_speech_timestamps(segments, list(chunks), SAMPLE_RATE)
        return list(self._plausible_words(segments, wt))

    def _plausible_words(self, segments: Iterable[Any], word_timestamps: bool) -> Iterable[Word]:
        for i, seg in enumerate(segments):
            if word_timestamps and seg.words:
                for w in seg.words:
                    if w.word.strip():
                        yield Word(float(w.start), float(w.end), w.word, i)
            elif seg.text.strip():
                yield Word(float(seg.start), float(seg.end), seg.text, i)


def _seconds(chunks: Sequence[dict[str, int]]) -> list[tuple[float, float]]:
    return [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in chunks]


def _roles(customer_channel: Literal["left", "right"]) -> tuple[Role, Role]:
    """The speaker on the left and on the right channel."""
    if customer_channel == "left":
        return ("customer", "professional")
    return ("professional", "customer")
