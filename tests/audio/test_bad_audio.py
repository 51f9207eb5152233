"""Bad audio never crashes and never invents text: each case gets a clear status."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from referee.audio.recognise import Recognition, WhisperRecogniser
    from referee.audio.synth import SynthCall


pytestmark = pytest.mark.asr


def _check_no_text(res: Recognition, status: str) -> None:
    assert res.status == status, (res.status, res.notes)
    assert res.utterances == [] and res.words == []
    assert res.notes, "a bad-audio status always comes with a note saying why"


def test_missing_file(recogniser: WhisperRecogniser, tmp_path: Path) -> None:
    _check_no_text(recogniser.recognise(tmp_path / "nope.wav"), "missing_file")
    _check_no_text(recogniser.recognise(tmp_path), "missing_file")  # a directory


def test_corrupt_file(recogniser: WhisperRecogniser, tmp_path: Path) -> None:
    path = tmp_path / "corrupt.wav"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" + bytes(range(256)) * 64)
    _check_no_text(recogniser.recognise(path), "corrupt_audio")
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio at all\n" * 50)
    _check_no_text(recogniser.recognise(text), "corrupt_audio")


def test_empty_files(recogniser: WhisperRecogniser, tmp_path: Path) -> None:
    zero = tmp_path / "zero.wav"
    zero.write_bytes(b"")
    _check_no_text(recogniser.recognise(zero), "empty_audio")
    header_only = tmp_path / "header.wav"
    with wave.open(str(header_only), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
    _check_no_text(recogniser.recognise(header_only), "empty_audio")


def test_silent_calls(recogniser: WhisperRecogniser, tmp_path: Path) -> None:
    from referee.audio.synth import write_wav

    digital = tmp_path / "digital_silence.wav"
    write_wav(digital, np.zeros((2, 16000 * 8), dtype=np.float32), 16000)
    _check_no_text(recogniser.recognise(digital), "silent")
    hiss = tmp_path / "hiss.wav"
    rng = np.random.default_rng(3)
    write_wav(hiss, (rng.standard_normal((2, 16000 * 8)) * 2e-4).astype(np.float32), 16000)
    _check_no_text(recogniser.recognise(hiss), "silent")


def test_noise_and_ring_tones_give_no_text(recogniser: WhisperRecogniser, tmp_path: Path) -> None:
    from referee.audio.synth import Noise, Ring, build_call

    # A call where nobody speaks: ring-back tones then loud line noise.
    call = build_call([], tmp_path / "nobody.wav", opening=[Ring(9.0, -8.0), Noise(9.0, -18.0)])
    res = recogniser.recognise(call.path)
    assert res.status in {"no_speech", "no_text"}, res.notes
    assert res.utterances == []


def test_truncated_file_keeps_what_is_there(
    recogniser: WhisperRecogniser, conversation: SynthCall, tmp_path: Path
) -> None:
    data = conversation.path.read_bytes()
    cut = tmp_path / "truncated.wav"
    cut.write_bytes(data[: len(data) // 3])
    res = recogniser.recognise(cut, customer_channel="right")
    assert res.status == "truncated_audio", res.notes
    assert any("truncated" in n for n in res.notes)
    assert res.utterances, "the part that is there is still recognised"
    assert max(u.end for u in res.utterances) <= conversation.seconds / 3 + 0.5


def test_mono_where_stereo_expected(recogniser: WhisperRecogniser, audio_dir: Path) -> None:
    from referee.audio.synth import Turn, build_call

    call = build_call(
        [
            Turn("customer", "Hello, is this the electrician?"),
            Turn("professional", "Yes, I am on my way to your house."),
        ],
        audio_dir / "mono.wav",
        mono=True,
    )
    res = recogniser.recognise(call.path, customer_channel="left")
    assert res.status == "speakers_unknown"
    assert res.utterances and {u.speaker for u in res.utterances} == {"unknown"}
    assert any("mono" in n for n in res.notes)
    assert "electrician" in " ".join(u.text for u in res.utterances).lower()


def test_dual_mono_stereo_is_handled_as_mono(
    recogniser: WhisperRecogniser, audio_dir: Path
) -> None:
    from referee.audio.synth import write_wav

    with wave.open(str(audio_dir / "mono.wav")) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    path = audio_dir / "dual_mono.wav"
    write_wav(path, np.stack([pcm, pcm]), 16000)
    res = recogniser.recognise(path)
    assert res.status == "speakers_unknown"
    assert any("same signal" in n for n in res.notes)


def test_pipeline_stage_turns_bad_audio_into_status(
    recogniser: WhisperRecogniser, tmp_path: Path
) -> None:
    from referee.messages import CancellationEvent, Recording

    event = CancellationEvent(
        cancellation_id="c-bad",
        booking_id="b-bad",
        cancelled_by="professional",
        recordings=(Recording(uri=str(tmp_path / "gone.wav")),),
    )
    t = recogniser.transcribe(event.recordings[0], event)
    assert t.status == "missing_file" and t.utterances == () and t.notes
