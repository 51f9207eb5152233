"""Starting workers: one faust worker per stage, or ``all`` as one child process per stage.

``referee worker STAGE`` and ``python -m workers worker STAGE`` both end here.
Each stage is its own consumer group (``<app_id>-<stage>``), so stages scale
independently: start more processes of a stage, up to ``STREAM__PARTITIONS``.
``all`` runs the same four groups as child processes, so a deployment may mix
it with single-stage workers.
"""

from __future__ import annotations

import asyncio
import logging
import logging.config
import os
import signal
import subprocess
import sys
import time
from typing import Any

from referee.errors import ConfigError
from referee.settings import Settings
from workers.observability import StageMetrics, logging_config, set_stage
from workers.options import STAGES
from workers.runtime import Runtime, build_app
from workers.topics import ensure_topics, group_id

log = logging.getLogger(__name__)

CLASSIFIERS = ("llm", "supplied")


def build_classifier(name: str, settings: Settings) -> Any:
    """``llm``: the language-model classifier of the settings. ``supplied``: the
    test/benchmark classifier that reads the scenario from the event."""
    if name == "supplied":
        from workers.classifiers import SuppliedScenarioClassifier

        log.warning("classifier 'supplied' is for tests and benchmarks only")
        return SuppliedScenarioClassifier()
    if name == "llm":
        from referee.classifier import build_classifier as build_llm

        return build_llm(settings)
    raise ConfigError(f"unknown classifier {name!r}; choose one of {', '.join(CLASSIFIERS)}")


def _register(rt: Runtime, stage: str, classifier: str) -> None:
    from workers import agents

    settings = rt.settings
    if stage == "transcribe":
        from referee.pipeline import recogniser_for
        from referee.stages.transcribe import TranscribeStage

        # The recogniser loads on the first recording, in a stage thread.
        agents.register_transcribe(rt, TranscribeStage(factory=lambda: recogniser_for(settings)))
    elif stage == "classify":
        agents.register_classify(rt, build_classifier(classifier, settings))
    elif stage == "decide":
        from referee.stages.decide import DecideStage

        agents.register_decide(
            rt, DecideStage.from_files(settings.rules_path, settings.scenarios_path)
        )
    elif stage == "persist":
        from referee.stages.decide import DecideStage

        store = _open_store(settings.database_url)
        # Record the rule table this deployment decides with, so decisions can be replayed.
        store.record_rule_table(
            DecideStage.from_files(settings.rules_path, settings.scenarios_path).table
        )
        agents.register_persist(rt, store)
    else:
        raise ConfigError(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)} or all")


def _open_store(url: str, tries: int = 5) -> Any:
    """The store, migrated. Persist workers starting together on a new database race
    to create its tables; the losers try again (then find them made)."""
    from referee.errors import StoreError
    from referee.store import Store

    for attempt in range(1, tries + 1):
        try:
            return Store(url)
        except StoreError as exc:
            if attempt == tries:
                raise
            log.warning("store not ready (%s); trying again", exc)
            time.sleep(attempt)
    raise AssertionError("unreachable")


