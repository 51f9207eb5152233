"""The language-model classifier: one cancellation in, a checked scenario out.

:class:`LLMClassifier` talks to any OpenAI-compatible chat-completions server
through the ``openai`` client (the embedded llama.cpp server and a remote
production server alike). Per case it:

1. renders the DATA block (:mod:`referee.classifier.render`): escaped,
   trimmed, with instruction-like text flagged and redacted;
2. optionally asks a shortlister for the top-k candidate scenarios;
3. asks for structured output (``response_format`` json_schema with an enum
   of the candidate ids), retrying timeouts, connection errors, 429 and 5xx
   with exponential backoff, stepping down to json_object / plain text when a
   server rejects the format;
4. validates the answer on our side regardless; an invalid answer (bad or cut
   JSON, off-schema, unknown scenario) gets ``repair_attempts`` follow-up
   calls that show the model its answer and the problem;
5. verifies every quote against the input (:mod:`referee.classifier.evidence`).

What it noticed on the way (instruction-like lines, unverified quotes, a
trimmed input, a failed shortlist) goes into ``Classification.flags`` as
short machine-readable codes; the ``reason`` stays the model's sentence.

Whatever goes wrong, :meth:`LLMClassifier.classify` returns a
:class:`Classification`; model trouble makes it ``unclear`` with ``error``
set, never an exception and never a silent drop.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import openai
from openai import OpenAI

from referee.classifier.evidence import RawQuote, verify_quotes
from referee.classifier.options import ClassifierOptions, StructuredOutput
from referee.classifier.prompts import PromptSet, ensure_unclear
from referee.classifier.render import View, build_view, shortlist_text
from referee.errors import ClassifierError, TransientStageError
from referee.messages import CancellationEvent, Classification, Transcript, Usage
from referee.scenarios import UNCLEAR, Catalogue

if TYPE_CHECKING:
    from referee.classifier.server import EmbeddedServer

log = logging.getLogger(__name__)

_FORMAT_LADDER: tuple[StructuredOutput, ...] = (
    "json_schema",
    "json_object_schema",
    "json_object",
    "none",
)
#: Status codes worth another try: rate limiting and server-side trouble.
_RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
#: Lines named by ``injection_suspected`` flags; more are counted in one '+n' flag.
MAX_INJECTION_FLAGS = 10


class ShortlisterLike(Protocol):
    """What the classifier needs of :class:`referee.classifier.shortlist.Shortlister`."""

    def shortlist(self, text: str, k: int) -> list[tuple[str, float]]: ...


class AnswerError(ValueError):
    """The model's answer is not a valid classification (bad JSON, off-schema, unknown id)."""


