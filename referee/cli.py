"""The ``referee`` command line: process, eval, rules check, schemas, challenges.

Every command reads its configuration from :class:`referee.settings.Settings`
(environment variables) and exits non-zero with a message that names the
input and place when something is wrong.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from referee.errors import InputError, RefereeError
from referee.evaluate import IntervalOptions, Scoreboard, interval_fields
from referee.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from referee.store import Store

app = typer.Typer(
    help="Referee: decides who is responsible for a cancelled booking, and says why.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="Check and explain rule tables.", no_args_is_help=True)
challenge_app = typer.Typer(help="Raise, list and resolve challenges.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(challenge_app, name="challenge")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

SAMPLES = PROJECT_ROOT / "samples" / "cancellations.jsonl"


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


def _store() -> Store:
    """The store DATABASE_URL names (migrated on open)."""
    from referee.store import Store

    return Store(Settings().database_url)


def _classifier(settings: Settings, oracle: dict[str, str] | None) -> Any:
    if oracle is not None:
        from referee.stages.classify import OracleClassifier

        return OracleClassifier(oracle)
    from referee.classifier import build_classifier

    return build_classifier(settings)


def _run(
    path: Path, *, oracle_scenarios: bool, store: bool, settings: Settings, limit: int | None
) -> tuple[list[Any], list[InputError], float]:
    """Read every line, decide every readable case; return results and the bad lines."""
    from referee.cases import Case, read_cases
    from referee.pipeline import Pipeline

    if not path.is_file():
        raise _fail(f"{path}: file not found")
    cases: list[Case] = []
    bad: list[InputError] = []
    for item in read_cases(path):
        if isinstance(item, InputError):
            bad.append(item)
        else:
            cases.append(item)
    if limit is not None:
        cases = cases[:limit]
    oracle = None
    if oracle_scenarios:
        oracle = {c.case_id: c.label.scenario for c in cases if c.label is not None}
    try:
        pipeline = Pipeline.from_settings(settings, _classifier(settings, oracle), store=store)
    except RefereeError as exc:
        raise _fail(str(exc)) from exc
    results = []
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]deciding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[case]}"),
        console=err,
        transient=False,
    ) as progress:
        task = progress.add_task("cases", total=len(cases), case="")
        for case in cases:
            progress.update(task, case=case.case_id)
            result = pipeline.process(case.event, case.signals)
            results.append((case, result))
            progress.advance(task)
    for problem in bad:
        err.print(f"[yellow]skipped[/] {escape(str(problem))}", highlight=False)
    return results, bad, time.perf_counter() - started


@app.command()
def process(
    file: Annotated[
        Path, typer.Argument(help="Cases (eval format) or event lines, JSONL.")
    ] = SAMPLES,
    oracle_scenarios: Annotated[
        bool, typer.Option(help="Use each case's labelled scenario instead of the classifier.")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="Decide only the first N cases.")] = None,
    show_reasons: Annotated[bool, typer.Option(help="Print each decision's reason.")] = True,
) -> None:
    """Decide every cancellation in FILE and store the decisions (DATABASE_URL)."""
    settings = Settings()
    results, bad, seconds = _run(
        file, oracle_scenarios=oracle_scenarios, store=True, settings=settings, limit=limit
    )
    table = Table(title=f"Decisions ({settings.database_url})")
    for col in ("case", "scenario", "responsible", "penalty", "rule", "stored"):
        table.add_column(col)
    for case, r in results:
        d = r.decision
        table.add_row(
            case.case_id,
            d.scenario,
            d.responsible,
            "yes" if d.penalty else "no",
            d.rule_id,
            "new" if r.created else "existing",
        )
    out.print(table)
    if show_reasons:
        for case, r in results:
            out.print(f"[bold]{case.case_id}[/]: {escape(r.decision.reason)}", highlight=False)
    counts = Counter(r.decision.responsible for _, r in results)
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    out.print(
        f"{len(results)} decided in {seconds:.1f} s ({summary}); {len(bad)} unreadable line(s)",
        highlight=False,
    )
    if bad:
        raise typer.Exit(1)


@app.command("eval")
def evaluate(
    file: Annotated[Path, typer.Argument(help="Labelled cases, JSONL (eval-format.md).")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores to this JSON file.")
    ] = None,
    oracle_scenarios: Annotated[
        bool,
        typer.Option(help="Decide with the labelled scenario: measures the rule table alone."),
    ] = False,
    limit: Annotated[int | None, typer.Option(help="Score only the first N cases.")] = None,
    errors_out: Annotated[
        Path | None, typer.Option(help="Write every misjudged case to this JSONL file.")
    ] = None,
    resamples: Annotated[
        int,
        typer.Option(
            help="Bootstrap resamples for the 95% interval of each score (0: no intervals)."
        ),
    ] = IntervalOptions.resamples,
) -> None:
    """Decide every labelled case (without reading its label) and print the scores.

    Each decision score comes with a 95% bootstrap interval over the cases: the
    range the same system's score could take on another set of cases like these.
    """

    settings = Settings()
    results, bad, _ = _run(
        file, oracle_scenarios=oracle_scenarios, store=False, settings=settings, limit=limit
    )
    board = Scoreboard(errors=len(bad))
    unlabelled = 0
    misses = []
    for case, r in results:
        if case.label is None:
            unlabelled += 1
            continue
        board.add(case.case_id, case.label, r.decision, r.seconds)
        if (case.label.responsible, case.label.penalty) != (
            r.decision.responsible,
            r.decision.penalty,
        ):
            misses.append(
                {
                    "case_id": case.case_id,
                    "label": case.label.model_dump(),
                    "decision": r.decision.model_dump(mode="json", exclude={"classification"}),
                    "classification": r.classification.model_dump(mode="json"),
                }
            )
    scores = board.scores()
    opts = IntervalOptions(resamples=resamples)
    intervals = board.intervals(opts)
    table = Table(title=f"Scores on {file} ({scores['cases']} cases)")
    table.add_column("score")
    table.add_column("value", justify="right")
    table.add_column(f"{opts.level:.0%} interval", justify="right")
    for key, value in scores.items():
        low_high = intervals.get(key)
        table.add_row(
            key,
            f"{value:.3f}" if isinstance(value, float) else str(value),
            f"{low_high[0]:.3f}-{low_high[1]:.3f}" if low_high else "",
        )
    out.print(table)
    scores.update(interval_fields(intervals, opts))
    if unlabelled:
        err.print(f"[yellow]{unlabelled} case(s) had no label and were not scored[/]")
    if json_out:
        json_out.write_text(json.dumps(scores, indent=2) + "\n")
        out.print(f"scores written to {json_out}")
    if errors_out:
        errors_out.write_text("".join(json.dumps(m) + "\n" for m in misses))
    if bad:
        raise typer.Exit(1)


@rules_app.command("check")
def rules_check(
    file: Annotated[
        Path | None, typer.Argument(help="Rule table CSV (default: RULES_PATH).")
    ] = None,
) -> None:
    """Validate a rule table: columns, conditions, scenario ids, unreachable rows, catch-alls."""
    from referee.rules import load_rule_table
    from referee.scenarios import load_catalogue

    settings = Settings()
    path = file or settings.rules_path
    try:
        table = load_rule_table(path, load_catalogue(settings.scenarios_path))
    except RefereeError as exc:
        raise _fail(str(exc), 1) from exc
    out.print(f"{path}: OK, {len(table.rules)} rules, version {table.version}", highlight=False)


@app.command()
def schemas(
    out_dir: Annotated[Path, typer.Option(help="Where to write the JSON Schemas.")] = PROJECT_ROOT
    / "schemas",
    check: Annotated[
        bool, typer.Option(help="Do not write; exit 1 if the files differ from the models.")
    ] = False,
) -> None:
    """Write (or check) the JSON Schema of every message, generated from the models."""
    from referee.schemas import write_schemas

    drift = write_schemas(out_dir, check=check)
    if check and drift:
        raise _fail(
            "schemas differ from the models: " + ", ".join(drift) + " (run `referee schemas`)", 1
        )
    out.print(("checked " if check else "wrote ") + f"schemas in {out_dir}")


@challenge_app.command("raise")
def challenge_raise(
    cancellation_id: str,
    by: Annotated[str, typer.Option(help="Who raises it.")],
    reason: Annotated[str, typer.Option(help="Why the decision is wrong.")],
) -> None:
    """Challenge the decision of one cancellation."""
    from referee.messages import Challenge

    store = _store()
    try:
        challenge = store.raise_challenge(
            Challenge(cancellation_id=cancellation_id, raised_by=by, reason=reason)
        )
    except RefereeError as exc:
        raise _fail(str(exc), 1) from exc
    out.print(f"challenge {challenge.challenge_id} raised on {cancellation_id}")


@challenge_app.command("list")
def challenge_list(
    status: Annotated[str | None, typer.Option(help="open, upheld or overturned.")] = None,
) -> None:
    """List challenges with the decision each disputes."""
    store = _store()
    table = Table(title="Challenges")
    for col in ("challenge", "cancellation", "status", "by", "reason", "decision"):
        table.add_column(col)
    for c in store.challenges(status):
        d = store.get_decision(c.cancellation_id)
        shown = (
            f"{d.responsible}/{'penalty' if d.penalty else 'no penalty'} ({d.rule_id})"
            if d
            else "-"
        )
        table.add_row(
            c.challenge_id[:12], c.cancellation_id, c.status, c.raised_by, c.reason, shown
        )
    out.print(table)


@challenge_app.command("resolve")
def challenge_resolve(
    challenge_id: str,
    status: Annotated[str, typer.Option(help="upheld (decision stands) or overturned.")],
    resolution: Annotated[str, typer.Option(help="The auditor's reasoning.")],
    by: Annotated[str, typer.Option(help="The auditor.")],
    responsible: Annotated[
        str | None, typer.Option(help="Corrected responsible party, when overturned.")
    ] = None,
    penalty: Annotated[
        bool | None, typer.Option(help="Corrected penalty, when overturned.")
    ] = None,
) -> None:
    """Record an auditor's verdict on a challenge."""
    store = _store()
    try:
        c = store.resolve_challenge(
            challenge_id,
            status=status,
            resolution=resolution,
            resolved_by=by,
            corrected_responsible=responsible,
            corrected_penalty=penalty,
        )
    except RefereeError as exc:
        raise _fail(str(exc), 1) from exc
    out.print(f"challenge {c.challenge_id} {c.status}")


