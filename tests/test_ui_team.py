"""The Team screen: workers by team, added and edited with every problem beside its field."""

from __future__ import annotations

from branchdesk.models.workers import Worker, list_workers, save_worker
from branchdesk.ui import team as team_module
from branchdesk.ui.context import AppContext
from branchdesk.ui.team import TeamScreen, WorkerDialog


def context_for(store) -> AppContext:
    context = AppContext()
    context.store = store
    return context


def test_filter_by_team_and_hide_leavers(store, qtbot):
    from decimal import Decimal

    save_worker(store, Worker("W1", "Sam Patel", "North", "Senior carer", Decimal("37.5")))
    save_worker(store, Worker("W2", "Jo Nowak", "South", "Carer"))
    save_worker(store, Worker("W3", "Lee Old", "North", "Carer", active=False))
    screen = TeamScreen(context_for(store))
    qtbot.addWidget(screen)
    assert screen.proxy.rowCount() == 2
    screen.show_left.setChecked(True)
    assert screen.proxy.rowCount() == 3
    screen.team_filter.setCurrentIndex(screen.team_filter.findData("North"))
    names = sorted(screen.proxy.index(r, 1).data() for r in range(screen.proxy.rowCount()))
    assert names == ["Lee Old", "Sam Patel"]


def test_adding_a_worker_shows_problems_then_saves(store, qtbot, monkeypatch):
    context = context_for(store)
    save_worker(store, Worker("W1", "Sam Patel", "North"))
    dialog = WorkerDialog(context, None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ref.setText("W1")
    dialog.hours.setText("lots")
    dialog.save()
    labels = dialog.problems._labels
    assert labels["name"].isVisible() and labels["contracted_hours"].isVisible()
    assert labels["ref"].isVisible() and "already" in labels["ref"].text()
    dialog.name.setText("Ana Lima")
    dialog.hours.setText("30")
    dialog.ref.setText("W2")
    dialog.team.setEditText("South")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    ana = next(w for w in list_workers(store) if w.ref == "W2")
    assert ana.team == "South" and str(ana.contracted_hours) == "30"


def test_editing_from_the_list(store, qtbot, monkeypatch):
    save_worker(store, Worker("W1", "Sam Patel", "North"))
    screen = TeamScreen(context_for(store))
    qtbot.addWidget(screen)

    def rename(self):
        self.role.setText("Team leader")
        self.save()
        return self.result()

    monkeypatch.setattr(team_module.WorkerDialog, "exec", rename)
    screen.view.setCurrentIndex(screen.proxy.index(0, 0))
    screen.edit(screen.current())
    assert list_workers(store)[0].role == "Team leader"
    assert screen.proxy.index(0, 3).data() == "Team leader"
