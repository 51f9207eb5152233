"""Test helpers for the classifier: a misbehaving OpenAI-compatible HTTP server, cases.

:class:`FakeLLM` is a real HTTP server on 127.0.0.1 that speaks the OpenAI
chat-completions wire format and follows a script of :class:`Step` s (slow
answers, 429/5xx, dropped connections, cut or off-schema JSON). The
classifier under test talks to it with the real ``openai`` client.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from referee.classifier import ClassifierOptions
from referee.messages import CancellationEvent, ChatMessage, Transcript, Utterance
from referee.settings import PROJECT_ROOT

CATALOGUE_PATH = PROJECT_ROOT / "rules" / "scenarios.yaml"
PROMPTS_DIR = PROJECT_ROOT / "prompts"

# --------------------------------------------------------------------------- fake server


@dataclass
class Step:
    """What the fake server does for one request."""

    status: int = 200
    body: Any = None  # dict -> JSON; bytes -> raw
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


def completion(
    content: str, finish_reason: str = "stop", prompt_tokens: int = 100, completion_tokens: int = 20
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def answer(
    scenario: str = "pro_running_late",
    reason: str = "The professional said they would be two hours late.",
    evidence: list[dict[str, Any]] | None = None,
    confidence: float = 0.8,
) -> str:
    ev = (
        evidence
        if evidence is not None
        else [{"speaker": "professional", "quote": "main do ghante late aaunga", "time": "00:05"}]
    )
    return json.dumps(
        {"evidence": ev, "scenario": scenario, "reason": reason, "confidence": confidence}
    )


def ok(content: str | None = None, **kw: Any) -> Step:
    return Step(body=completion(content if content is not None else answer(), **kw))


def error(status: int, message: str = "trouble", headers: dict[str, str] | None = None) -> Step:
    return Step(
        status=status,
        body={"error": {"message": message, "type": "server_error", "code": status}},
        headers=headers or {},
    )


class FakeLLM:
    """A scripted OpenAI-compatible server; ``steps`` are used in order, the last repeats."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(payload)
                    step = fake.steps.pop(0) if len(fake.steps) > 1 else fake.steps[0]
                if step.delay:
                    time.sleep(step.delay)
                if step.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._send(step.status, step.body, step.headers)

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(raw)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): nothing to answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}/v1"

    def script(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


#: Fast-failing options for the fault tests: short timeouts, tiny backoff.
FAST = ClassifierOptions(timeout_s=2.0, max_retries=2, backoff_s=0.01, backoff_max_s=0.05)


Turn = tuple[str, str]  # (speaker, text); times are assigned 5 s apart


def build_case(
    turns: list[Turn],
    *,
    chat: list[Turn] = (),  # type: ignore[assignment]
    cancelled_by: str = "customer",
    reason_selected: str | None = None,
    minutes_before_slot: float | None = 30,
    service: str = "home_cleaning",
    case_id: str = "t-1",
) -> tuple[CancellationEvent, Transcript]:
    event = CancellationEvent(
        cancellation_id=case_id,
        booking_id="B-" + case_id,
        service=service,
        city="Pune",
        cancelled_by=cancelled_by,  # type: ignore[arg-type]
        minutes_before_slot=minutes_before_slot,
        reason_selected=reason_selected,
        chat=tuple(ChatMessage.model_validate({"from": s, "text": t}) for s, t in chat),
    )
    utterances = tuple(
        Utterance(speaker=s, start=5.0 * i, end=5.0 * i + 4, text=t)  # type: ignore[arg-type]
        for i, (s, t) in enumerate(turns)
    )
    transcript = Transcript(
        cancellation_id=case_id, booking_id="B-" + case_id, utterances=utterances
    )
    return event, transcript