@dataclass
class _Meter:
    """Calls and tokens spent on one case, every attempt counted, and flags raised on the way."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    flags: list[str] = field(default_factory=list)

    def usage(self) -> Usage:
        return Usage(
            model_calls=self.calls,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
        )


@dataclass(frozen=True)
class Answer:
    """A validated answer, before quote verification."""

    scenario: str
    reason: str
    quotes: tuple[RawQuote, ...]
    confidence: float | None


class LLMClassifier:
    """Names the scenario of a cancellation with a chat model; see the module docstring."""

    name = "llm"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        prompts: PromptSet,
        catalogue: Catalogue,
        options: ClassifierOptions | None = None,
        api_key: str = "not-needed",
        shortlister: ShortlisterLike | None = None,
        server: EmbeddedServer | None = None,
    ) -> None:
        self.options = options or ClassifierOptions()
        self.prompts = prompts
        self.catalogue = catalogue
        self.model = model
        self.shortlister = shortlister
        self.server = server  # kept so the embedded server lives as long as we do
        # The client's own retries are off: ours count attempts, honour the
        # backoff options and turn the last failure into an ``unclear``.
        self._client = OpenAI(
            base_url=base_url, api_key=api_key, max_retries=0, timeout=self.options.timeout_s
        )
        wanted = self.options.structured_output
        if wanted == "auto":
            wanted = "json_object_schema" if server is not None else "json_schema"
        self._format: StructuredOutput = wanted
        self._extra_body = dict(self.options.extra_body)
        if server is not None:
            self._extra_body.setdefault("repeat_penalty", 1.0)
        # Defaults differ for the embedded 270M model: measured, its own choice
        # never improved on the shortlist's first (see ClassifierOptions).
        embedded = server is not None
        self._k = self.options.shortlist_k or (1 if embedded else 6)
        offer = self.options.shortlist_offer_unclear
        self._offer_unclear = (not embedded) if offer is None else offer
        self._full = ensure_unclear(catalogue.ids)
        # Built once: with the full list the system message is identical for
        # every case, which lets llama.cpp reuse its evaluated prompt prefix.
        self._full_system = prompts.system_message(self._full)

    # ------------------------------------------------------------------ public
    def classify(self, event: CancellationEvent, transcript: Transcript) -> Classification:
        started = time.monotonic()
        meter = _Meter()
        view: View | None = None
        try:
            view = build_view(
                event,
                transcript,
                self.prompts,
                max_chars=self.options.max_input_chars,
                redact=self.options.redact_injections,
            )
            candidates = self._candidates(view, meter)
            answer = self._ask(view, candidates, meter)
            return self._result(event, view, answer, meter, started)
        except (ClassifierError, TransientStageError) as exc:
            return self._unclear(event, view, str(exc), meter, started)
        except Exception as exc:  # never raise from classify: the contract says so
            log.exception("classifier failed on %s", event.cancellation_id)
            return self._unclear(
                event, view, f"internal error: {type(exc).__name__}: {exc}", meter, started
            )

    def close(self) -> None:
        """Close the HTTP client (the shared embedded server stays up for reuse)."""
        self._client.close()

    def __enter__(self) -> LLMClassifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ steps
    def _candidates(self, view: View, meter: _Meter) -> list[str]:
        if self.shortlister is None:
            return self._full
        try:
            ranked = self.shortlister.shortlist(shortlist_text(view), self._k)
        except Exception as exc:  # a broken shortlist must not cost the case
            log.warning("shortlist failed, using every scenario: %s", exc)
            meter.flags.append(f"shortlist_failed:{type(exc).__name__}")
            return self._full
        ids = list(dict.fromkeys(sid for sid, _ in ranked if sid in self.catalogue))
        ids = ids[: self._k]
        if not ids:
            return self._full
        # Best first, as ranked (a small model leans to the first option), and
        # 'unclear' where the shortlist ranked it, else last if it is offered.
        return ids if UNCLEAR in ids or not self._offer_unclear else [*ids, UNCLEAR]

    def messages(self, view: View, candidates: Sequence[str]) -> list[dict[str, str]]:
        """The chat messages for one case: instructions in system, data in user."""
        system = (
            self._full_system
            if list(candidates) == self._full
            else self.prompts.system_message(candidates)
        )
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": self.prompts.user_message(view.data_block, candidates)},
        ]

    def _ask(self, view: View, candidates: list[str], meter: _Meter) -> Answer:
        messages = self.messages(view, candidates)
        content, finish = self._complete(messages, candidates, meter)
        for attempt in range(self.options.repair_attempts + 1):
            try:
                answer = parse_answer(content, finish, candidates, self.catalogue, self.prompts)
            except AnswerError as exc:
                if attempt == self.options.repair_attempts:
                    raise ClassifierError(
                        f"invalid model answer after {attempt} repair attempt(s): {exc}"
                    ) from exc
                log.info("repairing answer (%s)", exc)
                repair = [
                    *messages,
                    {"role": "assistant", "content": (content or "")[:2000]},
                    {
                        "role": "user",
                        "content": f"That answer is invalid: {exc}. Reply again with only one "
                        "complete JSON object in the answer format, keeping quotes short. "
                        f'"scenario" must be one of: {", ".join(candidates)}.',
                    },
                ]
                content, finish = self._complete(repair, candidates, meter)
                continue
            if answer.scenario not in candidates:
                meter.flags.append("outside_shortlist")
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _complete(
        self, messages: list[dict[str, str]], candidates: Sequence[str], meter: _Meter
    ) -> tuple[str, str | None]:
        """One model answer, with transport retries; returns (content, finish_reason)."""
        o = self.options
        attempt = 0
        while True:
            fmt = self._format
            kwargs: dict[str, Any] = {
                "model": self.model,
                "messages": messages,
                "temperature": o.temperature,
                "max_tokens": o.max_tokens,
            }
            if o.seed is not None:
                kwargs["seed"] = o.seed
            if self._extra_body:
                kwargs["extra_body"] = self._extra_body
            rf = self._response_format(fmt, candidates)
            if rf is not None:
                kwargs["response_format"] = rf
            meter.calls += 1
            try:
                resp = self._client.chat.completions.create(**kwargs)
                # Read the response inside the try: a body that is cut or is
                # not a completion fails here, and is retried like a 5xx.
                content, finish = _read(resp, meter)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                # Some servers do not know json_schema (or json_object): step
                # down once per level, for good, and ask again.
                if rf is not None and _about_format(exc):
                    nxt = _FORMAT_LADDER[_FORMAT_LADDER.index(fmt) + 1]
                    log.warning("server rejected response_format %s (%s); using %s", fmt, exc, nxt)
                    self._format = nxt
                    continue
                raise ClassifierError(
                    f"model server refused the request (HTTP {exc.status_code}): {_brief(exc)}"
                ) from exc
            except (openai.APITimeoutError, openai.APIConnectionError) as exc:
                error = f"{'timeout' if isinstance(exc, openai.APITimeoutError) else 'connection'}"
                retry_after = None
                detail = _brief(exc)
            except openai.APIStatusError as exc:
                if exc.status_code not in _RETRY_STATUS:
                    raise ClassifierError(
                        f"model server answered HTTP {exc.status_code}: {_brief(exc)}"
                    ) from exc
                error = f"HTTP {exc.status_code}"
                retry_after = _retry_after(exc.response.headers.get("retry-after"))
                detail = _brief(exc)
            except (
                openai.APIResponseValidationError,
                ValueError,
                TypeError,
                AttributeError,
            ) as exc:
                error, retry_after, detail = "malformed response", None, _brief(exc)
            else:
                return content, finish
            if attempt >= o.max_retries:
                raise TransientStageError(
                    f"model call failed after {attempt + 1} attempt(s): {error}: {detail}"
                )
            wait = min(o.backoff_s * (2**attempt), o.backoff_max_s)
            if retry_after is not None:
                wait = min(max(wait, retry_after), o.backoff_max_s)
            log.info("model call failed (%s); retry %d in %.2fs", error, attempt + 1, wait)
            time.sleep(wait)
            attempt += 1

    def _response_format(
        self, fmt: StructuredOutput, candidates: Sequence[str]
    ) -> dict[str, Any] | None:
        if fmt == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {
                    "name": "classification",
                    "strict": True,
                    "schema": self.prompts.json_schema(candidates),
                },
            }
        if fmt == "json_object_schema":
            schema = self.prompts.json_schema(candidates, limits=True)
            return {"type": "json_object", "schema": schema}
        if fmt == "json_object":
            return {"type": "json_object"}
        return None

    # ------------------------------------------------------------------ results
    def _result(
        self,
        event: CancellationEvent,
        view: View,
        answer: Answer,
        meter: _Meter,
        started: float,
    ) -> Classification:
        ev_field = self.prompts.field("evidence")
        # Every quote is checked (and counted for the flag); unverified ones are
        # dropped afterwards when the options say so.
        checked = verify_quotes(
            answer.quotes[: ev_field.max_items or 3],
            view.lines,
            threshold=self.options.quote_match_threshold,
            max_chars=ev_field.max_chars or 200,
        )
        evidence = checked
        if self.options.drop_unverified_evidence:
            evidence = tuple(e for e in checked if e.verified)
        confidence = answer.confidence
        # Quotes the input does not contain are a sign the model is guessing.
        if confidence is not None and evidence and not any(e.verified for e in evidence):
            confidence = round(confidence / 2, 3)
        unverified = sum(1 for e in checked if not e.verified)
        quote_flags = [f"quotes_unverified:{unverified}/{len(checked)}"] if unverified else []
        return Classification(
            cancellation_id=event.cancellation_id,
            booking_id=event.booking_id,
            scenario=answer.scenario,
            reason=answer.reason,
            evidence=evidence,
            confidence=confidence,
            classifier=self.name,
            model=self.model,
            prompt_version=self.prompts.version,
            usage=meter.usage(),
            trimmed=view.trimmed,
            seconds=round(time.monotonic() - started, 3),
            flags=flags_for(view, quote_flags, meter.flags),
        )

    def _unclear(
        self,
        event: CancellationEvent,
        view: View | None,
        error: str,
        meter: _Meter,
        started: float,
    ) -> Classification:
        log.warning("%s: classified unclear: %s", event.cancellation_id, error)
        return Classification(
            cancellation_id=event.cancellation_id,
            booking_id=event.booking_id,
            scenario=UNCLEAR,
            reason="The language model gave no usable answer, so the case goes to a person.",
            classifier=self.name,
            model=self.model,
            prompt_version=self.prompts.version,
            usage=meter.usage(),
            error=error[:1000],
            trimmed=view.trimmed if view is not None else None,
            seconds=round(time.monotonic() - started, 3),
            flags=flags_for(view, [], meter.flags),
        )


def flags_for(
    view: View | None, quote_flags: Sequence[str], other: Sequence[str]
) -> tuple[str, ...]:
    """The classification's flags, in a fixed order: input first, then the answer, then the run."""
    flags: list[str] = []
    if view is not None:
        refs = list(dict.fromkeys(view.injection_refs))
        flags += [
            f"injection_suspected:{r}" if r else "injection_suspected"
            for r in refs[:MAX_INJECTION_FLAGS]
        ]
        if len(refs) > MAX_INJECTION_FLAGS:
            flags.append(f"injection_suspected:+{len(refs) - MAX_INJECTION_FLAGS}")
    flags += quote_flags
    if view is not None and view.trimmed:
        flags.append("trimmed")
    flags += other
    return tuple(dict.fromkeys(flags))


