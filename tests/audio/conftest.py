"""Fixtures for the speech tests: one shared Whisper recogniser, calls synthesised with espeak-ng.

Calls are generated once per session into a temporary directory (nothing is
committed). Outside CI the ``asr`` tests skip when faster-whisper or espeak-ng
is missing; in CI (``CI=true``) that is a failure, so they can never silently
not run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from referee.audio import asr_available

if TYPE_CHECKING:
    from referee.audio.recognise import WhisperRecogniser
    from referee.audio.synth import SynthCall


def _require_asr() -> None:
    missing = []
    if not asr_available():
        missing.append("the asr extra (pip install -e '.[asr]')")
    if shutil.which("espeak-ng") is None:
        missing.append("espeak-ng (apt-get install espeak-ng)")
    if missing:
        message = "speech tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("calls")


@pytest.fixture(scope="session")
def recogniser(tmp_path_factory: pytest.TempPathFactory) -> WhisperRecogniser:
    _require_asr()
    from referee.audio.recognise import WhisperRecogniser
    from referee.settings import Settings

    settings = Settings()
    rec = WhisperRecogniser(
        settings.asr, cache_dir=settings.cache_dir, default_region=settings.default_region
    )
    _ = rec.model  # load once, up front, so each test's time is its own
    return rec


@pytest.fixture(scope="session")
def conversation(audio_dir: Path) -> SynthCall:
    """~35 s stereo call, customer on the RIGHT channel, echo at -30 dB, 16 kHz."""
    _require_asr()
    from referee.audio.synth import build_call, dialogue

    return build_call(dialogue(30), audio_dir / "conversation.wav", customer_channel="right")


@pytest.fixture(scope="session")
def conversation_result(recogniser: WhisperRecogniser, conversation: SynthCall):
    return recogniser.recognise(conversation.path, customer_channel="right", region="IN")