@app.command()
def show(cancellation_id: str) -> None:
    """Print the stored decision of one cancellation as JSON."""
    decision = _store().get_decision(cancellation_id)
    if decision is None:
        raise _fail(f"no decision stored for {cancellation_id!r}", 1)
    sys.stdout.write(decision.model_dump_json(indent=2) + "\n")


@app.command()
def transcribe(
    file: Annotated[Path, typer.Argument(help="Call recording (WAV, MP3, ...).")],
    customer_channel: Annotated[
        str, typer.Option(help="Stereo channel that carries the customer: left or right.")
    ] = "left",
    as_json: Annotated[bool, typer.Option("--json", help="Print the transcript as JSON.")] = False,
    region: Annotated[
        str | None, typer.Option(help="Region for language correction (default: DEFAULT_REGION).")
    ] = None,
    translate: Annotated[bool, typer.Option(help="Translate the speech to English.")] = False,
) -> None:
    """Transcribe one call: speakers, times, text, detected and region-corrected language."""
    from referee.audio.cli import run_transcribe

    if customer_channel not in ("left", "right"):
        raise _fail(f"--customer-channel must be left or right, not {customer_channel!r}")
    code = run_transcribe(
        file,
        customer_channel="left" if customer_channel == "left" else "right",
        as_json=as_json,
        region=region,
        translate=translate,
    )
    if code:
        raise typer.Exit(code)


@app.command()
def worker(
    stage: Annotated[
        str, typer.Argument(help="transcribe, classify, decide, persist, or all (one per stage).")
    ],
    classifier: Annotated[
        str,
        typer.Option(help="llm, or supplied (tests/benchmarks only: the event names it)."),
    ] = "llm",
    metrics_port: Annotated[
        int | None, typer.Option(help="Prometheus port, 0 for none. Default: STREAM__METRICS_PORT.")
    ] = None,
) -> None:
    """Run a streaming worker on Kafka (KAFKA_BOOTSTRAP); see docs/streaming.md."""
    from workers.runner import run

    try:
        code = run(stage, classifier, metrics_port)
    except RefereeError as exc:
        raise _fail(str(exc)) from exc
    raise typer.Exit(code)


def main() -> None:  # pragma: no cover - console entry
    app()
