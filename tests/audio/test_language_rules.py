"""Region correction and the detection window, on plain data (no model: these run everywhere)."""

from __future__ import annotations

from pathlib import Path

import pytest

from referee.audio.language import (
    Regions,
    RegionsFileError,
    correct_language,
    detection_spans,
    load_regions,
)
from referee.errors import DataFileError, RefereeError
from referee.settings import PROJECT_ROOT

REGIONS = PROJECT_ROOT / "rules" / "regions.yaml"


@pytest.fixture(scope="module")
def regions() -> Regions:
    return load_regions(REGIONS)


def test_shipped_regions_file_loads_with_india(regions: Regions) -> None:
    india = regions.get("in")
    assert india is not None
    assert {"hi", "en", "ta", "te", "kn", "mr", "bn", "gu", "ml", "pa"} <= set(india.allowed)
    assert india.confusions["ur"] == "hi"


def test_urdu_is_corrected_to_hindi_in_india(regions: Regions) -> None:
    probs = {"ur": 0.62, "hi": 0.21, "en": 0.08, "pa": 0.03}
    fix = correct_language("ur", probs, "IN", regions)
    assert fix.language == "hi"
    assert fix.reason is not None
    assert "ur -> hi" in fix.reason and "'ur'" in fix.reason and "0.62" in fix.reason


def test_urdu_to_hindi_even_when_hindi_has_no_probability(regions: Regions) -> None:
    # The confusion is explicit: it does not depend on Hindi being the runner-up.
    fix = correct_language("ur", {"ur": 0.9, "en": 0.1}, "IN", regions)
    assert fix.language == "hi"


def test_allowed_language_is_kept_without_reason(regions: Regions) -> None:
    fix = correct_language("ta", {"ta": 0.7, "ml": 0.2}, "IN", regions)
    assert (fix.language, fix.reason) == ("ta", None)


def test_other_language_goes_to_most_probable_allowed(regions: Regions) -> None:
    probs = {"fa": 0.40, "ar": 0.30, "bn": 0.12, "en": 0.10}
    fix = correct_language("fa", probs, "IN", regions)
    assert fix.language == "bn"
    assert fix.reason is not None and "most probable allowed" in fix.reason


def test_known_confusions_count_for_their_target(regions: Regions) -> None:
    # Whisper's top guess is a third language; Urdu's share is evidence for Hindi, so Hindi
    # (0.07 + 0.10) beats English (0.11) among the allowed languages.
    probs = {"hu": 0.15, "ar": 0.13, "en": 0.11, "ur": 0.10, "hi": 0.07}
    fix = correct_language("hu", probs, "IN", regions)
    assert fix.language == "hi"
    assert fix.reason is not None and "counting ur" in fix.reason and "p=0.17" in fix.reason
    # Without Urdu in the picture English stays the most probable allowed language.
    assert correct_language("hu", {"hu": 0.15, "en": 0.11, "hi": 0.07}, "IN", regions).language == (
        "en"
    )


def test_no_allowed_probability_falls_back_to_region_default(regions: Regions) -> None:
    fix = correct_language("ja", {"ja": 1.0}, "IN", regions)
    assert fix.language == "hi"
    assert fix.reason is not None and "region default" in fix.reason


def test_unknown_or_missing_region_changes_nothing(regions: Regions) -> None:
    assert correct_language("ur", {"ur": 1.0}, "ZZ", regions).language == "ur"
    assert correct_language("ur", {"ur": 1.0}, None, regions).language == "ur"
    assert correct_language(None, {}, "IN", regions).language is None


def test_urdu_is_allowed_in_the_emirates(regions: Regions) -> None:
    assert correct_language("ur", {"ur": 0.8}, "AE", regions).language == "ur"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("regions:\n  IN:\n    allowed: [hi, xx]\n", "regions.IN.allowed"),
        ("regions:\n  IN:\n    allowed: [hi]\n    confusions: {ur: en}\n", "confusions.ur"),
        ("regions:\n  IN:\n    allowed: [hi]\n    colour: red\n", "regions.IN.colour"),
        ("regions:\n  IN:\n    allowed: []\n", "regions.IN.allowed"),
        ("regions: [IN]\n", "regions"),
        ("- just a list\n", "must be a mapping"),
        ("regions:\n  IN: {allowed: [hi\n", "not valid YAML"),
    ],
)
def test_bad_regions_file_names_file_and_entry(tmp_path: Path, body: str, where: str) -> None:
    path = tmp_path / "regions.yaml"
    path.write_text(body)
    with pytest.raises(RegionsFileError) as info:
        load_regions(path)
    assert isinstance(info.value, DataFileError) and isinstance(info.value, RefereeError)
    assert str(path) in str(info.value)
    assert where in str(info.value)


def test_missing_regions_file_is_a_data_file_error(tmp_path: Path) -> None:
    with pytest.raises(RegionsFileError, match="cannot be read"):
        load_regions(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- the window


def test_window_takes_the_speech_inside_it() -> None:
    speech = [(0.5, 8.0), (9.0, 20.0), (25.0, 60.0)]
    spans, why = detection_spans(speech, 62.0, 10.0, 40.0, 4.0)
    assert spans == [(10.0, 20.0), (25.0, 40.0)]
    assert "10-40" in why


def test_short_call_uses_all_of_its_speech() -> None:
    spans, why = detection_spans([(0.3, 6.0)], 7.0, 10.0, 40.0, 4.0)
    assert spans == [(0.3, 6.0)]
    assert "short call" in why


def test_little_speech_in_window_uses_the_last_window_of_speech() -> None:
    # Speech until 9 s, a long hold, more speech from 45 s: the window is nearly empty.
    speech = [(0.0, 9.0), (38.0, 39.0), (45.0, 80.0)]
    spans, why = detection_spans(speech, 80.0, 10.0, 40.0, 4.0)
    assert sum(e - s for s, e in spans) == pytest.approx(30.0)
    assert spans[-1] == (45.0, 80.0) or spans == [(50.0, 80.0)]
    assert "last" in why
