"""The incubation track (孵化): the street's cultivation centre (培育中心) opens cohorts (孵化批次), admits filed
organizations, records mentoring (辅导), training (培训) and milestones (里程碑), assesses capacity (能力评估) on
the published rubric, and graduates them (出壳) or upgrades them to registered (登记) with their USCC."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.errors import Conflict, InvalidInput, Message, NotFound
from linkage.models import (
    CapacityAssessment,
    Cohort,
    CohortMember,
    CohortStatus,
    CultivationRecord,
    MemberStatus,
    Organization,
    RecordKind,
    utcnow,
)
from linkage.permissions import Actor
from linkage.policy import cultivation as policy
from linkage.security import FieldCipher
from linkage.services.qualifications import china_day
from linkage.uow import UnitOfWork
from linkage.validators import is_uscc

RUBRIC_FILE = Path(__file__).resolve().parents[1] / "cultivation_rubric.toml"
RECORD_KINDS = tuple(k.value for k in RecordKind)


# --- the published rubric -----------------------------------------------------------------------------


@lru_cache(maxsize=2)
def load_rubric(path: str = str(RUBRIC_FILE)) -> dict[str, Any]:
    """The capacity rubric (能力评估标准): criteria with whole-percent weights adding up to 100, and a pass mark."""
    with open(path, "rb") as handle:
        found = tomllib.load(handle)
    if sum(found["weights"].values()) != 100:
        raise ValueError(f"{path}: the weights must add up to 100")
    return found


def rubric_view() -> dict[str, Any]:
    """The rubric as it is published (public: an organization knows what it is assessed on)."""
    found = load_rubric()
    return {
        "pass_mark": found["pass_mark"],
        "criteria": [
            {"name": name, "label": found["labels"].get(name, name), "weight": weight}
            for name, weight in found["weights"].items()
        ],
    }


def assessment_total(scores: dict[str, int], rubric: dict[str, Any] | None = None) -> float:
    """The one home of an assessment's total: the weighted mean of the criteria's scores (0–100), 2 decimals."""
    weights: dict[str, int] = (rubric or load_rubric())["weights"]
    return round(sum(scores[name] * weight for name, weight in weights.items()) / 100, 2)


def _check_scores(scores: dict[str, Any], rubric: dict[str, Any]) -> None:
    """Every criterion of the rubric scored once, 0–100, and nothing else."""
    weights = rubric["weights"]
    problems: list[str | Message] = []
    for name in weights:
        value = scores.get(name)
        if value is None:
            problems.append(Message("cultivation.score_missing", criterion=rubric["labels"].get(name, name)))
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            problems.append(Message("cultivation.score_range", criterion=rubric["labels"].get(name, name)))
    for name in scores:
        if name not in weights:
            problems.append(Message("cultivation.score_unknown", criterion=name))
    if problems:
        raise InvalidInput("cultivation.assessment_invalid", {"scores": problems})


# --- reading ------------------------------------------------------------------------------------------


def list_cohorts(session: Session, actor: Actor) -> list[Cohort]:
    return list(session.scalars(select(Cohort).where(policy.listed_cohorts(actor)).order_by(Cohort.id.desc())))


def _cohort(session: Session, actor: Actor, cohort_id: int) -> Cohort:
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or not session.scalar(
        select(Cohort.id).where(Cohort.id == cohort_id, policy.listed_cohorts(actor))
    ):
        raise NotFound("cohort.not_found", id=cohort_id)
    return cohort


def _member(session: Session, actor: Actor, cohort_id: int, organization_id: int) -> CohortMember:
    member = session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort_id, CohortMember.organization_id == organization_id)
    )
    if member is None or not policy.may_see_membership(actor, member.organization_id):
        raise NotFound("cohort.member_not_found", id=organization_id)
    return member


def members_of(session: Session, actor: Actor, cohort_id: int) -> list[CohortMember]:
    """The cohort's members `actor` may see (an organization's staff: their own only)."""
    _cohort(session, actor, cohort_id)
    rows = session.scalars(select(CohortMember).where(CohortMember.cohort_id == cohort_id).order_by(CohortMember.id))
    return [m for m in rows if policy.may_see_membership(actor, m.organization_id)]


def cohort_record(cohort: Cohort) -> dict[str, Any]:
    return {
        "id": cohort.id,
        "name": cohort.name,
        "street": cohort.street,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "status": cohort.status,
    }


def record_view(row: CultivationRecord) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "held_on": row.held_on,
        "title": row.title,
        "hours": round(row.minutes / 60, 2),
        "notes": row.notes,
    }


def assessment_view(row: CapacityAssessment) -> dict[str, Any]:
    return {
        "id": row.id,
        "assessed_on": row.assessed_on,
        "scores": dict(row.scores),
        "total": row.total,
        "pass_mark": row.pass_mark,
        "passed": row.passed,
        "notes": row.notes,
    }


def _latest_assessment(session: Session, member_id: int) -> CapacityAssessment | None:
    return session.scalar(
        select(CapacityAssessment)
        .where(CapacityAssessment.member_id == member_id)
        .order_by(CapacityAssessment.assessed_on.desc(), CapacityAssessment.id.desc())
        .limit(1)
    )


def member_view(session: Session, member: CohortMember) -> dict[str, Any]:
    """A member as the cohort page and the API show it: the organization, its records and assessments."""
    org = session.get_one(Organization, member.organization_id)
    records = session.scalars(
        select(CultivationRecord)
        .where(CultivationRecord.member_id == member.id)
        .order_by(CultivationRecord.held_on, CultivationRecord.id)
    )
    assessments = session.scalars(
        select(CapacityAssessment)
        .where(CapacityAssessment.member_id == member.id)
        .order_by(CapacityAssessment.assessed_on, CapacityAssessment.id)
    )
    latest = _latest_assessment(session, member.id)
    return {
        "cohort_id": member.cohort_id,
        "organization_id": org.id,
        "organization_name": org.name,
        "registration": org.registration,
        "status": member.status,
        "admitted_at": member.admitted_at,
        "left_at": member.left_at,
        "records": [record_view(r) for r in records],
        "assessments": [assessment_view(a) for a in assessments],
        "latest_passed": bool(latest and latest.passed),
    }


def read_cohort(session: Session, actor: Actor, cohort_id: int) -> dict[str, Any]:
    cohort = _cohort(session, actor, cohort_id)
    return cohort_record(cohort) | {"members": [member_view(session, m) for m in members_of(session, actor, cohort_id)]}


def read_member(session: Session, actor: Actor, cohort_id: int, organization_id: int) -> dict[str, Any]:
    _cohort(session, actor, cohort_id)
    return member_view(session, _member(session, actor, cohort_id, organization_id))


def admissible_organizations(session: Session) -> list[Organization]:
    """Filed organizations not in incubation now: whom the centre may admit (the cohort page's choice)."""
    busy = (
        select(CohortMember.organization_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(CohortMember.status == MemberStatus.ACTIVE.value, Cohort.status == CohortStatus.OPEN.value)
    )
    return list(
        session.scalars(
            select(Organization)
            .where(Organization.registration == "filed", Organization.active.is_(True), Organization.id.not_in(busy))
            .order_by(Organization.name, Organization.id)
        )
    )


# --- writing ------------------------------------------------------------------------------------------


def open_cohort(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> Cohort:
    policy.require_cultivator(actor)
    if data["ends_on"] < data["starts_on"]:
        raise InvalidInput("cohort.invalid", {"ends_on": ["cohort.ends_before_start"]})
    cohort = Cohort(
        name=data["name"].strip(),
        street=data["street"].strip(),
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        status=CohortStatus.OPEN.value,
    )
    if not cohort.name:
        raise InvalidInput("cohort.invalid", {"name": ["field.required"]})
    if not cohort.street:
        raise InvalidInput("cohort.invalid", {"street": ["field.required"]})
    uow.session.add(cohort)
    uow.commit()
    return cohort


def close_cohort(uow: UnitOfWork, actor: Actor, cohort_id: int) -> Cohort:
    cohort = _cohort(uow.session, actor, cohort_id)
    policy.require_cultivator(actor)
    cohort.status = CohortStatus.CLOSED.value
    uow.commit()
    return cohort


def admit_organization(uow: UnitOfWork, actor: Actor, cohort_id: int, organization_id: int) -> CohortMember:
    """Admit a filed organization (备案) to an open cohort; a registered one, or one in another open cohort, is refused."""
    cohort = _cohort(uow.session, actor, cohort_id)
    policy.require_cultivator(actor)
    if cohort.status != CohortStatus.OPEN.value:
        raise Conflict("cohort.closed", {"cohort_id": ["cohort.closed"]})
    org = uow.session.get(Organization, organization_id)
    if org is None:
        raise InvalidInput("cohort.admit_invalid", {"organization_id": ["field.no_such_organization"]})
    if org.registration != "filed":
        raise Conflict("cohort.only_filed", {"organization_id": [Message("cohort.registered_refused", name=org.name)]})
    elsewhere = uow.session.scalar(
        select(Cohort.name)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(
            CohortMember.organization_id == org.id,
            CohortMember.status == MemberStatus.ACTIVE.value,
            Cohort.status == CohortStatus.OPEN.value,
        )
        .limit(1)
    )
    if elsewhere is not None:
        raise Conflict(
            "cohort.already_incubating",
            {"organization_id": [Message("cohort.in_other_cohort", name=org.name, cohort=elsewhere)]},
        )
    if uow.session.scalar(
        select(CohortMember.id).where(CohortMember.cohort_id == cohort.id, CohortMember.organization_id == org.id)
    ):
        raise Conflict("cohort.already_member", {"organization_id": ["cohort.already_member"]})
    member = CohortMember(cohort_id=cohort.id, organization_id=org.id, status=MemberStatus.ACTIVE.value)
    uow.session.add(member)
    uow.commit()
    return member


def _active_member(uow: UnitOfWork, actor: Actor, cohort_id: int, organization_id: int) -> CohortMember:
    """A member the centre still works with: seen (else 404), written by the centre (else 403), not yet left (409)."""
    _cohort(uow.session, actor, cohort_id)
    member = _member(uow.session, actor, cohort_id, organization_id)
    policy.require_cultivator(actor)
    if member.status != MemberStatus.ACTIVE.value:
        raise Conflict("cohort.member_left", status=member.status)
    return member


def add_record(
    uow: UnitOfWork, actor: Actor, cohort_id: int, organization_id: int, data: dict[str, Any]
) -> CultivationRecord:
    """A mentoring session, training or milestone of a member (kind, date, title, hours, notes)."""
    member = _active_member(uow, actor, cohort_id, organization_id)
    if data["kind"] not in RECORD_KINDS:
        raise InvalidInput("cultivation.record_invalid", {"kind": ["lib.one_of"]})
    if data["held_on"] > china_day():
        raise InvalidInput("cultivation.record_invalid", {"held_on": ["field.in_future"]})
    title = (data.get("title") or "").strip()
    if not title:
        raise InvalidInput("cultivation.record_invalid", {"title": ["field.required"]})
    hours = data.get("hours") or 0
    if not 0 <= hours <= 24:
        raise InvalidInput("cultivation.record_invalid", {"hours": ["cultivation.hours_range"]})
    row = CultivationRecord(
        member_id=member.id,
        kind=data["kind"],
        held_on=data["held_on"],
        title=title,
        minutes=round(hours * 60),
        notes=(data.get("notes") or "").strip(),
    )
    uow.session.add(row)
    uow.commit()
    return row


def assess(
    uow: UnitOfWork, actor: Actor, cohort_id: int, organization_id: int, data: dict[str, Any]
) -> CapacityAssessment:
    """A capacity assessment (能力评估) scored on the published rubric; its total and outcome are computed here."""
    member = _active_member(uow, actor, cohort_id, organization_id)
    rubric = load_rubric()
    scores = dict(data.get("scores") or {})
    _check_scores(scores, rubric)
    if data["assessed_on"] > china_day():
        raise InvalidInput("cultivation.assessment_invalid", {"assessed_on": ["field.in_future"]})
    total = assessment_total(scores, rubric)
    row = CapacityAssessment(
        member_id=member.id,
        assessed_on=data["assessed_on"],
        scores=scores,
        total=total,
        pass_mark=rubric["pass_mark"],
        passed=total >= rubric["pass_mark"],
        notes=(data.get("notes") or "").strip(),
    )
    uow.session.add(row)
    uow.commit()
    return row


def graduate(uow: UnitOfWork, actor: Actor, cohort_id: int, organization_id: int) -> CohortMember:
    """出壳: the member leaves incubation when its latest assessment passed; otherwise refused."""
    member = _active_member(uow, actor, cohort_id, organization_id)
    latest = _latest_assessment(uow.session, member.id)
    if latest is None:
        raise Conflict("cohort.graduate_unassessed")
    if not latest.passed:
        raise Conflict("cohort.graduate_failed", total=latest.total, pass_mark=latest.pass_mark)
    member.status, member.left_at = MemberStatus.GRADUATED.value, utcnow()
    uow.commit()
    return member


def upgrade(
    uow: UnitOfWork, actor: Actor, cipher: FieldCipher, cohort_id: int, organization_id: int, uscc: str
) -> CohortMember:
    """Upgrade to registered (登记): the organization's USCC is recorded and `registration` becomes
    "registered" through the provider service, which tells the matcher."""
    from linkage.services.providers import update_provider

    member = _active_member(uow, actor, cohort_id, organization_id)
    code = (uscc or "").strip().upper()
    if not is_uscc(code):
        raise InvalidInput("cohort.upgrade_invalid", {"uscc": ["field.uscc"]})
    member.status, member.left_at = MemberStatus.UPGRADED.value, utcnow()
    update_provider(
        uow, actor, "organization", organization_id, {"uscc": code, "registration": "registered"}, cipher
    )  # commits the member's change with it
    return member
