"""Grammar-first-token sampling gives the stock sampler's answers, token for token.

Runs the real Gemma 3 270M weights in this process (llama-cpp-python, no
server) on the classifier's own messages and JSON-schema grammar: once with
llama-cpp-python's stock sampler (grammar over the whole vocabulary at every
step), once with :mod:`referee.classifier.sampling`, and compares.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from llmfakes import build_case

from referee.classifier import LLMClassifier
from referee.classifier.prompts import PromptSet
from referee.classifier.render import build_view
from referee.scenarios import Catalogue

llama_cpp = pytest.importorskip("llama_cpp")
pytestmark = [pytest.mark.llm, pytest.mark.slow]

CASES = [
    [
        ("professional", "hello madam, I am stuck in traffic near the flyover"),
        ("customer", "how long will you take? the slot was at ten"),
        ("professional", "maybe forty five minutes more, sorry"),
        ("customer", "that is too late, I am cancelling the booking"),
    ],
    [
        ("customer", "hi, I booked the deep cleaning by mistake, I wanted sofa cleaning"),
        ("professional", "ok ma'am, you can cancel from the app and book again"),
    ],
]
CANDIDATES = ["pro_running_late", "cust_booked_by_mistake", "unclear"]


@pytest.fixture(scope="module")
def llm() -> Iterator[Any]:
    from referee.classifier.server import gemma_weights
    from referee.settings import Settings

    weights = gemma_weights(Path(Settings().cache_dir))
    model = llama_cpp.Llama(
        str(weights), n_ctx=4096, n_threads=2, chat_format="llama-2", verbose=False
    )
    yield model
    model.close()


@pytest.fixture(scope="module")
def grammar(prompts: PromptSet) -> Any:
    """The classifier's answer grammar for CANDIDATES, as the server builds it."""
    from llama_cpp.llama_grammar import LlamaGrammar

    schema = prompts.json_schema(CANDIDATES, limits=True)
    return LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """referee.classifier.sampling, installed until the test ends (install() patches
    llama_cpp.Llama for the whole process)."""
    from referee.classifier import sampling

    monkeypatch.setattr(llama_cpp.Llama, "_init_sampler", llama_cpp.Llama._init_sampler)
    sampling.install()
    return sampling


def _answer(llm: Any, messages: list[dict[str, str]], grammar: Any) -> tuple[str, Any]:
    out = llm.create_chat_completion(
        messages=messages, temperature=0.0, max_tokens=160, grammar=grammar, repeat_penalty=1.0
    )
    return out["choices"][0]["message"]["content"], llm._sampler


def test_same_answers_as_the_stock_sampler(
    llm: Any,
    grammar: Any,
    prompts: PromptSet,
    catalogue: Catalogue,
    request: pytest.FixtureRequest,
) -> None:
    clf = LLMClassifier(
        base_url="http://127.0.0.1:9", model="m", prompts=prompts, catalogue=catalogue
    )
    conversations = []
    for i, turns in enumerate(CASES):
        event, transcript = build_case(turns, case_id=f"s-{i}")
        conversations.append(clf.messages(build_view(event, transcript, prompts), CANDIDATES))

    stock = [_answer(llm, m, grammar)[0] for m in conversations]

    sampling = request.getfixturevalue("installed")  # only after the stock answers
    resampled = 0
    for messages, expected in zip(conversations, stock, strict=True):
        text, sampler = _answer(llm, messages, grammar)
        assert isinstance(sampler, sampling.GrammarVetoSampler)
        assert text == expected
        json.loads(text)  # the grammar still holds: a complete JSON object
        resampled += sampler.resampled
    # The veto path ran: the model's own first choice broke the grammar at
    # least once (the JSON skeleton's tokens are rarely its first choice).
    assert resampled > 0


def test_internals_that_do_not_fit_keep_the_stock_sampler(
    llm: Any,
    grammar: Any,
    installed: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def unfit(*args: Any) -> None:
        raise AttributeError("'LlamaModel' object has no attribute 'vocab'")

    messages = [{"role": "user", "content": "The professional is late. Answer in JSON."}]
    veto = installed.GrammarVetoSampler
    monkeypatch.setattr(installed, "GrammarVetoSampler", unfit)
    text, sampler = _answer(llm, messages, grammar)
    assert not isinstance(sampler, veto)
    json.loads(text)  # the stock sampler still applied the grammar
    assert "grammar veto unavailable (AttributeError" in caplog.text


def test_a_chain_that_sorts_does_not_scramble_the_next_step(llm: Any, grammar: Any) -> None:
    """Top-k (any temperature above 0) sorts the token array in place; the next step
    must still pair each logit with its own token."""
    import numpy as np
    from llama_cpp import _internals

    from referee.classifier.sampling import GrammarVetoSampler

    chain = _internals.LlamaSampler()
    chain.add_top_k(5)  # sorts
    chain.add_greedy()
    veto = GrammarVetoSampler(llm, chain, grammar)
    logits = np.random.default_rng(7).normal(size=llm.n_vocab()).astype(np.float32)
    best = int(np.argmax(logits))
    assert [veto._apply(logits, grammar=False) for _ in range(3)] == [best] * 3
    veto.close()
