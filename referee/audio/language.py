"""Language: pick the detection window of a call, and correct a detection to the region's languages.

Whisper decides a call's language on its first 30 s, which on phone calls is
often a ring tone, an IVR greeting or a "hello?" in another language. We detect
instead on a configurable window (default 10-40 s) of *speech* (VAD chunks only),
widened sensibly for short calls, and keep every language's probability.

Then region correction: ``rules/regions.yaml`` says which languages a region's
calls may be in and which mis-detections are known (Urdu for Hindi: the same
spoken language in two scripts). A language outside the region becomes the
explicit confusion target, or else the most probable allowed language (a known
confusion's probability counts for its target: p(ur) is evidence for hi). The
transcript keeps both and the reason. This part needs no model and is unit-tested
on probability dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from referee.errors import DataFileError

#: Language codes Whisper can emit (faster_whisper.tokenizer._LANGUAGE_CODES), so the
#: regions file can be checked without importing the recogniser.
WHISPER_LANGUAGES = frozenset(
    [
        "af",
        "am",
        "ar",
        "as",
        "az",
        "ba",
        "be",
        "bg",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "eu",
        "fa",
        "fi",
        "fo",
        "fr",
        "gl",
        "gu",
        "ha",
        "haw",
        "he",
        "hi",
        "hr",
        "ht",
        "hu",
        "hy",
        "id",
        "is",
        "it",
        "ja",
        "jw",
        "ka",
        "kk",
        "km",
        "kn",
        "ko",
        "la",
        "lb",
        "ln",
        "lo",
        "lt",
        "lv",
        "mg",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "ne",
        "nl",
        "nn",
        "no",
        "oc",
        "pa",
        "pl",
        "ps",
        "pt",
        "ro",
        "ru",
        "sa",
        "sd",
        "si",
        "sk",
        "sl",
        "sn",
        "so",
        "sq",
        "sr",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "tk",
        "tl",
        "tr",
        "tt",
        "uk",
        "ur",
        "uz",
        "vi",
        "yi",
        "yo",
        "zh",
        "yue",
    ]
)


class RegionsFileError(DataFileError):
    """rules/regions.yaml is invalid (the message names the file and the entry)."""


class Region(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = ""
    allowed: tuple[str, ...] = Field(min_length=1, description="Languages calls may be in.")
    confusions: dict[str, str] = Field(
        default_factory=dict,
        description="Known mis-detections: detected language -> the allowed one it really is.",
    )
    default: str | None = Field(
        default=None,
        description="Used when no allowed language has any probability; else the first allowed.",
    )

    @field_validator("allowed")
    @classmethod
    def _known_allowed(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for i, code in enumerate(v):
            if code not in WHISPER_LANGUAGES:
                raise ValueError(f"allowed[{i}]: {code!r} is not a Whisper language code")
        if len(set(v)) != len(v):
            raise ValueError("allowed lists a language twice")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Region:
        for src, dst in self.confusions.items():
            if src not in WHISPER_LANGUAGES:
                raise ValueError(f"confusions.{src}: {src!r} is not a Whisper language code")
            if src in self.allowed:
                raise ValueError(f"confusions.{src}: {src!r} is allowed, so it needs no correction")
            if dst not in self.allowed:
                raise ValueError(f"confusions.{src}: target {dst!r} is not in allowed")
        if self.default is not None and self.default not in self.allowed:
            raise ValueError(f"default: {self.default!r} is not in allowed")
        return self


class RegionsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = 1
    regions: dict[str, Region]


@dataclass(frozen=True)
class Regions:
    """The loaded regions file."""

    path: str
    regions: Mapping[str, Region]

    def get(self, code: str | None) -> Region | None:
        return self.regions.get(code.upper()) if code else None


def load_regions(path: Path) -> Regions:
    """Read and validate the regions file; every error names the file and the entry."""
    return _load_regions(str(Path(path).resolve()))


@lru_cache(maxsize=8)
def _load_regions(path: str) -> Regions:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegionsFileError(path, f"cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise RegionsFileError(path, f"is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise RegionsFileError(path, "must be a mapping with a 'regions' key")
    try:
        parsed = RegionsFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise RegionsFileError(path, f"entry {where}: {err['msg']}{more}") from exc
    return Regions(path=path, regions={k.upper(): v for k, v in parsed.regions.items()})


@dataclass(frozen=True)
class Correction:
    language: str | None
    reason: str | None


def correct_language(
    detected: str | None,
    probabilities: Mapping[str, float],
    region_code: str | None,
    regions: Regions,
) -> Correction:
    """The language to use for a call in ``region_code``, and why it changed (None: it did not)."""
    if detected is None:
        return Correction(None, None)
    region = regions.get(region_code)
    if region is None:
        # No rules for this region (or none given): nothing to correct against.
        return Correction(detected, None)
    if detected in region.allowed:
        return Correction(detected, None)
    p = probabilities.get(detected, 0.0)
    where = f"region {region_code.upper() if region_code else ''}"
    if detected in region.confusions:
        target = region.confusions[detected]
        return Correction(
            target,
            f"detected '{detected}' (p={p:.2f}) is not spoken in {where}; known confusion "
            f"{detected} -> {target}",
        )
    # A known confusion's probability is evidence for its target (p(ur) counts for hi):
    # when the top guess is some third language, Urdu-labelled speech still means Hindi.
    scores = {lang: probabilities.get(lang, 0.0) for lang in region.allowed}
    for src, dst in region.confusions.items():
        scores[dst] += probabilities.get(src, 0.0)
    best = max(region.allowed, key=lambda lang: scores[lang])
    best_p = scores[best]
    if best_p <= 0.0:
        best = region.default or region.allowed[0]
        return Correction(
            best,
            f"detected '{detected}' (p={p:.2f}) is not spoken in {where} and no allowed "
            f"language has any probability; using the region default '{best}'",
        )
    via = [src for src, dst in region.confusions.items() if dst == best and src in probabilities]
    counted = f", counting {', '.join(via)} as {best}" if via else ""
    return Correction(
        best,
        f"detected '{detected}' (p={p:.2f}) is not spoken in {where}; most probable allowed "
        f"language is '{best}' (p={best_p:.2f}{counted})",
    )


# --------------------------------------------------------------------------- windows


def detection_spans(
    speech: Sequence[tuple[float, float]],
    duration: float,
    window_start: float,
    window_end: float,
    min_speech: float,
) -> tuple[list[tuple[float, float]], str]:
    """The speech spans (seconds) to detect the language on, and a note on which window it was.

    1. speech inside [window_start, window_end];
    2. short call or too little speech there: the last (window_end - window_start) s of speech;
    3. still too little: all the speech there is (a short call is what it is).
    """
    length = window_end - window_start

    def clip(lo: float, hi: float) -> list[tuple[float, float]]:
        out = []
        for s, e in speech:
            s2, e2 = max(s, lo), min(e, hi)
            if e2 > s2:
                out.append((s2, e2))
        return out

    def total(spans: list[tuple[float, float]]) -> float:
        return sum(e - s for s, e in spans)

    spans = clip(window_start, window_end)
    if total(spans) >= min_speech:
        return spans, f"speech in {window_start:g}-{window_end:g} s"
    # Walk back from the end of the call until `length` seconds of speech are collected.
    tail: list[tuple[float, float]] = []
    need = length
    for s, e in reversed(list(speech)):
        take = min(e - s, need)
        tail.insert(0, (e - take, e))
        need -= take
        if need <= 0:
            break
    all_speech = sum(e - s for s, e in speech)
    if total(tail) >= min_speech and total(tail) < all_speech - 1e-6:
        return tail, (
            f"too little speech in {window_start:g}-{window_end:g} s; used the last "
            f"{total(tail):.0f} s of speech"
        )
    spans = clip(0.0, duration)
    return spans, f"short call: used all {total(spans):.1f} s of speech"


def first_window_spans(duration: float, seconds: float = 30.0) -> list[tuple[float, float]]:
    """Whisper's own choice: the first 30 s, whatever is in them (for comparisons)."""
    return [(0.0, min(duration, seconds))]


def average_probabilities(runs: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Mean of several windows' language distributions, most probable first."""
    if not runs:
        return {}
    acc: dict[str, float] = {}
    for run in runs:
        for lang, p in run.items():
            acc[lang] = acc.get(lang, 0.0) + p
    avg = {k: v / len(runs) for k, v in acc.items()}
    return dict(sorted(avg.items(), key=lambda kv: -kv[1]))
