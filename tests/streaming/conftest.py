"""Fixtures of the streaming tests: the broker (real Kafka) and a per-test deployment.

The broker is ``KAFKA_BOOTSTRAP``, else 127.0.0.1:9092 (what ``scripts/kafka.sh
start`` runs). Without either the Kafka tests are skipped, saying so; when
KAFKA_BOOTSTRAP is set (or CI=true) and no broker answers, they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.streaming.harness import DEFAULT_BOOTSTRAP, Deployment, broker_answers


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    configured = os.environ.get("KAFKA_BOOTSTRAP")
    bootstrap = configured or DEFAULT_BOOTSTRAP
    if broker_answers(bootstrap):
        return bootstrap
    if configured or os.environ.get("CI"):
        pytest.fail(f"no Kafka broker answers at {bootstrap} (start one: scripts/kafka.sh start)")
    pytest.skip(
        "no Kafka broker: KAFKA_BOOTSTRAP is unset and nothing answers on "
        f"{DEFAULT_BOOTSTRAP}; run scripts/kafka.sh start"
    )


@pytest.fixture
def deployment(
    kafka_bootstrap: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Deployment]:
    dep = Deployment(kafka_bootstrap, tmp_path)
    yield dep
    dep.stop()
    dep.delete_topics()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(dep.logs()[-20000:])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # Lets the deployment fixture print the workers' logs when a test failed.
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
