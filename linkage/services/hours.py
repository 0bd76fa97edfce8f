"""Volunteer hours (志愿服务记录): log, verify, reject, dispute, correct — all appended to a hash chain."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from linkage import ledger
from linkage.catalogue import Topics, hours_type
from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, Forbidden, InvalidInput, Message, NotFound
from linkage.messages import rfc3339
from linkage.models import (
    RECORD_ACTIONS,
    STANDING,
    Activity,
    Community,
    HourAction,
    HourEntry,
    HourSource,
    Project,
    RecordStatus,
    Signup,
    Volunteer,
    record_states,
    records_with_status,
    utcnow,
)
from linkage.models.projects import NOT_SERVING
from linkage.permissions import Actor, may_see, require_not_own_hours, visible_hours
from linkage.policy.service import (
    may_log_hours_for,
    may_log_own_hours,
    require_hours_corrector,
    require_hours_disputer,
    require_hours_verifier,
)
from linkage.services.providers import announce_provider
from linkage.stars import minutes_to_next, star_level, thresholds_for
from linkage.uow import UnitOfWork, lock_or_404

DAY_MINUTES = 24 * 60
CREDIT, HONOUR = "credit", "honour"  # 信用时长 (checked in and out), 荣誉时长 (entered afterwards, self-reported)


def hour_kind(entry: HourEntry) -> str:
    """Credit: recorded by check-in and check-out; honour: any other record (补录, a correction, self-reported)."""
    return CREDIT if entry.source == HourSource.CHECKIN.value else HONOUR


def entry_record(entry: HourEntry, status: RecordStatus | None = None) -> dict[str, Any]:
    return {"id": entry.id, "volunteer_id": entry.volunteer_id, "seq": entry.seq,
            "action": entry.action, "target_id": entry.target_id, "project_id": entry.project_id,
            "activity_id": entry.activity_id, "organization_id": entry.organization_id,
            "starts_at": rfc3339(entry.starts_at) if entry.starts_at else None,
            "ends_at": rfc3339(entry.ends_at) if entry.ends_at else None,
            "minutes": entry.minutes, "content": entry.content, "source": entry.source,
            "reason": entry.reason, "status": status.value if status else None, "hash": entry.hash}


def _chain(session: Session, volunteer_id: int) -> list[HourEntry]:
    return list(session.scalars(ledger.Chain(HourEntry, volunteer_id).entries()))


def _entries_deciding(session: Session, volunteer_id: int, starts_at: datetime, ends_at: datetime) -> list[HourEntry]:
    """The part of the chain that decides whether [starts_at, ends_at) may be recorded: records
    overlapping it or starting on its local day, and every later entry aimed at them (reviews,
    corrections), in chain order. Replaying the whole chain made each new record cost O(chain)."""
    local_start = starts_at.astimezone(LOCAL_TZ)
    day_start = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
    day_end = day_start + timedelta(days=1)
    records = select(HourEntry.id).where(
        HourEntry.volunteer_id == volunteer_id, HourEntry.action.in_(RECORD_ACTIONS),
        HourEntry.starts_at.is_not(None),
        or_(and_(HourEntry.starts_at < ends_at, HourEntry.ends_at > starts_at),
            and_(HourEntry.starts_at >= day_start, HourEntry.starts_at < day_end)))
    return list(session.scalars(select(HourEntry).where(
        HourEntry.volunteer_id == volunteer_id,
        or_(HourEntry.id.in_(records), HourEntry.target_id.in_(records))).order_by(HourEntry.seq)))


def _lock_volunteer(uow: UnitOfWork, volunteer_id: int) -> Volunteer:
    return lock_or_404(uow.session, Volunteer, volunteer_id)


def append_entry(uow: UnitOfWork, actor: Actor, volunteer_id: int, action: str, **fields: Any) -> HourEntry:
    """Append one entry to the volunteer's chain; the caller holds the volunteer's row lock."""
    _lock_volunteer(uow, volunteer_id)
    entry = HourEntry(volunteer_id=volunteer_id, action=action, actor_user_id=actor.user_id,
                      actor_role=actor.role, created_at=utcnow(), minutes=0, content="", source="", reason="")
    for name, value in fields.items():
        setattr(entry, name, value)
    ledger.append(uow.session, entry)
    uow.session.flush()
    uow.emit(topic=Topics.HOURS, key=str(volunteer_id), type=hours_type(action),
             subject=f"hours/{entry.id}", data=entry_record(entry))
    return entry


def check_recording_rules(uow: UnitOfWork, volunteer_id: int, starts_at: datetime, ends_at: datetime,
                 ignore: int | None = None) -> int:
    """The recording rules; returns the minutes. `ignore` is the record a correction replaces."""
    return recording_minutes(uow.session, volunteer_id, starts_at, ends_at, ignore)


def recording_minutes(session: Session, volunteer_id: int, starts_at: datetime, ends_at: datetime,
                      ignore: int | None = None) -> int:
    """check_recording_rules on a session (an import's preview checks rows without writing)."""
    if starts_at >= ends_at:
        raise InvalidInput("time.empty_window", {"ends_at": ["field.after_start"]})
    if ends_at > utcnow():
        raise InvalidInput("hours.in_future", {"ends_at": ["hours.not_over"]})
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    if minutes > DAY_MINUTES:
        raise InvalidInput("hours.record_too_long", {"ends_at": ["hours.over_24h"]})
    entries = _entries_deciding(session, volunteer_id, starts_at, ends_at)
    states = record_states(entries)
    by_id = {e.id: e for e in entries}
    per_day: dict[date, int] = defaultdict(int)
    for record_id, status in states.items():
        if status not in STANDING or record_id == ignore:
            continue
        other = by_id[record_id]
        assert other.starts_at is not None and other.ends_at is not None  # a standing record has its time
        if other.starts_at < ends_at and other.ends_at > starts_at:
            raise Conflict("hours.overlap", {"starts_at": [Message("hours.overlaps_record", record=record_id)]})
        per_day[other.starts_at.astimezone(LOCAL_TZ).date()] += other.minutes
    day = starts_at.astimezone(LOCAL_TZ).date()
    if per_day[day] + minutes > DAY_MINUTES:
        raise InvalidInput("hours.day_limit", {"minutes": ["hours.over_24h_day"]})
    return minutes


def log_hours(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> HourEntry:
    """A volunteer logs their own service in an activity they signed up for; org staff may enter it
    afterwards (补录: honour hours, 荣誉时长) with a reason, for at most the activity's length."""
    plan = plan_hours(uow.session, actor, data, lock=lambda volunteer_id: _lock_volunteer(uow, volunteer_id))
    entry = append_entry(uow, actor, plan.pop("volunteer_id"), HourAction.RECORD.value, **plan)
    uow.commit()
    return entry


def plan_hours(session: Session, actor: Actor, data: dict[str, Any],
               lock: Callable[[int], object] | None = None) -> dict[str, Any]:
    """log_hours' rules, in order, without writing: the record's fields (with its volunteer_id) or
    the refusal. `lock` takes the volunteer's row lock before the chain is read (log_hours does;
    an import's preview reads without it and its commit goes through log_hours)."""
    activity = session.get(Activity, data["activity_id"])
    if activity is None:
        raise InvalidInput("activity.unknown", {"activity_id": ["field.no_such_activity"]})
    project = activity.project
    volunteer_id = data.get("volunteer_id") or actor.volunteer_id
    if may_log_own_hours(actor, volunteer_id):
        source = HourSource.SELF.value
    elif may_log_hours_for(actor, project):
        source = HourSource.ORG_ENTRY.value
    else:
        raise Forbidden("hours.log_forbidden")
    if volunteer_id is None:
        raise InvalidInput("hours.whose", {"volunteer_id": ["hours.volunteer_required"]})
    signed = session.scalars(select(Signup).where(
        Signup.activity_id == activity.id, Signup.volunteer_id == volunteer_id,
        Signup.status.notin_(NOT_SERVING))).first()
    if signed is None:
        raise Conflict("hours.not_signed_up", {"activity_id": ["field.not_signed_up"]})
    starts_at, ends_at, reason = data["starts_at"], data["ends_at"], (data.get("reason") or "").strip()
    if source == HourSource.ORG_ENTRY.value and not reason:  # 补录 says why it was not checked in
        raise InvalidInput("hours.entry_reason", {"reason": ["field.required_entering"]})
    if starts_at < activity.starts_at - timedelta(hours=1) or ends_at > activity.ends_at + timedelta(hours=1):
        raise InvalidInput("hours.outside_activity", {"starts_at": ["hours.outside_activity_hour"]})
    if lock is not None:
        lock(volunteer_id)
    minutes = recording_minutes(session, volunteer_id, starts_at, ends_at)
    longest = int((activity.ends_at - activity.starts_at).total_seconds() // 60)
    if source == HourSource.ORG_ENTRY.value and minutes > longest:  # honour hours: at most the shift's length
        raise InvalidInput("hours.longer_than_activity",
                           {"ends_at": [Message("hours.at_most_activity", minutes=longest)]})
    return dict(volunteer_id=volunteer_id, project_id=project.id, activity_id=activity.id,
                organization_id=project.organization_id, signup_id=signed.id, starts_at=starts_at,
                ends_at=ends_at, minutes=minutes, content=data.get("content") or activity.title,
                source=source, reason=reason)


def read_record(session: Session, actor: Actor, entry_id: int) -> HourEntry:
    """One record as `actor` may see it (policy: visible_hours); another's is a 404."""
    entry = get_record(session, entry_id)
    if not may_see(session, actor, HourEntry, entry_id):
        raise NotFound("hour_record.not_found", id=entry_id)
    return entry


def read_volunteer(session: Session, actor: Actor, volunteer_id: int) -> Volunteer:
    """The volunteer whose hours `actor` asks for, if the policy lets them see that volunteer."""
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None or not may_see(session, actor, Volunteer, volunteer_id):
        raise NotFound("volunteer.not_found", id=volunteer_id)
    return volunteer


def list_records(session: Session, actor: Actor, *, volunteer_id: int | None = None, project_id: int | None = None,
                 status: str | None = None, page: int = 1, page_size: int = 500) -> tuple[list[dict[str, Any]], int]:
    """One page of the records `actor` may see, newest first, and how many there are: the policy
    (visible_hours), the filters and the status are all conditions of the query."""
    query, status_is = records_with_status()
    conditions: list[Any] = [condition for condition in (
        visible_hours(actor), HourEntry.volunteer_id == volunteer_id if volunteer_id else None,
        HourEntry.project_id == project_id if project_id else None,
        status_is == status if status else None) if condition is not None]
    query = query.where(*conditions)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(HourEntry.id.desc()).limit(page_size).offset((page - 1) * page_size))
    return [entry_record(entry, RecordStatus(state)) for entry, state in rows], total


def project_records(session: Session, actor: Actor, project_id: int) -> list[dict[str, Any]]:
    """Every hour record of a project that `actor` may see, newest first, with its status, the
    volunteer's name and who logged it (the page that reviews them)."""
    query, _status = records_with_status()
    if (visible := visible_hours(actor)) is not None:
        query = query.where(visible)
    rows = session.execute(query.where(HourEntry.project_id == project_id).order_by(HourEntry.id.desc())).all()
    names = dict(session.execute(select(Volunteer.id, Volunteer.name)
                                 .where(Volunteer.id.in_({entry.volunteer_id for entry, _ in rows}))).all())
    return [{**entry_record(entry, RecordStatus(state)), "volunteer_name": names.get(entry.volunteer_id, ""),
             "logged_by": entry.actor_user_id} for entry, state in rows]


def get_record(session: Session, entry_id: int) -> HourEntry:
    entry = session.get(HourEntry, entry_id)
    if entry is None or entry.action not in (HourAction.RECORD.value, HourAction.CORRECT.value) \
            or (entry.action == HourAction.CORRECT.value and entry.starts_at is None):
        raise NotFound("hour_record.not_found", id=entry_id)
    return entry


def status_of(session: Session, entry: HourEntry) -> RecordStatus:
    return record_states(_chain(session, entry.volunteer_id))[entry.id]


def review_hours(uow: UnitOfWork, actor: Actor, entry_id: int, decision: str, note: str = "") -> HourEntry:
    """That project's organization or community verifies or rejects; never the volunteer, nor
    whoever logged the record (职责分离)."""
    record = get_record(uow.session, entry_id)
    require_not_own_hours(actor, record.actor_user_id, record.volunteer_id)
    project = uow.session.get(Project, record.project_id)
    require_hours_verifier(actor, project)
    _lock_volunteer(uow, record.volunteer_id)
    status = status_of(uow.session, record)
    if status not in (RecordStatus.PENDING, RecordStatus.DISPUTED):
        raise Conflict("hours.not_reviewable", status=status.value)
    if decision == "reject" and not note.strip():
        raise InvalidInput("hours.reject_reason", {"note": ["field.required_rejecting"]})
    action = HourAction.VERIFY.value if decision == "verify" else HourAction.REJECT.value
    review = append_entry(uow, actor, record.volunteer_id, action, target_id=record.id,
                          project_id=record.project_id, organization_id=record.organization_id,
                          reason=note.strip())
    _announce_experience(uow, record.volunteer_id)
    uow.commit()
    return review


def dispute_hours(uow: UnitOfWork, actor: Actor, entry_id: int, reason: str) -> HourEntry:
    record = get_record(uow.session, entry_id)
    require_hours_disputer(actor, record.volunteer_id)
    _lock_volunteer(uow, record.volunteer_id)
    status = status_of(uow.session, record)
    if status not in (RecordStatus.PENDING, RecordStatus.VERIFIED, RecordStatus.REJECTED):
        raise Conflict("hours.not_disputable", status=status.value)
    entry = append_entry(uow, actor, record.volunteer_id, HourAction.DISPUTE.value, target_id=record.id,
                         project_id=record.project_id, organization_id=record.organization_id,
                         reason=reason.strip())
    _announce_experience(uow, record.volunteer_id)
    uow.commit()
    return entry


def correct_hours(uow: UnitOfWork, actor: Actor, entry_id: int, data: dict[str, Any]) -> HourEntry:
    """A correction is a new entry: it replaces the record's time and content, or reverses it."""
    record = get_record(uow.session, entry_id)
    project = uow.session.get(Project, record.project_id)
    require_hours_corrector(actor, cast(Project, project))  # a record always belongs to a project
    _lock_volunteer(uow, record.volunteer_id)
    status = status_of(uow.session, record)
    if status in (RecordStatus.SUPERSEDED, RecordStatus.REVERSED):
        raise Conflict("hours.not_correctable", status=status.value)
    common = dict(target_id=record.id, project_id=record.project_id, activity_id=record.activity_id,
                  organization_id=record.organization_id, signup_id=record.signup_id,
                  reason=data["reason"].strip(), source=HourSource.ORG_ENTRY.value)
    if data.get("reverse"):
        entry = append_entry(uow, actor, record.volunteer_id, HourAction.CORRECT.value, **common)
    else:
        # a record (not a reversal) carries its time
        starts_at = cast(datetime, data.get("starts_at", record.starts_at))
        ends_at = cast(datetime, data.get("ends_at", record.ends_at))
        minutes = check_recording_rules(uow, record.volunteer_id, starts_at, ends_at, ignore=record.id)
        entry = append_entry(uow, actor, record.volunteer_id, HourAction.CORRECT.value, starts_at=starts_at,
                             ends_at=ends_at, minutes=minutes,
                             content=data.get("content") or record.content, **common)
    _announce_experience(uow, record.volunteer_id)
    uow.commit()
    return entry


def _announce_experience(uow: UnitOfWork, volunteer_id: int) -> None:
    """Verified hours are experience the matcher can weigh: refresh the volunteer's provider event."""
    volunteer = uow.get_or_404(Volunteer, volunteer_id)  # locked by the caller: it exists
    if volunteer.active:
        announce_provider(uow, "volunteer", volunteer)


def hours_of_volunteer(session: Session, actor: Actor, volunteer_id: int) -> dict[str, Any]:
    """volunteer_hours for whoever may see the volunteer, star levels by their district's thresholds."""
    volunteer = read_volunteer(session, actor, volunteer_id)
    community = session.get(Community, volunteer.community_id) if volunteer.community_id else None
    return volunteer_hours(session, volunteer_id, thresholds_for(community.district if community else None))


def volunteer_hours(session: Session, volunteer_id: int, thresholds: list[int]) -> dict[str, Any]:
    """Totals (standing, verified, per year; credit and honour apart), star level (verified, both kinds), records."""
    entries = _chain(session, volunteer_id)
    states = record_states(entries)
    records, total, verified = [], 0, 0
    per_year: dict[int, int] = defaultdict(int)
    kinds = {kind: {"minutes": 0, "verified_minutes": 0} for kind in (CREDIT, HONOUR)}
    for entry in entries:
        status = states.get(entry.id)
        if status is None:
            continue
        records.append(entry_record(entry, status))
        if status in STANDING:
            total += entry.minutes
            kinds[hour_kind(entry)]["minutes"] += entry.minutes
        if status == RecordStatus.VERIFIED:
            verified += entry.minutes
            kinds[hour_kind(entry)]["verified_minutes"] += entry.minutes
            assert entry.starts_at is not None  # a verified record has its time
            per_year[entry.starts_at.astimezone(LOCAL_TZ).year] += entry.minutes
    return {"volunteer_id": volunteer_id, "total_minutes": total, "verified_minutes": verified,
            "verified_hours": round(verified / 60, 2), "credit": kinds[CREDIT], "honour": kinds[HONOUR],
            "per_year": [{"year": y, "verified_minutes": m} for y, m in sorted(per_year.items())],
            "star_level": star_level(verified, thresholds), "star_thresholds_hours": thresholds,
            "star_next": _next_star(verified, thresholds), "records": records}


def _next_star(verified: int, thresholds: list[int]) -> dict[str, int] | None:
    """How far the next star level is: {"level": 3, "minutes": 750}; None at the top."""
    found = minutes_to_next(verified, thresholds)
    return None if found is None else {"level": found[0], "minutes": found[1]}


def chain_head(session: Session, volunteer_id: int, seq: int | None = None) -> dict[str, Any] | None:
    """The chain's last entry (or its entry `seq`) as {seq, hash}: what a certificate pins."""
    query = select(HourEntry.seq, HourEntry.hash).where(HourEntry.volunteer_id == volunteer_id)
    query = query.where(HourEntry.seq == seq) if seq is not None else query.order_by(HourEntry.seq.desc())
    row = session.execute(query.limit(1)).first()
    return {"seq": row.seq, "hash": row.hash} if row else None


def verify_chain(session: Session, volunteer_id: int) -> dict[str, Any]:
    """Recompute the chain; name the first entry whose hash or link does not match."""
    verdict = ledger.verify(session, ledger.Chain(HourEntry, volunteer_id))
    return {"volunteer_id": volunteer_id, "valid": verdict.valid, "entries": verdict.entries,
            "first_bad_entry_id": verdict.first_bad_id, "first_bad_seq": verdict.first_bad_seq}
