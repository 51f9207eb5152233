"""Recognition on synthesised calls with the real Whisper base model: speakers, text, options."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from referee.audio.scoring import attribution, wer
from referee.messages import CancellationEvent, Recording

if TYPE_CHECKING:
    from referee.audio.recognise import Recognition, WhisperRecogniser
    from referee.audio.synth import SynthCall


pytestmark = pytest.mark.asr


def test_stereo_words_go_to_the_right_speaker(
    conversation: SynthCall, conversation_result: Recognition
) -> None:
    res = conversation_result
    assert res.status == "ok", res.notes
    accuracy, scored = attribution(conversation, res.words)
    assert scored >= 0.8 * sum(len(t.text.split()) for t in conversation.turns)
    assert accuracy >= 0.95
    speakers = [u.speaker for u in res.utterances]
    # The dialogue alternates, starting with the professional.
    assert speakers[:4] == ["professional", "customer", "professional", "customer"]
    assert "unknown" not in speakers


def test_stereo_text_is_close_to_the_script(
    conversation: SynthCall, conversation_result: Recognition
) -> None:
    hyp = " ".join(u.text for u in conversation_result.utterances)
    assert wer(conversation.reference_text(), hyp) <= 0.2
    for u in conversation_result.utterances:
        assert 0 <= u.start <= u.end <= conversation.seconds + 0.5
        assert u.language == "en"


def test_language_block_keeps_probabilities(conversation_result: Recognition) -> None:
    lang = conversation_result.language
    assert lang.detected == "en" and lang.corrected == "en" and lang.reason is None
    assert len(lang.probabilities) > 50  # all of Whisper's languages, not just the top one
    assert sum(lang.probabilities.values()) == pytest.approx(1.0, abs=0.02)


def test_telephony_8khz_call_is_recognised_with_a_note(
    recogniser: WhisperRecogniser, audio_dir: Path
) -> None:
    from referee.audio.synth import Turn, build_call

    call = build_call(
        [
            Turn("customer", "Hello, I booked a plumber for this evening."),
            Turn("professional", "Yes madam, I will reach your home by six."),
            Turn("customer", "Please call me when you are at the gate."),
        ],
        audio_dir / "telephony.wav",
        sample_rate=8000,
    )
    res = recogniser.recognise(call.path, customer_channel="left")
    assert res.status == "ok", res.notes
    assert any("8000 Hz" in n for n in res.notes)
    accuracy, _ = attribution(call, res.words)
    assert accuracy >= 0.9
    assert wer(call.reference_text(), " ".join(u.text for u in res.utterances)) <= 0.35


def test_long_call_is_cut_at_the_limit(
    recogniser: WhisperRecogniser, conversation: SynthCall
) -> None:
    opts = recogniser.options
    short = recogniser.with_options(
        opts.model_copy(update={"limits": opts.limits.model_copy(update={"max_call_seconds": 12})})
    )
    res = short.recognise(conversation.path, customer_channel="right")
    assert res.status == "long_call_cut"
    assert any("max_call_seconds=12" in n for n in res.notes)
    assert res.utterances and all(u.end <= 12.5 for u in res.utterances)
    assert res.audio_seconds == pytest.approx(12.0, abs=0.1)


def test_translate_option_gives_english(recogniser: WhisperRecogniser, audio_dir: Path) -> None:
    from referee.audio.synth import Turn, build_call

    call = build_call(
        [
            Turn(
                "professional",
                "Gracias por llamar al servicio de limpieza. Por favor espere un momento.",
                voice="es",
            ),
            Turn("customer", "Hola, estoy esperando al profesional desde la mañana.", voice="es"),
        ],
        audio_dir / "spanish.wav",
    )
    translating = recogniser.with_options(
        recogniser.options.model_copy(update={"task": "translate"})
    )
    res = translating.recognise(call.path, region=None)
    assert res.language.detected == "es"
    text = " ".join(u.text for u in res.utterances).lower()
    assert "thank" in text and "professional" in text
    assert all(u.language == "en" for u in res.utterances)
    assert any("translated" in n for n in res.notes)


def test_recogniser_protocol_fills_the_transcript(
    recogniser: WhisperRecogniser, audio_dir: Path
) -> None:
    from referee.audio.synth import Turn, build_call

    call = build_call(
        [Turn("professional", "I am outside your building."), Turn("customer", "Coming down.")],
        audio_dir / "protocol.wav",
    )
    event = CancellationEvent(
        cancellation_id="c-1",
        booking_id="b-1",
        cancelled_by="customer",
        region="IN",
        recordings=(Recording(uri=call.path.as_uri()),),
    )
    t = recogniser.transcribe(event.recordings[0], event)
    assert (t.cancellation_id, t.booking_id, t.status) == ("c-1", "b-1", "ok")
    assert [u.speaker for u in t.utterances] == ["professional", "customer"]
    assert t.language == "en" and t.language_probabilities and t.model
    assert t.audio_seconds and t.seconds is not None


def test_build_recogniser_from_settings() -> None:
    from referee.audio import build_recogniser
    from referee.audio.recognise import WhisperRecogniser
    from referee.settings import Settings

    assert isinstance(build_recogniser(Settings()), WhisperRecogniser)


def test_cli_transcribe_json(audio_dir: Path, recogniser: WhisperRecogniser) -> None:
    from referee.audio.synth import Turn, build_call
    from referee.cli import app

    call = build_call(
        [Turn("customer", "Where are you now?"), Turn("professional", "Five minutes away.")],
        audio_dir / "cli.wav",
        customer_channel="right",
    )
    runner = CliRunner()
    result = runner.invoke(
        app, ["transcribe", str(call.path), "--json", "--customer-channel", "right"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "ok"
    assert set(data["language"]) >= {"detected", "probabilities", "corrected", "correction_reason"}
    assert [u["speaker"] for u in data["utterances"]] == ["customer", "professional"]
    for u in data["utterances"]:
        assert set(u) >= {"speaker", "start", "end", "text"}

    bad = runner.invoke(app, ["transcribe", str(call.path), "--customer-channel", "middle"])
    assert bad.exit_code == 2
