"""The scorer: the spec's scores, and the bootstrap interval printed beside each."""

from __future__ import annotations

from referee.cases import CaseLabel
from referee.evaluate import IntervalOptions, Scoreboard, interval_fields
from referee.messages import Decision


def _decided(i: int, label: str, decided: str) -> tuple[CaseLabel, Decision]:
    """Case i, labelled with one side's scenario and decided with ``decided``'s."""
    scenario = {"professional": "pro_running_late", "customer": "cust_changed_mind"}
    return (
        CaseLabel(scenario=scenario[label], responsible=label, penalty=True),
        Decision(
            cancellation_id=f"c{i}",
            booking_id=f"b{i}",
            responsible=decided,
            penalty=True,
            reason="test",
            rule_id="r",
            rule_table_version="v",
            scenario=scenario[decided],
        ),
    )


def _board(right: int, wrong: int, customers: int = 0) -> Scoreboard:
    """``right`` professional cases decided as labelled, ``wrong`` ones taken for the
    customer, then ``customers`` customer cases decided as labelled."""
    board = Scoreboard()
    sides = (
        [("professional", "professional")] * right
        + [("professional", "customer")] * wrong
        + [("customer", "customer")] * customers
    )
    for i, (label, decided) in enumerate(sides):
        board.add(f"c{i}", *_decided(i, label, decided), seconds=0.0)
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


def test_a_resample_without_a_party_does_not_drag_its_interval_to_zero() -> None:
    # 10 cases, one of them the only customer case, decided right: about a third of
    # the resamples hold no customer case. They have no customer precision or
    # recall; counting those as 0 would print an interval that starts at 0.
    intervals = _board(right=9, wrong=0, customers=1).intervals()
    assert intervals["customer_precision"] == (1.0, 1.0)
    assert intervals["customer_recall"] == (1.0, 1.0)
    # With no customer case at all there is nothing to resample: no interval, and
    # the score itself keeps the spec's 0.
    board = _board(right=9, wrong=0)
    assert "customer_recall" not in board.intervals()
    assert board.scores()["customer_recall"] == 0.0


def test_the_labels_own_undetermined_rate_is_printed_beside_the_decisions() -> None:
    board = _board(right=3, wrong=0)
    label = CaseLabel(scenario="unclear", responsible="undetermined", penalty=False)
    decided = _decided(3, "customer", "customer")[1]
    board.add("c3", label, decided, seconds=0.0)
    scores = board.scores()
    assert scores["label_undetermined_rate"] == 0.25
    assert scores["undetermined_rate"] == 0.0
