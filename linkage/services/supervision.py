"""Social workers' supervision (督导) and continuing education (继续教育): supervisors assigned by the district,
sessions recorded by the supervisor and confirmed by the supervisee, trainings counted per year."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from linkage.errors import Conflict, InvalidInput, Message, NotFound
from linkage.models import SocialWorker, SupervisionSession, SupervisorAssignment, Training, utcnow
from linkage.models.supervision import SUPERVISION_FORMS, SUPERVISOR_LEVELS
from linkage.permissions import Actor
from linkage.policy import supervision as policy
from linkage.services.qualifications import china_day
from linkage.uow import UnitOfWork, lock_or_404

SUPERVISED_DAYS = 90  # 督导中: a current supervisor and a confirmed session within this many days
SESSION_MINUTES = (30, 480)  # a session lasts 0.5 to 8 hours
TRAINING_MINUTES = (30, 200 * 60)  # one training: half an hour to 200 hours
CE_HOURS_PER_YEAR = 72  # 《社会工作者继续教育办法》(民发〔2009〕123号) 第七条: 每年累计不少于72小时


def _worker(session: Session, social_worker_id: int | None) -> SocialWorker | None:
    return session.get(SocialWorker, social_worker_id) if social_worker_id is not None else None


def _not_found(social_worker_id: int | None) -> NotFound:
    return NotFound("provider.not_found", kind="social_worker", id=social_worker_id)


def certificate_valid(worker: SocialWorker, today: date | None = None) -> bool:
    """A certificate without a recorded expiry counts; one past its expiry day does not."""
    expires = worker.certificate_expires_on
    return expires is None or (today or china_day()) <= expires


# --- reading ------------------------------------------------------------------------------------------


def _supervisor_ids(session: Session, social_worker_id: int) -> list[int]:
    return list(
        session.scalars(
            select(SupervisorAssignment.supervisor_id).where(SupervisorAssignment.social_worker_id == social_worker_id)
        )
    )


def readable_worker(session: Session, actor: Actor, social_worker_id: int | None) -> SocialWorker:
    """The social worker whose supervision `actor` may read, or a 404 as if there were none."""
    worker = _worker(session, social_worker_id)
    if worker is None or not policy.may_read_supervision(actor, worker, _supervisor_ids(session, worker.id)):
        raise _not_found(social_worker_id)
    return worker


def current_assignment(session: Session, social_worker_id: int) -> SupervisorAssignment | None:
    return session.scalar(
        select(SupervisorAssignment).where(
            SupervisorAssignment.social_worker_id == social_worker_id, SupervisorAssignment.ends_on.is_(None)
        )
    )


def assignment_view(session: Session, row: SupervisorAssignment) -> dict[str, Any]:
    ids = (row.social_worker_id, row.supervisor_id)
    names = {
        i: n for i, n in session.execute(select(SocialWorker.id, SocialWorker.name).where(SocialWorker.id.in_(ids)))
    }
    return {
        "id": row.id,
        "social_worker_id": row.social_worker_id,
        "social_worker_name": names.get(row.social_worker_id, ""),
        "supervisor_id": row.supervisor_id,
        "supervisor_name": names.get(row.supervisor_id, ""),
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "current": row.current,
    }


def assignments(session: Session, actor: Actor, *, current_only: bool = False) -> list[SupervisorAssignment]:
    """Every assignment for the district and auditors; a social worker sees those they are a party to;
    anyone else none."""
    query = select(SupervisorAssignment).order_by(SupervisorAssignment.ends_on.is_not(None), SupervisorAssignment.id)
    if current_only:
        query = query.where(SupervisorAssignment.ends_on.is_(None))
    if not policy.may_read_all_supervision(actor):
        if not policy.is_a_social_worker(actor):
            return []
        me = actor.social_worker_id
        query = query.where(or_(SupervisorAssignment.social_worker_id == me, SupervisorAssignment.supervisor_id == me))
    return list(session.scalars(query))


def session_view(row: SupervisionSession) -> dict[str, Any]:
    return {
        "id": row.id,
        "assignment_id": row.assignment_id,
        "social_worker_id": row.social_worker_id,
        "supervisor_id": row.supervisor_id,
        "held_on": row.held_on,
        "form": row.form,
        "topics": row.topics,
        "hours": row.minutes / 60,
        "follow_ups": row.follow_ups,
        "supervisee_status": row.supervisee_status,
        "dispute_reason": row.dispute_reason,
        "counts": row.counts,
    }


def sessions_of(session: Session, actor: Actor, social_worker_id: int | None) -> list[SupervisionSession]:
    """The sessions recorded for a social worker, newest first (pending and disputed too: they are
    shown, they do not count)."""
    worker = readable_worker(session, actor, social_worker_id)
    return list(
        session.scalars(
            select(SupervisionSession)
            .where(SupervisionSession.social_worker_id == worker.id)
            .order_by(SupervisionSession.held_on.desc(), SupervisionSession.id.desc())
        )
    )


def training_view(row: Training) -> dict[str, Any]:
    return {
        "id": row.id,
        "social_worker_id": row.social_worker_id,
        "title": row.title,
        "provider": row.provider,
        "held_on": row.held_on,
        "hours": row.minutes / 60,
    }


def trainings_of(session: Session, actor: Actor, social_worker_id: int | None) -> list[Training]:
    worker = readable_worker(session, actor, social_worker_id)
    return list(
        session.scalars(
            select(Training)
            .where(Training.social_worker_id == worker.id)
            .order_by(Training.held_on.desc(), Training.id.desc())
        )
    )


def training_minutes(session: Session, social_worker_id: int, year: int) -> int:
    """Continuing-education minutes of a calendar year."""
    total = session.scalar(
        select(func.coalesce(func.sum(Training.minutes), 0)).where(
            Training.social_worker_id == social_worker_id,
            Training.held_on >= date(year, 1, 1),
            Training.held_on <= date(year, 12, 31),
        )
    )
    return int(total or 0)


def confirmed_minutes(session: Session, social_worker_id: int, year: int) -> int:
    """Supervision minutes of a calendar year that count: confirmed by both parties."""
    total = session.scalar(
        select(func.coalesce(func.sum(SupervisionSession.minutes), 0)).where(
            SupervisionSession.social_worker_id == social_worker_id,
            SupervisionSession.supervisee_status == "confirmed",
            SupervisionSession.held_on >= date(year, 1, 1),
            SupervisionSession.held_on <= date(year, 12, 31),
        )
    )
    return int(total or 0)


def supervised_until(session: Session, social_worker_id: int) -> date | None:
    """The last day the social worker is 督导中: their current supervisor's last confirmed session plus
    SUPERVISED_DAYS; None without a current supervisor or a confirmed session with them."""
    current = current_assignment(session, social_worker_id)
    if current is None:
        return None
    last = session.scalar(
        select(func.max(SupervisionSession.held_on)).where(
            SupervisionSession.assignment_id == current.id, SupervisionSession.supervisee_status == "confirmed"
        )
    )
    return last + timedelta(days=SUPERVISED_DAYS) if last is not None else None


def summary(
    session: Session, actor: Actor, social_worker_id: int | None, ce_hours_per_year: int = CE_HOURS_PER_YEAR
) -> dict[str, Any]:
    """A social worker's supervision page in figures: certificate, current supervisor, this year's
    confirmed supervision hours and continuing-education hours against the requirement."""
    worker = readable_worker(session, actor, social_worker_id)
    today = china_day()
    current = current_assignment(session, worker.id)
    until = supervised_until(session, worker.id)
    ce = training_minutes(session, worker.id, today.year)
    return {
        "social_worker_id": worker.id,
        "name": worker.name,
        "certificate_level": worker.certificate_level,
        "certificate_expires_on": worker.certificate_expires_on,
        "certificate_valid": certificate_valid(worker, today),
        "supervisor": assignment_view(session, current) if current else None,
        "supervised": until is not None and today <= until,
        "supervised_until": until,
        "year": today.year,
        "supervision_hours": confirmed_minutes(session, worker.id, today.year) / 60,
        "ce_hours": ce / 60,
        "ce_required_hours": ce_hours_per_year,
        "ce_met": ce >= ce_hours_per_year * 60,
    }


# --- writing ------------------------------------------------------------------------------------------


def _announce(uow: UnitOfWork, worker: SocialWorker) -> None:
    """The matcher's record of a social worker carries their supervision status: send it again."""
    from linkage.services.providers import announce_provider

    announce_provider(uow, "social_worker", worker)


