"""The Contracts screen: every field, a live summary, and impossible values refused beside their field."""

from __future__ import annotations

from branchdesk.models.contracts import contract_by_ref
from branchdesk.ui.context import AppContext
from branchdesk.ui.contracts import ContractsScreen


def screen_for(store, qtbot) -> ContractsScreen:
    context = AppContext()
    context.store = store
    screen = ContractsScreen(context)
    qtbot.addWidget(screen)
    screen.show()
    return screen


def test_new_contract_with_live_summary(store, qtbot):
    screen = screen_for(store, qtbot)
    assert screen.current_id is None  # no contracts yet: a blank form
    qtbot.keyClicks(screen.fields["ref"], "WCC")
    qtbot.keyClicks(screen.fields["council"], "Wiltshire Council")
    qtbot.keyClicks(screen.fields["hourly_rate"], "24.50")
    qtbot.keyClicks(screen.fields["core_share"], "0.8")
    assert "Core: 80% of the envelope at £24.50/h" in screen.summary.text()
    qtbot.keyClicks(screen.fields["outcome_upfront_share"], "0.2")
    assert "20% of each outcome fee when agreed, 80% when a review finds it achieved" in screen.summary.text()
    screen.fields["address"].setPlainText("Adult Social Care\nCounty Hall\nTrowbridge BA14 8JN")
    assert screen.save_button.isEnabled()
    screen.save()
    contract = contract_by_ref(store, "WCC")
    assert contract.hourly_rate_pence == 2450 and str(contract.core_share) == "0.8" and contract.address.startswith("Adult")
    assert store.value("SELECT count(*) FROM audit WHERE entity = 'contract'") == 1
    assert screen.model.rowCount() == 1


def test_impossible_values_are_refused_beside_the_field(store, qtbot):
    screen = screen_for(store, qtbot)
    for key, value in (("ref", "X"), ("council", "Somewhere"), ("hourly_rate", "-3"), ("reward_share", "1.5"), ("retainer_days", "2.5")):
        screen.fields[key].setText(value)
    labels = screen.problems._labels
    assert labels["hourly_rate"].isVisible() and "negative" in labels["hourly_rate"].text()
    assert labels["reward_share"].isVisible() and "between 0 and 1" in labels["reward_share"].text()
    assert labels["retainer_days"].isVisible()
    assert not screen.save_button.isEnabled()
    screen.fields["hourly_rate"].setText("20")
    screen.fields["reward_share"].setText("0.2")
    screen.fields["retainer_days"].setText("3")
    assert not any(label.isVisible() for label in labels.values())
    assert "reward pot of 20%" in screen.summary.text() and "first 3 days of a hospital stay" in screen.summary.text()


def test_editing_an_existing_contract(store, qtbot):
    from branchdesk.models.contracts import contract_from_form, save_contract

    save_contract(store, contract_from_form({"ref": "BANDED", "council": "Bath", "core_basis": "band", "hourly_rate": "20",
                                             "band_rates": "lower=75;higher=150"}))
    screen = screen_for(store, qtbot)
    assert screen.fields["ref"].text() == "BANDED"
    assert "lower £75.00/week" in screen.summary.text()
    screen.fields["episode_fee"].setText("1575")
    screen.save()
    assert contract_by_ref(store, "BANDED").episode_fee_pence == 157500
    change = store.row("SELECT * FROM audit WHERE entity = 'contract' AND action = 'update'")
    assert "157500" in change["new_values"]
