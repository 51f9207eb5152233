"""The synthetic training data: deterministic, complete, well-formed, labelled by the rule table.

Checks both the generator (``scripts/gen_training_data.py``) and the committed
files in ``data/training/`` it makes (which must be exactly what it makes). The
hand-written ``written.jsonl.gz`` is checked with the probe sets
(``test_probe_data.py``).
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
from referee.settings import PROJECT_ROOT
from tests.jsonl import read_jsonl

DATA = PROJECT_ROOT / "data" / "training"
DEV = PROJECT_ROOT.parent / "shared" / "data" / "dev" / "cases.jsonl"


@pytest.fixture(scope="module")
def gen(load_script: Callable[[str], ModuleType]) -> ModuleType:
    return load_script("gen_training_data")


@pytest.fixture(scope="module")
def train() -> list[dict[str, Any]]:
    return read_jsonl(DATA / "train.jsonl")


def test_generator_is_deterministic_in_its_seed(gen: ModuleType) -> None:
    opts = gen.GenOptions()
    labeller = gen.Labeller(opts)
    a = gen.generate(opts, 3, seed=11, prefix="t", labeller=labeller)
    b = gen.generate(opts, 3, seed=11, prefix="t", labeller=labeller)
    c = gen.generate(opts, 3, seed=12, prefix="t", labeller=labeller)
    assert a == b
    assert a != c


def test_wording_halves_split_every_phrasing_pool(gen: ModuleType) -> None:
    assert gen._half(("a", "b", "c"), 0) == ("a", "c")
    assert gen._half(("a", "b", "c"), 1) == ("b",)
    assert gen._half(("only",), 1) == ("only",)  # a single phrasing serves both halves
    assert gen._half(("a", "b"), None) == ("a", "b")
    labeller = gen.Labeller(gen.GenOptions())
    halves = [
        gen.generate(gen.GenOptions(wording_half=h), 2, seed=5, prefix="t", labeller=labeller)
        for h in (0, 1)
    ]
    lines = [{u["text"] for c in cases for u in c["transcript"]} for cases in halves]
    assert len(lines[0] & lines[1]) < 0.2 * min(len(lines[0]), len(lines[1]))


def test_committed_files_are_what_the_generator_makes(gen: ModuleType, tmp_path: Path) -> None:
    assert gen.main(["--out", str(tmp_path)], log=lambda _: None) == 0
    members = [gen.member_file(seed) for seed in gen.GenOptions().member_seeds]
    for name in ("train.jsonl", "val.jsonl", *members):
        # Compared decompressed: another zlib may pack the same lines into other bytes.
        assert read_jsonl(tmp_path / name) == read_jsonl(DATA / name), (
            f"data/training/{name} is stale: run scripts/gen_training_data.py"
        )
    assert {p.name for p in tmp_path.iterdir()} == {"train.jsonl", "val.jsonl", *members}


def test_the_shortlister_fits_the_generated_members(
    gen: ModuleType, train: list[dict[str, Any]]
) -> None:
    members = [DATA / gen.member_file(seed) for seed in gen.GenOptions().member_seeds]
    assert list(ShortlistOptions().member_paths) == members
    calls = {json.dumps(c["transcript"]) for c in train}
    for path in members:
        cases = read_jsonl(path)
        assert len(cases) == len(train)
        # Another seed: other draws, not the first member again.
        assert len(calls & {json.dumps(c["transcript"]) for c in cases}) < 0.1 * len(cases)


def test_every_scenario_is_covered_evenly(
    catalogue: Catalogue, train: list[dict[str, Any]]
) -> None:
    counts = Counter(c["label"]["scenario"] for c in train)
    assert set(counts) == set(catalogue.ids)
    assert min(counts.values()) == max(counts.values()) >= 50
    val = Counter(c["label"]["scenario"] for c in read_jsonl(DATA / "val.jsonl"))
    assert set(val) == set(catalogue.ids)


def test_cases_are_valid_eval_format_with_rule_table_labels(
    gen: ModuleType, train: list[dict[str, Any]]
) -> None:
    labeller = gen.Labeller(gen.GenOptions())
    ids = set()
    for obj in train[:400]:
        case = case_from_dict(obj, "train")  # raises on anything the reader would reject
        assert case.label is not None
        assert obj["label"] == labeller.label(obj["label"]["scenario"], obj)
        ids.add(obj["case_id"])
        assert obj["transcript"] or obj["chat"], "a case must carry some conversation"
        for u in obj["transcript"]:
            assert u["speaker"] in ("customer", "professional", "unknown")
            assert 0 <= u["start"] < u["end"]
    assert len(ids) == 400


def test_the_data_has_noise_misleading_reasons_and_conflicts(
    train: list[dict[str, Any]],
) -> None:
    languages = Counter(c["language"] for c in train)
    assert {"en", "hi", "hi-en", "kn-en"} <= set(languages)
    # The same reason label under several scenarios: reason_selected is evidence, not truth.
    by_reason: dict[str, set[str]] = {}
    for c in train:
        r = c["cancellation"]["reason_selected"]
        if r:
            by_reason.setdefault(r, set()).add(c["label"]["scenario"])
    assert max(len(s) for s in by_reason.values()) >= 10
    assert sum(1 for c in train if not c["transcript"]) > 20  # chat-only cases
    # Unclear cases include two contradicting accounts ("I came" / "you never came").
    unclear = [c for c in train if c["label"]["scenario"] == "unclear"]
    assert sum(1 for c in unclear if len({u["speaker"] for u in c["transcript"]}) == 2) > 20
    # Every responsibility outcome of the table appears.
    assert {c["label"]["responsible"] for c in train} == {
        "customer",
        "professional",
        "platform",
        "undetermined",
    }


def test_every_member_fits_the_written_cases() -> None:
    # Their validity and labels are checked with the probe sets (test_probe_data.py).
    assert ShortlistOptions().shared_paths == (DATA / "written.jsonl.gz",)


def test_committed_files_stay_small() -> None:
    total = sum(p.stat().st_size for p in DATA.glob("*.jsonl"))
    assert total < 5 * 1024 * 1024


@pytest.mark.skipif(not DEV.is_file(), reason="shared dev cases not present")
def test_no_dev_sentence_leaks_into_training(train: list[dict[str, Any]]) -> None:
    def long_lines(cases: list[dict[str, Any]]) -> set[str]:
        out = set()
        for c in cases:
            for u in c.get("transcript") or []:
                text = " ".join(u["text"].lower().split())
                if len(text.split()) >= 8:
                    out.add(text)
        return out

    dev = long_lines(read_jsonl(DEV))
    assert not dev & long_lines(train)
    for path in ShortlistOptions().shared_paths:  # the hand-written training cases
        assert not dev & long_lines(read_jsonl(path))
