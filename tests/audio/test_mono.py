"""Mono calls: how pyannote's turns become speakers, and what happens without a pipeline.

pyannote.audio itself is not run here: its pipelines need pretrained weights
that no allowed registry carries (the project never downloads from a hub).
What is ours is tested for real: mapping turns to words and roles, and the
clear note and 'unknown' speakers when a configured pipeline cannot be used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from referee.audio.diarise import MonoDiariser, Word, assign_turns
from referee.errors import ConfigError

if TYPE_CHECKING:
    from referee.audio.recognise import WhisperRecogniser

WORDS = [
    Word(0.2, 0.6, " Hello"),
    Word(0.7, 1.1, " madam"),
    Word(2.0, 2.4, " yes"),
    Word(2.5, 2.9, " tell"),
    Word(6.0, 6.3, " okay"),  # after every turn
]
TWO_VOICES = [(0.0, 1.5, "SPEAKER_01"), (1.8, 3.2, "SPEAKER_00")]


def test_two_voices_become_the_two_parties_in_order_of_speaking() -> None:
    assigned, n = assign_turns(WORDS, TWO_VOICES, "professional")
    assert n == 2
    assert [a.speaker for a in assigned] == [
        "professional",
        "professional",
        "customer",
        "customer",
        "unknown",  # a word outside every turn is nobody's
    ]
    assert {a.how for a in assigned} == {"pyannote"}


def test_roles_stay_unknown_without_a_known_first_speaker_or_with_three_voices() -> None:
    assigned, _ = assign_turns(WORDS, TWO_VOICES, "unknown")
    assert {a.speaker for a in assigned} == {"unknown"}
    three = [*TWO_VOICES, (5.5, 6.5, "SPEAKER_02")]
    assigned, n = assign_turns(WORDS, three, "customer")
    assert n == 3 and {a.speaker for a in assigned} == {"unknown"}


def test_a_word_goes_to_the_turn_it_overlaps_most() -> None:
    straddling = [Word(1.2, 2.2, " haan")]  # 0.3 s in the first turn, 0.4 s in the second
    assigned, _ = assign_turns(straddling, TWO_VOICES, "customer")
    assert assigned[0].speaker == "professional"


def test_a_missing_pipeline_config_is_a_config_error(tmp_path: Path) -> None:
    # Without pyannote installed the error says so; with it, that the config is missing.
    with pytest.raises(ConfigError, match=r"pyannote\.audio is not installed|does not exist"):
        MonoDiariser(tmp_path / "no-such-pipeline", "customer")


@pytest.mark.asr
def test_a_mono_call_with_an_unusable_pipeline_says_why(
    recogniser: WhisperRecogniser, audio_dir: Path, tmp_path: Path
) -> None:
    del recogniser  # the session fixture skips the test when speech recognition is absent
    from referee.audio.recognise import WhisperRecogniser
    from referee.audio.synth import Turn, build_call
    from referee.settings import Settings

    call = build_call(
        [
            Turn("customer", "Hello, is this the plumber?"),
            Turn("professional", "Yes madam, I will reach in ten minutes."),
        ],
        audio_dir / "mono-pipeline.wav",
        mono=True,
    )
    settings = Settings()
    options = settings.asr.model_copy(
        update={
            "diarise": settings.asr.diarise.model_copy(
                update={"mono_pipeline": tmp_path / "pipeline"}
            )
        }
    )
    rec = WhisperRecogniser(options, cache_dir=settings.cache_dir)  # loads in under a second
    res = rec.recognise(call.path)
    assert res.status == "speakers_unknown"
    assert {u.speaker for u in res.utterances} == {"unknown"}
    assert any(n.startswith("mono diarisation unavailable:") for n in res.notes), res.notes
    assert "plumber" in " ".join(u.text for u in res.utterances).lower()