def _minutes(hours: Any, bounds: tuple[int, int], field: str, code: str) -> int:
    try:
        minutes = round(float(hours) * 60)
    except (TypeError, ValueError):
        raise InvalidInput(code, {field: ["field.required"]}) from None
    if not bounds[0] <= minutes <= bounds[1]:
        raise InvalidInput(code, {field: [Message("supervision.hours_range", low=bounds[0] / 60, high=bounds[1] / 60)]})
    return minutes


def assign_supervisor(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> SupervisorAssignment:
    """The district assigns a supervisor (社工师 or 高级社工师, valid certificate, not the person themself)."""
    policy.require_supervision_admin(actor)
    session = uow.session
    worker = _worker(session, data.get("social_worker_id"))
    if worker is None:
        raise InvalidInput("supervision.invalid", {"social_worker_id": ["supervision.no_such_social_worker"]})
    supervisor = _worker(session, data.get("supervisor_id"))
    if supervisor is None or not supervisor.active:
        raise InvalidInput("supervision.invalid", {"supervisor_id": ["supervision.no_such_social_worker"]})
    if supervisor.id == worker.id:
        raise InvalidInput("supervision.invalid", {"supervisor_id": ["supervision.not_oneself"]})
    if supervisor.certificate_level not in SUPERVISOR_LEVELS:
        raise InvalidInput("supervision.invalid", {"supervisor_id": ["supervision.level_too_low"]})
    if not certificate_valid(supervisor):
        raise InvalidInput("supervision.invalid", {"supervisor_id": ["supervision.certificate_expired"]})
    starts_on = data.get("starts_on") or china_day()
    lock_or_404(session, SocialWorker, worker.id, what="social_worker")  # one current supervisor: serialize
    if current_assignment(session, worker.id) is not None:
        raise Conflict("supervision.already_supervised", {"social_worker_id": ["supervision.end_current_first"]})
    row = SupervisorAssignment(
        social_worker_id=worker.id, supervisor_id=supervisor.id, starts_on=starts_on, assigned_by=actor.user_id
    )
    session.add(row)
    session.flush()
    _announce(uow, worker)
    uow.commit()
    return row


def end_assignment(
    uow: UnitOfWork, actor: Actor, assignment_id: int, ends_on: date | None = None
) -> SupervisorAssignment:
    """The district ends an assignment; it stays as history (its sessions too)."""
    policy.require_supervision_admin(actor)
    row = lock_or_404(uow.session, SupervisorAssignment, assignment_id, what="supervision_assignment")
    if row.ends_on is not None:
        raise Conflict("supervision.already_ended")
    ends_on = ends_on or china_day()
    if ends_on < row.starts_on:
        raise InvalidInput("supervision.invalid", {"ends_on": ["supervision.ends_before_start"]})
    row.ends_on = ends_on
    uow.session.flush()
    _announce(uow, uow.session.get_one(SocialWorker, row.social_worker_id))
    uow.commit()
    return row


def record_session(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> SupervisionSession:
    """The supervisor records (and by recording confirms) a session with their current supervisee.
    Anyone not their current supervisee is a 404; unconfirmed, out-of-range or future: nothing is stored."""
    policy.require_session_recorder(actor)
    session = uow.session
    supervisee_id = data.get("social_worker_id")
    current = current_assignment(session, supervisee_id) if supervisee_id is not None else None
    if current is None or current.supervisor_id != actor.social_worker_id:
        raise _not_found(supervisee_id)
    if data.get("confirmed") is not True:
        raise InvalidInput("supervision.not_confirmed", {"confirmed": ["supervision.confirm_required"]})
    if data.get("form") not in SUPERVISION_FORMS:
        raise InvalidInput("supervision.invalid", {"form": ["lib.one_of"]})
    minutes = _minutes(data.get("hours"), SESSION_MINUTES, "hours", "supervision.invalid")
    held_on = data.get("held_on")
    if held_on is None:
        raise InvalidInput("supervision.invalid", {"held_on": ["field.required"]})
    if held_on > china_day():
        raise InvalidInput("supervision.invalid", {"held_on": ["field.in_future"]})
    if held_on < current.starts_on:
        raise InvalidInput("supervision.invalid", {"held_on": ["supervision.before_assignment"]})
    topics = (data.get("topics") or "").strip()
    if not topics:
        raise InvalidInput("supervision.invalid", {"topics": ["field.required"]})
    row = SupervisionSession(
        assignment_id=current.id,
        social_worker_id=current.social_worker_id,
        supervisor_id=current.supervisor_id,
        held_on=held_on,
        form=data["form"],
        topics=topics,
        minutes=minutes,
        follow_ups=(data.get("follow_ups") or "").strip(),
        recorded_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    uow.commit()
    return row


def answer_session(
    uow: UnitOfWork, actor: Actor, session_id: int, *, confirm: bool, reason: str = ""
) -> SupervisionSession:
    """The supervisee confirms the session (it counts from then) or disputes it with a reason (it never counts)."""
    row = uow.session.get(SupervisionSession, session_id)
    if row is None or not policy.may_answer_session(actor, row.social_worker_id):
        raise NotFound("supervision.session_not_found", id=session_id)
    row = lock_or_404(uow.session, SupervisionSession, session_id, what="supervision_session")
    if row.supervisee_status != "pending":
        raise Conflict("supervision.already_answered")
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise InvalidInput("supervision.invalid", {"reason": ["supervision.reason_required"]})
    row.supervisee_status = "confirmed" if confirm else "disputed"
    row.dispute_reason = "" if confirm else reason
    row.supervisee_answered_at = utcnow()
    uow.session.flush()
    if confirm:
        _announce(uow, uow.session.get_one(SocialWorker, row.social_worker_id))
    uow.commit()
    return row


def add_training(uow: UnitOfWork, actor: Actor, social_worker_id: int | None, data: dict[str, Any]) -> Training:
    """A continuing-education training, recorded by the social worker, their organization's staff or the district."""
    worker = _worker(uow.session, social_worker_id)
    if worker is None or not policy.may_keep_trainings(actor, worker):
        raise _not_found(social_worker_id)
    minutes = _minutes(data.get("hours"), TRAINING_MINUTES, "hours", "training.invalid")
    held_on = data.get("held_on")
    if held_on is None:
        raise InvalidInput("training.invalid", {"held_on": ["field.required"]})
    if held_on > china_day():
        raise InvalidInput("training.invalid", {"held_on": ["field.in_future"]})
    title, provider = (data.get("title") or "").strip(), (data.get("provider") or "").strip()
    if not title:
        raise InvalidInput("training.invalid", {"title": ["field.required"]})
    if not provider:
        raise InvalidInput("training.invalid", {"provider": ["field.required"]})
    row = Training(
        social_worker_id=worker.id,
        title=title,
        provider=provider,
        held_on=held_on,
        minutes=minutes,
        recorded_by=actor.user_id,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.commit()
    return row