# --------------------------------------------------------------------------- parsing

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)
#: A sentence end: . ! or ?, perhaps closing a quote or bracket, then a space or the end.
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?(?=\s|$)")
#: A reason this close to its length cap is taken as cut there: the server's grammar
#: counts characters before we fold repeated spaces.
CUT_MARGIN = 10


def whole_sentences(text: str, limit: int) -> str:
    """A reason of at most ``limit`` characters that does not stop mid-sentence.

    The cap on the reason (``prompts/output.yaml``) is enforced by the server's
    grammar and again here, and either cuts wherever the limit falls: "... the
    customer is not at home or not reachable when". A reader should not have to
    guess the rest, so a cut reason keeps its complete sentences (a sentence end
    inside a quotation does not count); with none, it is cut at a word and ends
    with "…". A reason well under the cap is left as the model wrote it.
    """
    if len(text) < limit - CUT_MARGIN:
        return text
    text = text[:limit]
    if _SENTENCE_END.fullmatch(text[-2:]) or _SENTENCE_END.fullmatch(text[-1:]):
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text) if text[: m.end()].count('"') % 2 == 0]
    if ends:
        return text[: ends[-1]]
    words = text[: limit - 1].rsplit(" ", 1)[0]  # the whole text when it has no space
    return words.rstrip(" ,;:-") + "…"


