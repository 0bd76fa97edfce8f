"""Social workers' supervision (督导) and continuing education (继续教育): who assigns, records, answers and reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from linkage.errors import Forbidden
from linkage.models import Role
from linkage.policy.parties import is_district, reads_everything, staffs_organization

if TYPE_CHECKING:
    from linkage.models import SocialWorker
    from linkage.permissions import Actor


def is_the_social_worker(actor: Actor, social_worker_id: int | None) -> bool:
    """This very social worker (社工本人)."""
    return (
        actor.role == Role.SOCIAL_WORKER.value
        and social_worker_id is not None
        and (actor.social_worker_id == social_worker_id)
    )


def is_a_social_worker(actor: Actor) -> bool:
    """A social worker acting for themself (the only one who records sessions as a supervisor)."""
    return actor.role == Role.SOCIAL_WORKER.value and actor.social_worker_id is not None


def require_supervision_admin(actor: Actor) -> None:
    """Supervisors are assigned, and assignments ended, by the district (the street's staff)."""
    if not is_district(actor):
        raise Forbidden("supervision.admin_only")


def require_session_recorder(actor: Actor) -> None:
    """A session is recorded by the supervisor themself; staff cannot confirm it in their name."""
    if not is_a_social_worker(actor):
        raise Forbidden("supervision.supervisor_only")


def may_read_all_supervision(actor: Actor) -> bool:
    """The district and auditors see every assignment and session."""
    return reads_everything(actor)


def may_read_supervision(actor: Actor, worker: SocialWorker, supervisor_ids: Iterable[int]) -> bool:
    """A social worker's supervision page: themself, their supervisors (current or past), their
    organization's staff, the district and auditors; to anyone else it does not exist (404)."""
    return (
        reads_everything(actor)
        or is_the_social_worker(actor, worker.id)
        or staffs_organization(actor, worker.organization_id)
        or (is_a_social_worker(actor) and actor.social_worker_id in set(supervisor_ids))
    )


def may_answer_session(actor: Actor, supervisee_id: int) -> bool:
    """Only the supervisee confirms or disputes a session recorded for them."""
    return is_the_social_worker(actor, supervisee_id)


def may_keep_trainings(actor: Actor, worker: SocialWorker) -> bool:
    """Continuing-education trainings are recorded by the social worker, their organization's staff or the district."""
    return (
        is_district(actor)
        or is_the_social_worker(actor, worker.id)
        or staffs_organization(actor, worker.organization_id)
    )


def may_assign_supervisors(actor: Actor) -> bool:
    """The admin page's forms (assign, end) are the district's."""
    return is_district(actor)


def may_record_for(actor: Actor, supervisor_id: int | None) -> bool:
    """The record-a-session form shows to the current supervisor only."""
    return is_the_social_worker(actor, supervisor_id)
