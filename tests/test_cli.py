"""The CLI end to end on the embedded defaults: process, eval, rules check, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from referee.cli import app
from referee.settings import PROJECT_ROOT
from tests.conftest import SHARED

SAMPLES = PROJECT_ROOT / "samples" / "cancellations.jsonl"
DEV = SHARED / "data" / "dev" / "cases.jsonl"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return CliRunner()


def test_eval_oracle_gives_perfect_rule_table_scores_on_samples(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "scores.json"
    result = runner.invoke(app, ["eval", str(SAMPLES), "--oracle-scenarios", "--json", str(out)])
    assert result.exit_code == 0, result.output
    scores = json.loads(out.read_text())
    for key in (
        "cases",
        "scenario_accuracy",
        "scenario_macro_f1",
        "responsible_accuracy",
        "professional_precision",
        "professional_recall",
        "customer_precision",
        "customer_recall",
        "undetermined_rate",
        "penalty_accuracy",
        "model_calls_per_case",
        "prompt_tokens_per_case",
        "completion_tokens_per_case",
        "seconds_per_case",
    ):
        assert key in scores
    assert scores["responsible_accuracy"] == 1.0 and scores["penalty_accuracy"] == 1.0
    # Every decision score also carries its bootstrap interval; all cases agree here.
    assert scores["responsible_accuracy_low"] == scores["responsible_accuracy_high"] == 1.0
    assert scores["interval_level"] == 0.95
    assert "95% interval" in result.output


@pytest.mark.skipif(not DEV.exists(), reason="shared dev cases not beside the checkout")
def test_eval_oracle_on_dev_cases_is_exact(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    result = runner.invoke(app, ["eval", str(DEV), "--oracle-scenarios", "--json", str(out)])
    assert result.exit_code == 0, result.output
    scores = json.loads(out.read_text())
    assert scores["responsible_accuracy"] == 1.0 and scores["penalty_accuracy"] == 1.0
    # With the labelled scenarios the table sends exactly the labels' cases to a person.
    assert scores["undetermined_rate"] == scores["label_undetermined_rate"] > 0


def test_bad_lines_are_named_counted_and_the_rest_decided(
    runner: CliRunner, tmp_path: Path
) -> None:
    lines = SAMPLES.read_text().splitlines()
    bad = tmp_path / "mixed.jsonl"
    broken_scenario = json.loads(lines[1])
    broken_scenario["cancellation"]["cancelled_by"] = "the cat"
    bad.write_text("\n".join([lines[0], "{oops", json.dumps(broken_scenario), lines[2]]) + "\n")
    result = runner.invoke(app, ["eval", str(bad), "--oracle-scenarios"])
    assert result.exit_code == 1
    assert f"{bad}:2" in result.output and "not valid JSON" in result.output
    assert f"{bad}:3" in result.output and "cancelled_by" in result.output
    assert "│ cases " in result.output and "│     2 │" in result.output


def test_unknown_labelled_scenario_becomes_undetermined_with_reason(
    runner: CliRunner, tmp_path: Path
) -> None:
    case = json.loads(SAMPLES.read_text().splitlines()[0])
    case["label"]["scenario"] = "pro_abducted_by_aliens"
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(case) + "\n")
    result = runner.invoke(app, ["process", str(path), "--oracle-scenarios"])
    assert result.exit_code == 0, result.output
    assert "undetermined" in result.output
    assert "unknown scenario 'pro_abducted_by_aliens'" in result.output


def test_process_stores_once_and_is_idempotent(runner: CliRunner) -> None:
    first = runner.invoke(app, ["process", str(SAMPLES), "--oracle-scenarios"])
    assert first.exit_code == 0, first.output
    assert "new" in first.output
    # The reason names the row and table version, shown verbatim (not eaten as markup).
    assert "[rule 7, table " in first.output
    second = runner.invoke(app, ["process", str(SAMPLES), "--oracle-scenarios"])
    assert second.exit_code == 0
    assert "existing" in second.output and " new " not in second.output
    shown = runner.invoke(app, ["show", "sample-01"])
    assert json.loads(shown.output)["responsible"] == "professional"


def test_missing_signals_are_said_in_the_reason(runner: CliRunner, tmp_path: Path) -> None:
    case = json.loads(SAMPLES.read_text().splitlines()[2])  # cust_not_available at the door
    del case["signals"]
    path = tmp_path / "nosignals.jsonl"
    path.write_text(json.dumps(case) + "\n")
    result = runner.invoke(app, ["process", str(path), "--oracle-scenarios"])
    assert result.exit_code == 0, result.output
    assert "no system signals arrived" in result.output
    assert "undetermined" in result.output


def test_rules_check_reports_typo_with_place(runner: CliRunner, tmp_path: Path) -> None:
    table = (PROJECT_ROOT / "rules" / "default.csv").read_text()
    broken = tmp_path / "typo.csv"
    broken.write_text(table.replace("12,cust_not_available", "12,cust_not_availble"))
    result = runner.invoke(app, ["rules", "check", str(broken)])
    assert result.exit_code == 1
    assert "row 14" in result.output and "'scenario'" in result.output
    assert "did you mean 'cust_not_available'" in result.output
    ok = runner.invoke(app, ["rules", "check"])
    assert ok.exit_code == 0 and "18 rules" in ok.output


def test_challenge_commands(runner: CliRunner) -> None:
    runner.invoke(app, ["process", str(SAMPLES), "--oracle-scenarios", "--limit", "1"])
    raised = runner.invoke(
        app, ["challenge", "raise", "sample-01", "--by", "pro-1", "--reason", "I was not late"]
    )
    assert raised.exit_code == 0, raised.output
    challenge_id = raised.output.split()[1]
    listed = runner.invoke(app, ["challenge", "list", "--status", "open"])
    assert "sample-01" in listed.output
    resolved = runner.invoke(
        app,
        [
            "challenge",
            "resolve",
            challenge_id,
            "--status",
            "upheld",
            "--resolution",
            "call confirms delay",
            "--by",
            "auditor",
        ],
    )
    assert resolved.exit_code == 0 and "upheld" in resolved.output
    missing = runner.invoke(app, ["challenge", "raise", "nope", "--by", "x", "--reason", "y"])
    assert missing.exit_code == 1 and "no decision" in missing.output


@pytest.mark.parametrize(
    "command", [[], ["process"], ["eval"], ["rules", "check"], ["schemas"], ["challenge", "raise"]]
)
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