def parse_answer(
    content: str,
    finish_reason: str | None,
    candidates: Sequence[str],
    catalogue: Catalogue,
    prompts: PromptSet,
) -> Answer:
    """Validate a raw answer; every problem is an :class:`AnswerError` saying what."""
    text = _FENCE.sub("", (content or "").strip())
    if not text:
        raise AnswerError("the answer is empty")
    # Servers without structured output wrap JSON in prose: take the object.
    start, end = text.find("{"), text.rfind("}")
    if start == -1:
        raise AnswerError("no JSON object in the answer")
    try:
        # strict=False: a raw newline or tab inside a string is a slip, not a reason
        # to throw the answer away.
        obj = json.loads(text[start : end + 1] if end > start else text[start:], strict=False)
    except json.JSONDecodeError as exc:
        cut = " (cut off: the token limit was reached)" if finish_reason == "length" else ""
        raise AnswerError(f"not valid JSON{cut}: {exc.msg}") from exc
    if not isinstance(obj, dict):
        raise AnswerError("the answer is not a JSON object")
    scenario = obj.get("scenario")
    if not isinstance(scenario, str) or not scenario.strip():
        raise AnswerError('"scenario" is missing')
    scenario = scenario.strip()
    # A catalogue id outside a shortlist is accepted: the shortlist is a hint,
    # and a server without constrained decoding may know better.
    if scenario not in catalogue:
        raise AnswerError(f"unknown scenario id {scenario!r}")
    if scenario not in candidates:
        log.info("answer %s is outside the shortlist %s", scenario, list(candidates))
    reason = obj.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise AnswerError('"reason" must be a non-empty string')
    reason = whole_sentences(" ".join(reason.split()), prompts.field("reason").max_chars or 300)
    raw_ev = obj.get("evidence", [])
    if raw_ev is None:
        raw_ev = []
    if not isinstance(raw_ev, list):
        raise AnswerError('"evidence" must be a list')
    quotes: list[RawQuote] = []
    for item in raw_ev:
        if isinstance(item, str):
            quotes.append(RawQuote(speaker="unknown", quote=item))
        elif isinstance(item, dict) and isinstance(item.get("quote"), str):
            t = item.get("time")
            quotes.append(
                RawQuote(
                    speaker=str(item.get("speaker") or "unknown"),
                    quote=item["quote"],
                    time=str(t) if t is not None else None,
                )
            )
        else:
            raise AnswerError('each "evidence" item needs a "quote" string')
    # Confidence is advisory: a missing or nonsensical one becomes None rather
    # than costing the case a repair call.
    conf = obj.get("confidence")
    confidence: float | None = None
    if isinstance(conf, int | float) and not isinstance(conf, bool):
        value = float(conf) / 100 if 1 < conf <= 100 else float(conf)  # percent
        confidence = round(value, 3) if 0 <= value <= 1 else None
    return Answer(scenario=scenario, reason=reason, quotes=tuple(quotes), confidence=confidence)


def _read(resp: Any, meter: _Meter) -> tuple[str, str | None]:
    """Content and finish reason of a completion; counts its tokens."""
    usage = getattr(resp, "usage", None)
    if usage is not None:
        meter.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
        meter.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)
    choices = resp.choices
    if not choices:
        return "", "no choices"
    choice = choices[0]
    return choice.message.content or "", choice.finish_reason


def _about_format(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(w in text for w in ("response_format", "json", "schema", "grammar", "format"))


def _brief(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
