"""The hand-written case files: valid, rule-table labels, and the probe sets held out.

The probe sets (``data/probe/cases*.jsonl``) measure how far the classifier
generalises beyond its training data, so no sentence of theirs may appear in
it. Every hand-written file, the probe sets and the written training cases
(``data/training/written.jsonl.gz``) alike, must carry the labels the current
rule table gives for each case's scenario and signals (``scripts/label_cases.py``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from referee.cases import case_from_dict
from referee.classifier.shortlist import ShortlistOptions
from referee.scenarios import Catalogue
from referee.settings import PROJECT_ROOT, Settings
from referee.stages.decide import DecideStage
from tests.jsonl import read_jsonl

# Eight sets, each by other authors (data/probe/README.md).
PROBES = (
    PROJECT_ROOT / "data" / "probe" / "cases.jsonl",
    PROJECT_ROOT / "data" / "probe" / "cases-2.jsonl",
    PROJECT_ROOT / "data" / "probe" / "cases-3.jsonl",
    PROJECT_ROOT / "data" / "probe" / "cases-4.jsonl",
    PROJECT_ROOT / "data" / "probe" / "cases-5.jsonl",
    PROJECT_ROOT / "data" / "probe" / "cases-6.jsonl",
    PROJECT_ROOT / "data" / "probe" / "cases-7.jsonl",
    PROJECT_ROOT / "data" / "probe" / "cases-8.jsonl",
)
TRAINING = PROJECT_ROOT / "data" / "training"


@pytest.fixture(scope="module", params=PROBES, ids=lambda path: path.name)
def probe(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return read_jsonl(request.param)


# The probe sets and the hand-written training cases every shortlister member fits.
@pytest.fixture(
    scope="module", params=(*PROBES, *ShortlistOptions().shared_paths), ids=lambda path: path.name
)
def hand_written(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return read_jsonl(request.param)


@pytest.fixture(scope="module")
def labeller(load_script: Callable[[str], ModuleType]) -> ModuleType:
    return load_script("label_cases")


@pytest.fixture(scope="module")
def stage() -> DecideStage:
    settings = Settings()
    return DecideStage.from_files(settings.rules_path, settings.scenarios_path)


def _sentences(cases: list[dict[str, Any]]) -> set[str]:
    """Every call line and chat message of six words or more, case and spacing folded."""
    out = set()
    for c in cases:
        for u in [*(c.get("transcript") or []), *(c.get("chat") or [])]:
            text = " ".join(u["text"].lower().split())
            if len(text.split()) >= 6:
                out.add(text)
    return out


@pytest.fixture(scope="module")
def training_sentences() -> set[str]:
    # Read once for all the probe sets: train.jsonl is 4 MB, and each member as much.
    opts = ShortlistOptions()
    files = [TRAINING / "train.jsonl", TRAINING / "val.jsonl", *opts.member_paths]
    files += opts.shared_paths  # the hand-written training cases
    return _sentences([case for path in files for case in read_jsonl(path)])


def test_hand_written_cases_are_valid_and_cover_every_scenario(
    hand_written: list[dict[str, Any]], catalogue: Catalogue
) -> None:
    ids = [c["case_id"] for c in hand_written]
    assert len(ids) == len(set(ids))
    for obj in hand_written:
        case = case_from_dict(obj, obj["case_id"])  # raises on anything the reader rejects
        assert case.label is not None
        assert obj["transcript"] or obj["chat"], "a case must carry some conversation"
    counts = Counter(c["label"]["scenario"] for c in hand_written)
    assert set(counts) == set(catalogue.ids)
    assert min(counts.values()) >= 5


def test_hand_written_labels_are_the_rule_tables(
    hand_written: list[dict[str, Any]], labeller: ModuleType, stage: DecideStage
) -> None:
    for obj in hand_written:
        assert labeller.complete_label(obj, stage, obj["case_id"]) == obj, obj["case_id"]


def test_label_cases_names_the_line_of_an_unknown_scenario(
    labeller: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probe = read_jsonl(PROBES[0])  # the script's behaviour, not a set's: one set is enough
    bad = {**probe[0], "label": {"scenario": "pro_late_typo"}}
    src = tmp_path / "hand.jsonl"
    src.write_text(json.dumps(probe[1]) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    assert labeller.main([str(src), "--out", str(tmp_path / "out.jsonl")]) == 1
    assert not (tmp_path / "out.jsonl").exists()
    assert "hand.jsonl:2: label.scenario 'pro_late_typo' is not in the catalogue" in (
        capsys.readouterr().err
    )


def test_probe_sentences_are_not_in_the_training_data(
    probe: list[dict[str, Any]], training_sentences: set[str]
) -> None:
    # A stock phrase may coincide ("theek hai sir jaisa aap bolo" is in set 2 and in a
    # member's file, by chance; "hello? are you on the way?" in several sets and the
    # written training cases); a set copied into or from the training data would share
    # dozens of its 800-1,000 lines.
    shared = _sentences(probe) & training_sentences
    assert len(shared) <= 5, sorted(shared)
