"""The classifier against a real HTTP server that misbehaves on purpose.

Every failure mode of the brief: timeouts, connection errors, 429/5xx, cut
or off-schema JSON, unknown scenario ids, a server that rejects structured
output. Each ends either in a valid classification (after bounded retries or
one repair) or in ``unclear`` with the error recorded; never an exception.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from llmfakes import FAST, Step, answer, completion, error, ok

from referee.classifier import ClassifierOptions
from referee.classifier.server import free_port

TURNS = [
    ("customer", "Hello, aap kab tak aaoge?"),
    ("professional", "Madam pichla kaam lamba chal gaya, main do ghante late aaunga."),
    ("customer", "Itna wait nahi kar sakti, main cancel kar rahi hoon."),
]


@pytest.fixture
def case(make_case: Any) -> Any:
    return make_case(TURNS, reason_selected="Professional delayed")


def test_valid_answer_is_checked_and_costed(make_classifier, fake_llm, case, prompts):
    invented = {"speaker": "customer", "quote": "you broke my sink", "time": "00:10"}
    real = {"speaker": "professional", "quote": "main do ghante late aaunga", "time": "00:05"}
    fake_llm.script(ok(answer(evidence=[real, invented]), prompt_tokens=321, completion_tokens=45))
    c = make_classifier().classify(*case)
    assert c.error is None
    assert c.scenario == "pro_running_late"
    assert c.classifier == "llm" and c.prompt_version == prompts.version
    assert (c.usage.model_calls, c.usage.prompt_tokens, c.usage.completion_tokens) == (1, 321, 45)
    assert [(e.quote, e.verified) for e in c.evidence] == [
        ("main do ghante late aaunga", True),
        ("you broke my sink", False),
    ]
    assert c.evidence[0].start == 5.0 and c.evidence[0].speaker == "professional"
    assert c.flags == ("quotes_unverified:1/2",)
    # structured output was asked for, with the catalogue as the enum
    rf = fake_llm.requests[0]["response_format"]
    assert rf["type"] == "json_schema"
    enum = rf["json_schema"]["schema"]["properties"]["scenario"]["enum"]
    assert "pro_running_late" in enum and enum[-1] == "unclear" and len(enum) == 22


def test_429_then_success_honours_retry_after(make_classifier, fake_llm, case):
    fake_llm.script(error(429, "slow down", {"retry-after": "0.2"}), ok())
    t0 = time.monotonic()
    c = make_classifier().classify(*case)
    assert c.scenario == "pro_running_late" and c.error is None
    assert c.usage.model_calls == 2
    # FAST caps a wait at 0.05 s: Retry-After is honoured only up to the cap
    assert time.monotonic() - t0 < 1.5


def test_5xx_are_retried_with_backoff(make_classifier, fake_llm, case):
    fake_llm.script(error(500), error(503), ok())
    c = make_classifier().classify(*case)
    assert c.scenario == "pro_running_late"
    assert c.usage.model_calls == 3


def test_persistent_5xx_becomes_unclear(make_classifier, fake_llm, case):
    fake_llm.script(error(503, "overloaded"))
    c = make_classifier().classify(*case)
    assert c.scenario == "unclear"
    assert "HTTP 503" in (c.error or "") and "3 attempt" in (c.error or "")
    assert c.usage.model_calls == 1 + FAST.max_retries


def test_backoff_grows_and_is_bounded(make_classifier, fake_llm, case):
    opts = ClassifierOptions(timeout_s=2, max_retries=3, backoff_s=0.1, backoff_max_s=0.25)
    fake_llm.script(error(502))
    t0 = time.monotonic()
    c = make_classifier(opts).classify(*case)
    elapsed = time.monotonic() - t0
    assert c.scenario == "unclear" and c.usage.model_calls == 4
    assert 0.1 + 0.2 + 0.25 <= elapsed < 3.0  # waits 0.1, 0.2, then capped at 0.25


def test_timeout_is_retried(make_classifier, fake_llm, case):
    opts = ClassifierOptions(timeout_s=0.5, max_retries=2, backoff_s=0.01)
    fake_llm.script(Step(body=completion(answer()), delay=1.5), ok())
    c = make_classifier(opts).classify(*case)
    assert c.scenario == "pro_running_late" and c.usage.model_calls == 2


def test_persistent_timeout_becomes_unclear(make_classifier, fake_llm, case):
    opts = ClassifierOptions(timeout_s=0.3, max_retries=1, backoff_s=0.01)
    fake_llm.script(Step(body=completion(answer()), delay=1.0))
    c = make_classifier(opts).classify(*case)
    assert c.scenario == "unclear" and "timeout" in (c.error or "")
    assert c.usage.model_calls == 2


def test_connection_refused_becomes_unclear(make_classifier, case):
    c = make_classifier(base_url=f"http://127.0.0.1:{free_port()}/v1").classify(*case)
    assert c.scenario == "unclear" and "connection" in (c.error or "")
    assert c.usage.model_calls == 1 + FAST.max_retries


def test_dropped_connection_is_retried(make_classifier, fake_llm, case):
    fake_llm.script(Step(drop=True), ok())
    c = make_classifier().classify(*case)
    assert c.scenario == "pro_running_late" and c.usage.model_calls == 2


def test_garbled_http_body_is_retried(make_classifier, fake_llm, case):
    fake_llm.script(Step(body=b'{"choices": [{"index": 0, "mess'), ok())
    c = make_classifier().classify(*case)
    assert c.scenario == "pro_running_late" and c.usage.model_calls == 2


def test_cut_json_gets_one_repair(make_classifier, fake_llm, case):
    cut = answer()[:60]
    fake_llm.script(ok(cut, finish_reason="length"), ok())
    c = make_classifier().classify(*case)
    assert c.scenario == "pro_running_late" and c.error is None
    assert c.usage.model_calls == 2
    repair = fake_llm.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": cut}
    assert "cut off" in repair[-1]["content"]


def test_off_schema_twice_becomes_unclear(make_classifier, fake_llm, case):
    fake_llm.script(ok(json.dumps({"verdict": "late"})))
    c = make_classifier().classify(*case)
    assert c.scenario == "unclear"
    assert "after 1 repair" in (c.error or "") and "scenario" in (c.error or "")
    assert c.usage.model_calls == 2


def test_unknown_scenario_is_repaired(make_classifier, fake_llm, case):
    fake_llm.script(ok(answer(scenario="pro_was_lazy")), ok())
    c = make_classifier().classify(*case)
    assert c.scenario == "pro_running_late" and c.usage.model_calls == 2
    assert "pro_was_lazy" in fake_llm.requests[1]["messages"][-1]["content"]


def test_unknown_scenario_twice_becomes_unclear(make_classifier, fake_llm, case):
    fake_llm.script(ok(answer(scenario="pro_was_lazy")))
    c = make_classifier().classify(*case)
    assert c.scenario == "unclear" and "unknown scenario id 'pro_was_lazy'" in (c.error or "")


def test_prose_wrapped_json_is_accepted(make_classifier, fake_llm, case):
    fake_llm.script(ok("Sure! Here it is:\n```json\n" + answer() + "\n```"))
    assert make_classifier().classify(*case).scenario == "pro_running_late"


def test_server_rejecting_json_schema_steps_down(make_classifier, fake_llm, case):
    fake_llm.script(
        error(400, "response_format json_schema is not supported"),
        error(422, "response_format: extra field 'schema' not permitted"),
        ok(),
    )
    clf = make_classifier()
    c = clf.classify(*case)
    assert c.scenario == "pro_running_late"
    sent = [r.get("response_format", {}) for r in fake_llm.requests]
    assert [(f.get("type"), "schema" in f) for f in sent] == [
        ("json_schema", False),
        ("json_object", True),
        ("json_object", False),
    ]
    assert c.usage.model_calls == 3
    # the step down is remembered for the next case
    fake_llm.script(ok())
    clf.classify(*case)
    assert fake_llm.requests[0]["response_format"] == {"type": "json_object"}


def test_unrelated_400_is_not_retried(make_classifier, fake_llm, case):
    fake_llm.script(error(400, "maximum context length exceeded"))
    c = make_classifier().classify(*case)
    assert c.scenario == "unclear" and "HTTP 400" in (c.error or "")
    assert c.usage.model_calls == 1


def test_auth_error_is_not_retried(make_classifier, fake_llm, case):
    fake_llm.script(error(401, "bad key"))
    c = make_classifier().classify(*case)
    assert c.scenario == "unclear" and "HTTP 401" in (c.error or "")
    assert c.usage.model_calls == 1


def test_percent_confidence_and_string_evidence(make_classifier, fake_llm, case):
    body = json.dumps(
        {
            "evidence": ["Itna wait nahi kar sakti"],
            "scenario": "pro_running_late",
            "reason": "Late.",
            "confidence": 90,
        }
    )
    fake_llm.script(ok(body))
    c = make_classifier().classify(*case)
    assert c.confidence == 0.9
    assert c.evidence[0].verified and c.evidence[0].speaker == "customer"


def test_no_verified_quote_halves_confidence(make_classifier, fake_llm, case):
    fake_llm.script(
        ok(answer(evidence=[{"speaker": "customer", "quote": "made up words", "time": "00:00"}]))
    )
    c = make_classifier().classify(*case)
    assert c.confidence == 0.4 and not c.evidence[0].verified


def test_drop_unverified_evidence_option(make_classifier, fake_llm, case):
    fake_llm.script(
        ok(answer(evidence=[{"speaker": "customer", "quote": "made up words", "time": "00:00"}]))
    )
    c = make_classifier(FAST.model_copy(update={"drop_unverified_evidence": True})).classify(*case)
    assert c.evidence == ()
    assert c.flags == ("quotes_unverified:1/1",)  # dropped, but still said


def test_reason_cut_at_its_cap_keeps_whole_sentences(make_classifier, fake_llm, case, prompts):
    """A reason cut by the length cap (the server's grammar, or ours) ends where a sentence
    ends, never mid-word; with no sentence end outside a quotation it ends with '…'."""
    cap = prompts.field("reason").max_chars
    head = 'The professional says "Madam. Main do ghante late aaunga.". '
    cut = head + "The professional arrives much later than the booked slot, " * 5
    fake_llm.script(ok(answer(reason=cut[:cap])))
    assert make_classifier().classify(*case).reason == head.strip()

    no_end = 'The customer says "Madam. ' + "itna wait nahi kar sakti " * 12
    fake_llm.script(ok(answer(reason=no_end)))  # longer than the cap: we cut it
    reason = make_classifier().classify(*case).reason
    assert reason.endswith("…") and len(reason) <= cap
    kept = reason[:-1]
    assert no_end.startswith(kept) and no_end[len(kept)] == " "  # cut between words

    short = "The professional was late by two hours and the customer did not wait"
    fake_llm.script(ok(answer(reason=short)))  # far under the cap: as written
    assert make_classifier().classify(*case).reason == short
