"""The scorer: the spec's scores, and the bootstrap interval printed beside each."""

from __future__ import annotations

from referee.cases import CaseLabel
from referee.evaluate import IntervalOptions, Scoreboard, interval_fields
from referee.messages import Decision


def _board(right: int, wrong: int) -> Scoreboard:
    """``right`` cases decided as labelled, then ``wrong`` cases taken for the other party."""
    board = Scoreboard()
    for i in range(right + wrong):
        label = CaseLabel(scenario="pro_running_late", responsible="professional", penalty=True)
        ok = i < right
        decision = Decision(
            cancellation_id=f"c{i}",
            booking_id=f"b{i}",
            responsible="professional" if ok else "customer",
            penalty=True,
            reason="test",
            rule_id="r",
            rule_table_version="v",
            scenario="pro_running_late" if ok else "cust_changed_mind",
        )
        board.add(f"c{i}", label, decision, seconds=0.0)
    return board


def test_interval_brackets_the_score_as_wide_as_the_binomial_spread() -> None:
    board = _board(right=80, wrong=20)
    assert board.scores()["scenario_accuracy"] == 0.8
    low, high = board.intervals()["scenario_accuracy"]
    # 0.8 on 100 cases: standard error 0.04, so a 95% interval of about 0.72-0.88.
    assert 0.70 < low < 0.75 and 0.85 < high < 0.90
    low, high = board.intervals()["professional_recall"]
    assert low < 0.8 < high


def test_interval_is_a_point_when_every_case_agrees() -> None:
    intervals = _board(right=30, wrong=0).intervals()
    assert intervals["responsible_accuracy"] == (1.0, 1.0)
    assert intervals["undetermined_rate"] == (0.0, 0.0)


def test_intervals_repeat_with_the_seed_and_can_be_turned_off() -> None:
    board = _board(right=40, wrong=9)
    assert board.intervals() == board.intervals()
    assert board.intervals(IntervalOptions(resamples=0)) == {}
    assert interval_fields({}, IntervalOptions()) == {}
    fields = interval_fields(board.intervals(), IntervalOptions())
    assert fields["interval_level"] == 0.95
    assert fields["scenario_accuracy_low"] < fields["scenario_accuracy_high"]
