"""Language ID with the real model: 10-40 s window vs Whisper's first 30 s; region correction."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from referee.audio.recognise import LanguageResult, WhisperRecogniser


pytestmark = pytest.mark.asr

ES = (
    "Gracias por llamar al servicio de limpieza. Su llamada puede ser grabada para mejorar la "
    "calidad del servicio. Por favor espere mientras le conectamos con el profesional."
)
FR = (
    "Merci d'avoir appelé le service de nettoyage. Votre appel peut être enregistré. "
    "Veuillez patienter, nous vous mettons en relation avec le professionnel."
)
#: Urdu speech (espeak-ng at 100 words per minute).
UR = (
    "آداب، آپ کیسے ہیں؟ میں آج نہیں آ سکوں گا، "
    "میری گاڑی خراب ہو گئی ہے\u06d4 کیا میں کل آ سکتا ہوں؟ "
    "بہت معذرت چاہتا ہوں\u06d4"
)


def _detect(
    recogniser: WhisperRecogniser, path: Path, region: str | None, first_30s: bool
) -> LanguageResult:
    from referee.audio.load import load_audio

    audio = load_audio(path, recogniser.options.limits)
    mix = audio.mono()
    speech = recogniser.speech_spans(mix)
    return recogniser.detect_language(mix, speech, audio.seconds, region, first_30s=first_30s)


def test_windowed_detection_beats_first_30_seconds(
    recogniser: WhisperRecogniser, audio_dir: Path
) -> None:
    from referee.audio.synth import Greeting, Noise, Ring, build_call, dialogue

    openings = {
        "ring_then_spanish_ivr": [Ring(4.0), Greeting(ES, "es")],
        "spanish_ivr": [Greeting(ES, "es")],
        "noise_then_french_ivr": [Noise(3.0, -25.0), Greeting(FR, "fr-fr")],
        "ring_and_noise": [Ring(6.0, -10.0), Noise(6.0, -20.0)],
    }
    windowed, first = {}, {}
    for name, opening in openings.items():
        call = build_call(dialogue(40), audio_dir / f"lang_{name}.wav", opening=opening)
        # Raw detection (no region), so correction cannot hide a wrong first-30-s answer.
        windowed[name] = _detect(recogniser, call.path, None, first_30s=False).detected
        first[name] = _detect(recogniser, call.path, None, first_30s=True).detected
    right_windowed = sum(lang == "en" for lang in windowed.values())
    right_first = sum(lang == "en" for lang in first.values())
    assert right_windowed == len(openings), windowed
    assert right_windowed > right_first, (windowed, first)
    assert first["ring_then_spanish_ivr"] == "es"  # the failure the window exists to avoid


def test_urdu_call_is_detected_ur_and_corrected_to_hindi_for_india(
    recogniser: WhisperRecogniser, audio_dir: Path
) -> None:
    """The whole call path: stereo call, noisy English opening, then Urdu across 10-40 s.

    Both parties speak Urdu (espeak-ng) from 6.8 s to 41 s; the call opens with line
    noise and an English "Hello?" on the customer's line, which the 10-40 s window skips.
    Whisper base is a weak judge of espeak-ng Urdu: over that window its top language is
    'ur' at p~0.18 (hu, el, fa next). Moving the window start, detecting on one channel
    or on tighter speech regions flips the label among ur/hu/fa/ar/el/en at p 0.1-0.3
    (see docs/benchmarks-asr.md), so this call is fixed as built here and is
    deterministic (seeded synthesis, CPU int8 inference). What it checks is the product
    path: the window, the detection kept on the transcript, and the correction.
    """
    from referee.audio.synth import Greeting, Noise, Turn, build_call

    call = build_call(
        [
            Turn("professional", UR, voice="ur", speed=100),
            Turn("customer", UR, voice="ur", speed=100),
        ],
        audio_dir / "urdu_in_india.wav",
        opening=[
            Noise(3.0, -30.0),
            Greeting("Hello? Hello? Can you hear me?", "en-us", channel="left"),
        ],
    )
    # The Urdu turns cover the whole detection window; the opening ends before it.
    assert call.opening_seconds < 10.0 and call.turns[-1].end > 40.0
    res = recogniser.recognise(call.path, customer_channel="left", region="IN")
    lang = res.language
    assert lang is not None, res.notes
    assert "10-40" in lang.window
    assert lang.detected == "ur", list(lang.probabilities.items())[:5]
    assert lang.probabilities["ur"] == max(lang.probabilities.values())
    assert lang.corrected == "hi"
    assert lang.reason is not None and "ur -> hi" in lang.reason and "region IN" in lang.reason
    assert all(u.language == "hi" for u in res.utterances)


def test_out_of_region_detection_is_corrected_in_the_transcript(
    recogniser: WhisperRecogniser, audio_dir: Path
) -> None:
    from referee.audio.synth import Turn, build_call

    call = build_call(
        [
            Turn("professional", "Buenos días, llego en diez minutos.", voice="es"),
            Turn("customer", "Muy bien, le espero en la puerta.", voice="es"),
        ],
        audio_dir / "spanish_in_india.wav",
    )
    res = recogniser.recognise(call.path, region="IN")
    lang = res.language
    allowed = {"hi", "en", "ta", "te", "kn", "mr", "bn", "gu", "ml", "pa", "as"}
    assert lang.detected == "es"
    assert lang.corrected in allowed
    assert lang.reason is not None and lang.detected in lang.reason and "region IN" in lang.reason


def test_per_channel_language_labels_each_speaker(
    recogniser: WhisperRecogniser, audio_dir: Path
) -> None:
    from referee.audio.synth import Turn, build_call

    call = build_call(
        [
            Turn(
                "professional", "Hello, this is Ravi from the cleaning service, about your booking."
            ),
            Turn(
                "customer",
                "Hola, estoy esperando al profesional. Por favor venga pronto.",
                voice="es",
            ),
            Turn("professional", "I am sorry, I will be there in twenty minutes."),
            Turn("customer", "Muy bien, gracias, le espero en la puerta.", voice="es"),
        ],
        audio_dir / "two_languages.wav",
    )
    opts = recogniser.options
    per_channel = recogniser.with_options(
        opts.model_copy(update={"language": opts.language.model_copy(update={"per_channel": True})})
    )
    res = per_channel.recognise(call.path, region=None)
    assert res.status == "ok", res.notes
    assert any("different languages" in n for n in res.notes)
    by_speaker = {u.speaker: u.language for u in res.utterances}
    assert by_speaker == {"professional": "en", "customer": "es"}
    customer_text = " ".join(u.text for u in res.utterances if u.speaker == "customer").lower()
    assert "gracias" in customer_text
