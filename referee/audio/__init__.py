"""Speech recognition for call recordings: faster-whisper, windowed language ID, diarisation.

The heavy parts (faster-whisper, numpy, pydub, PyAV) come with the ``asr``
extra and are imported only when a recogniser is built, so settings and the
rest of Referee work without them. Start at :func:`build_recogniser`.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from referee.audio.recognise import WhisperRecogniser
    from referee.settings import Settings

#: Imports the recogniser needs; all come with ``pip install 'referee[asr]'``.
REQUIRED_MODULES = ("faster_whisper", "ctranslate2", "av", "numpy", "pydub")


def asr_available() -> bool:
    """True when the ``asr`` extra is installed."""
    return all(importlib.util.find_spec(m) is not None for m in REQUIRED_MODULES)


def build_recogniser(settings: Settings) -> WhisperRecogniser | None:
    """The pipeline's Recogniser, or None when faster-whisper is not installed.

    The model itself loads on the first recording, so building is cheap; a bad
    regions file fails here, at start-up, as a ConfigError.
    """
    if not asr_available():
        return None
    from referee.audio.recognise import WhisperRecogniser

    return WhisperRecogniser(
        settings.asr, cache_dir=settings.cache_dir, default_region=settings.default_region
    )
