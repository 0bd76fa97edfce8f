"""One state machine for every lifecycle: projects and funding rounds read the same table rules."""
import pytest

from linkage.errors import Conflict
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
    assert caught.value.message == "a thing that is done cannot become new"
    assert caught.value.errors == {"to": ["not allowed from done"]}


def test_a_project_cannot_be_evaluated_before_it_is_completed():
    assert PROJECT_LIFECYCLE.require("completed", "evaluated") == {"community"}
    with pytest.raises(Conflict, match="a project that is in_progress cannot become evaluated"):
        PROJECT_LIFECYCLE.require("in_progress", "evaluated")
    assert PROJECT_LIFECYCLE.targets("approved", {"organization"}) == ["in_progress", "cancelled"]


def test_a_round_is_awarded_only_by_committing_its_awards():
    assert ROUND_LIFECYCLE.require("reviewing", "awarded") == {"award"}
    assert ROUND_LIFECYCLE.targets("reviewing", {"admin"}) == []
    with pytest.raises(Conflict, match="a round that is open cannot become closed"):
        ROUND_LIFECYCLE.require("open", "closed")
