"""One state machine for every lifecycle: projects and funding rounds read the same table rules."""

import pytest

from linkage.errors import Conflict, Message
from linkage.i18n import text
from linkage.models.funding import ROUND_LIFECYCLE
from linkage.models.projects import LIFECYCLE as PROJECT_LIFECYCLE
from linkage.models.state_machine import StateMachine


def test_a_legal_move_names_who_may_make_it():
    machine = StateMachine("thing", {("new", "done"): frozenset({"owner"})})
    assert machine.can("new", "done")
    assert machine.require("new", "done") == {"owner"}


def test_an_illegal_move_is_a_409_naming_the_field_to():
    machine = StateMachine("thing", {("new", "done"): frozenset({"owner"})})
    assert not machine.can("done", "new")
    with pytest.raises(Conflict) as caught:
        machine.require("done", "new")
    assert caught.value.status == 409
    assert (caught.value.code, caught.value.params) == ("thing.transition", {"current": "done", "target": "new"})
    assert caught.value.errors == {"to": [Message("transition.not_from", current="done")]}


def test_a_project_cannot_be_evaluated_before_it_is_completed():
    assert PROJECT_LIFECYCLE.require("completed", "evaluated") == {"community"}
    with pytest.raises(Conflict) as caught:
        PROJECT_LIFECYCLE.require("in_progress", "evaluated")
    # States read as words, not code names, in either language.
    assert text(caught.value.code, caught.value.params, "en") == "a project that is in progress cannot become evaluated"
    assert text(caught.value.code, caught.value.params, "zh_CN") == "处于「实施中」状态的项目不能转为「已结项」"
    assert PROJECT_LIFECYCLE.targets("approved", {"organization"}) == ["in_progress", "cancelled"]


def test_a_round_is_awarded_only_by_committing_its_awards():
    assert ROUND_LIFECYCLE.require("reviewing", "awarded") == {"award"}
    assert ROUND_LIFECYCLE.targets("reviewing", {"admin"}) == []
    with pytest.raises(Conflict) as caught:
        ROUND_LIFECYCLE.require("open", "closed")
    assert text(caught.value.code, caught.value.params, "en") == "a round that is open cannot become closed"