def _add_watchers(rt: Runtime) -> None:
    """Log assignment changes (tests wait for 'partitions assigned') and keep the lag
    gauge current: highwater minus committed offset of each assigned partition."""
    app = rt.app
    group = group_id(rt.settings, rt.stage)
    state: dict[str, Any] = {"assigned": None, "lag_at": 0.0}

    @app.timer(interval=0.5)
    async def watch() -> None:
        heal = getattr(app.consumer, "heal_holes", None)
        if heal is not None:
            await heal(rt.options.redeliver_after_s)
        assigned = sorted(  # the stage's own topics: not changelogs, not faust's internals
            (tp.topic, tp.partition)
            for tp in app.assignor.assigned_actives()
            if not tp.topic.endswith(("-changelog", "__assignor-__leader"))
        )
        if assigned != state["assigned"] and assigned:
            state["assigned"] = assigned
            log.info(
                "partitions assigned",
                extra={"group": group, "partitions": [f"{t}/{p}" for t, p in assigned]},
            )
        now = time.monotonic()
        if not assigned or now - state["lag_at"] < rt.options.lag_interval_s:
            return
        state["lag_at"] = now
        # faust keeps the offsets it committed; changelog topics are read, never committed.
        committed = getattr(app.consumer, "_committed_offset", {})
        for tp in app.consumer.assignment():
            if (tp.topic, tp.partition) not in assigned:
                continue
            try:
                high = app.consumer.highwater(tp)
            except Exception:  # not fetched yet
                continue
            if high is None or high < 0:
                continue
            done = committed.get(tp) or 0
            rt.metrics.lag.labels(group, tp.topic, str(tp.partition)).set(max(high - done, 0))


def run_stage(stage: str, classifier: str = "llm", metrics_port: int | None = None) -> int:
    """Run one stage's faust worker in this process until it is stopped."""
    import faust

    settings = Settings()
    opts = settings.stream
    logging.config.dictConfig(logging_config(opts.log_format, opts.log_level))
    set_stage(stage)
    # Topics must exist with the right partition count before faust subscribes.
    if opts.create_topics:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(_ensure_topics_retrying(settings))
        finally:
            loop.close()
    asyncio.set_event_loop(asyncio.new_event_loop())
    app = build_app(settings, stage)
    metrics = StageMetrics(stage)
    metrics.serve(opts.metrics_port if metrics_port is None else metrics_port)
    rt = Runtime(settings, stage, app, metrics)
    _register(rt, stage, classifier)
    _add_watchers(rt)
    log.info(
        "starting worker",
        extra={"group": group_id(settings, stage), "bootstrap": settings.kafka_bootstrap},
    )
    worker = faust.Worker(
        app,
        loglevel=opts.log_level,
        logging_config=logging_config(opts.log_format, opts.log_level),
        redirect_stdouts=False,
    )
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


async def _ensure_topics_retrying(settings: Settings, wait_s: float = 120.0) -> None:
    """Create topics; while the broker is still starting (compose), keep trying."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            await ensure_topics(settings)
            return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise ConfigError(
                    f"cannot reach Kafka at {settings.kafka_bootstrap}: {exc}"
                ) from exc
            log.warning("Kafka not reachable yet (%s); retrying", exc)
            await asyncio.sleep(2.0)


def run_all(classifier: str = "llm", metrics_port: int | None = None) -> int:
    """Run every stage as a child process; stop all when one stops, with its exit code."""
    base = Settings().stream.metrics_port if metrics_port is None else metrics_port
    children: dict[str, subprocess.Popen[bytes]] = {}
    for i, stage in enumerate(STAGES):
        port = base + i if base else 0
        cmd = [sys.executable, "-m", "workers", "worker", stage, "--classifier", classifier]
        cmd += ["--metrics-port", str(port)]
        children[stage] = subprocess.Popen(cmd, env=os.environ.copy())

    def forward(signum: int, _frame: Any) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = 0
    try:
        while True:
            for stage, child in children.items():
                rc = child.poll()
                if rc is not None:
                    log.warning("stage %s exited with %s; stopping the others", stage, rc)
                    code = rc
                    raise StopIteration
            time.sleep(0.5)
    except StopIteration:
        pass
    forward(signal.SIGTERM, None)
    for child in children.values():
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
    return code


def run(stage: str, classifier: str = "llm", metrics_port: int | None = None) -> int:
    if classifier not in CLASSIFIERS:
        raise ConfigError(f"unknown classifier {classifier!r}; choose one of {CLASSIFIERS}")
    if stage == "all":
        return run_all(classifier, metrics_port)
    if stage not in STAGES:
        raise ConfigError(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)} or all")
    return run_stage(stage, classifier, metrics_port)
