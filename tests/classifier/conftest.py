"""Fixtures for the classifier tests.

* ``fake_llm``: a :class:`llmfakes.FakeLLM`, a real HTTP server on 127.0.0.1
  that misbehaves on purpose; ``make_classifier`` points an LLMClassifier
  (real ``openai`` client) at it.
* ``embedded``: the real embedded llama.cpp server with Gemma 3 270M, started
  once per test session (tests using it are marked ``llm``).
* ``make_case``: builds a CancellationEvent + Transcript from short tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from llmfakes import CATALOGUE_PATH, FAST, PROMPTS_DIR, FakeLLM, build_case

from referee.classifier import ClassifierOptions, LLMClassifier
from referee.classifier.prompts import PromptSet, load_prompts
from referee.messages import CancellationEvent, Transcript
from referee.scenarios import Catalogue, load_catalogue


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    server = FakeLLM()
    yield server
    server.close()


# --------------------------------------------------------------------------- prompts, cases


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE_PATH)


@pytest.fixture(scope="session")
def prompts(catalogue: Catalogue) -> PromptSet:
    return load_prompts(PROMPTS_DIR, catalogue)


@pytest.fixture
def make_classifier(
    fake_llm: FakeLLM, prompts: PromptSet, catalogue: Catalogue
) -> Iterator[Callable[..., LLMClassifier]]:
    made: list[LLMClassifier] = []

    def make(options: ClassifierOptions = FAST, **kw: Any) -> LLMClassifier:
        clf = LLMClassifier(
            base_url=kw.pop("base_url", fake_llm.base_url),
            model="fake",
            prompts=prompts,
            catalogue=catalogue,
            options=options,
            **kw,
        )
        made.append(clf)
        return clf

    yield make
    for clf in made:
        clf.close()


@pytest.fixture
def make_case() -> Callable[..., tuple[CancellationEvent, Transcript]]:
    return build_case


# --------------------------------------------------------------------------- embedded model


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The real llama.cpp server with Gemma 3 270M, once per session."""
    from referee.classifier.server import server_available, shared_server
    from referee.errors import ConfigError
    from referee.settings import Settings

    if not server_available():
        pytest.skip("llama-cpp-python[server] is not installed (pip install -e '.[llm]')")
    settings = Settings()
    try:
        server = shared_server(settings.classifier.server, Path(settings.cache_dir))
    except ConfigError as exc:
        pytest.skip(f"embedded model unavailable: {exc}")
    yield server
    server.stop()
