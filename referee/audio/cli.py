"""``referee transcribe CALL.wav``: the recogniser the pipeline uses, on one file, from the shell.

``referee/cli.py`` defines the command's arguments and calls :func:`run_transcribe`
lazily, so the CLI starts without the ``asr`` extra. The JSON shape is
:func:`transcript_json`; bad audio is a status in it, never a traceback.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Literal

from referee.errors import ConfigError
from referee.messages import Transcript
from referee.settings import Settings


def transcript_json(transcript: Transcript, file: Path | None = None) -> dict[str, Any]:
    """The ``--json`` shape: status, language block, utterances, notes."""
    out: dict[str, Any] = {}
    if file is not None:
        out["file"] = str(file)
    out.update(
        {
            "status": transcript.status,
            "language": {
                "detected": transcript.language_detected,
                "probabilities": transcript.language_probabilities,
                "corrected": transcript.language,
                "correction_reason": transcript.language_correction_reason,
            },
            "utterances": [
                {
                    "speaker": u.speaker,
                    "start": u.start,
                    "end": u.end,
                    "text": u.text,
                    "language": u.language,
                }
                for u in transcript.utterances
            ],
            "notes": list(transcript.notes),
            "audio_seconds": transcript.audio_seconds,
            "model": transcript.model,
            "seconds": transcript.seconds,
        }
    )
    return out


def run_transcribe(
    file: Path,
    *,
    customer_channel: Literal["left", "right"] = "left",
    as_json: bool = False,
    region: str | None = None,
    translate: bool = False,
    settings: Settings | None = None,
) -> int:
    """Transcribe ``file`` and print it; returns the exit code (0, or 2 on a setup problem)."""
    from referee.audio import asr_available

    settings = settings or Settings()
    if not asr_available():
        sys.stderr.write(
            "error: speech recognition is not installed (pip install 'referee[asr]')\n"
        )
        return 2
    from referee.audio.recognise import WhisperRecogniser

    options = settings.asr
    if translate:
        options = options.model_copy(update={"task": "translate"})
    started = time.perf_counter()
    try:
        recogniser = WhisperRecogniser(
            options, cache_dir=settings.cache_dir, default_region=settings.default_region
        )
        result = recogniser.recognise(
            file, customer_channel=customer_channel, region=region or settings.default_region
        )
    except ConfigError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    transcript = recogniser.to_transcript(result, "cli", "cli", started)
    if as_json:
        sys.stdout.write(
            json.dumps(transcript_json(transcript, file), ensure_ascii=False, indent=2)
        )
        sys.stdout.write("\n")
        return 0
    lang = transcript.language or "-"
    if transcript.language_detected and transcript.language_detected != transcript.language:
        lang += (
            f" (detected {transcript.language_detected}: {transcript.language_correction_reason})"
        )
    sys.stdout.write(f"status: {transcript.status}\nlanguage: {lang}\n")
    for note in transcript.notes:
        sys.stdout.write(f"note: {note}\n")
    for u in transcript.utterances:
        sys.stdout.write(f"[{u.start:7.2f} - {u.end:7.2f}] {u.speaker:>12}: {u.text}\n")
    return 0
