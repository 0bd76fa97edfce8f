"""From need to project (服务项目化): claims, the decision, the lifecycle, the lead social worker."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linkage.catalogue import Topics, Types
from linkage.errors import Conflict, InvalidInput, NotFound
from linkage.messages import rfc3339
from linkage.models import (
    Activity,
    Claim,
    ClaimStatus,
    MatchSet,
    Need,
    NeedStatus,
    Organization,
    Project,
    ProjectStatus,
    SocialWorker,
    check_transition,
    utcnow,
)
from linkage.permissions import Actor, require_community_writer, require_organization_writer
from linkage.policy.projects import require_lead_of_own_organization, require_project_party
from linkage.services.providers import announce_provider
from linkage.services.queries import where_given
from linkage.services.waitlist import release_future
from linkage.uow import UnitOfWork, get_or_404


def claim_record(claim: Claim) -> dict[str, Any]:
    return {"id": claim.id, "need_id": claim.need_id, "organization_id": claim.organization_id,
            "plan": claim.plan, "status": claim.status, "ranked": claim.ranked,
            "rank_position": claim.rank_position, "decline_reason": claim.decline_reason}


def project_record(project: Project) -> dict[str, Any]:
    return {"id": project.id, "need_id": project.need_id, "claim_id": project.claim_id,
            "organization_id": project.organization_id, "community_id": project.community_id,
            "title": project.title, "category": project.category, "status": project.status,
            "lead_social_worker_id": project.lead_social_worker_id,
            "cancel_reason": project.cancel_reason,
            "started_at": rfc3339(project.started_at) if project.started_at else None,
            "completed_at": rfc3339(project.completed_at) if project.completed_at else None}


def _emit_project(uow: UnitOfWork, project: Project, type: str, **extra: Any) -> None:
    uow.emit(topic=Topics.PROJECTS, key=str(project.id), type=type,
             subject=f"project/{project.id}", data={"project": project_record(project), **extra})


def _locked_need(uow: UnitOfWork, need_id: int) -> Need:
    # FOR UPDATE serializes claim decisions on one need (PostgreSQL); SQLite's writer lock does it there.
    need = uow.session.scalars(select(Need).where(Need.id == need_id).with_for_update()).first()
    if need is None:
        raise NotFound("need.not_found", id=need_id)
    return need


def get_project(session: Session, project_id: int) -> Project:
    return get_or_404(session, Project, project_id)


def get_claim(session: Session, claim_id: int) -> Claim:
    return get_or_404(session, Claim, claim_id)


def _rank_of(session: Session, need_id: int, organization_id: int | None) -> int | None:
    match_set = session.get(MatchSet, need_id)
    if match_set is None:
        return None
    for position, entry in enumerate(match_set.matches.get("organization", []), start=1):
        if entry.get("provider_id") == organization_id:
            return position
    return None


def claim_need(uow: UnitOfWork, actor: Actor, need_id: int, plan: str,
               organization_id: int | None = None) -> Claim:
    """Org staff offer to take on an open need; several organizations may claim the same need."""
    organization_id = organization_id or actor.organization_id
    require_organization_writer(actor, organization_id)
    # An admin claiming without organization_id names none: get(None) warns (SQLAlchemy 2.1 may raise).
    organization = uow.session.get(Organization, organization_id) if organization_id is not None else None
    if organization is None or not organization.active:
        raise InvalidInput("organization.inactive", {"organization_id": ["field.not_active"]})
    need = _locked_need(uow, need_id)
    if need.status not in (NeedStatus.OPEN.value, NeedStatus.MATCHED.value):
        raise Conflict("need.not_claimable", status=need.status)
    existing = uow.session.scalars(select(Claim).where(Claim.need_id == need_id,
                                                       Claim.organization_id == organization_id)).first()
    if existing is not None:
        raise Conflict("claim.duplicate")
    position = _rank_of(uow.session, need_id, organization_id)
    claim = Claim(need_id=need_id, organization_id=organization_id, plan=plan,
                  ranked=position is not None, rank_position=position, created_by=actor.user_id)
    uow.session.add(claim)
    try:
        uow.session.flush()
    except IntegrityError as exc:  # a concurrent duplicate claim by the same organization
        uow.rollback()
        raise Conflict("claim.duplicate") from exc
    uow.emit(topic=Topics.PROJECTS, key=f"need-{need_id}", type=Types.CLAIM_SUBMITTED,
             subject=f"claim/{claim.id}", data={"claim": claim_record(claim)})
    uow.commit()
    return claim


def decide_claim(uow: UnitOfWork, actor: Actor, claim_id: int, decision: str, reason: str = "") -> Claim:
    """Community staff approve one claim (it becomes the project) or decline it with a reason."""
    claim = get_claim(uow.session, claim_id)
    need = _locked_need(uow, claim.need_id)
    require_community_writer(actor, need.community_id)
    uow.session.refresh(claim)  # re-read under the need's lock: a racing decision may have landed
    if claim.status != ClaimStatus.PENDING.value:
        raise Conflict("claim.decided", status=claim.status)
    now = utcnow()
    if decision == "decline":
        if not reason.strip():
            raise InvalidInput("claim.decline_reason", {"reason": ["field.required_declining"]})
        _decline(uow, actor, claim, reason, now)
        uow.commit()
        return claim
    if need.status not in (NeedStatus.OPEN.value, NeedStatus.MATCHED.value):
        raise Conflict("need.already", status=need.status)
    claim.status, claim.decided_by, claim.decided_at = ClaimStatus.APPROVED.value, actor.user_id, now
    need.status = NeedStatus.CLAIMED.value
    project = Project(need_id=need.id, claim_id=claim.id, organization_id=claim.organization_id,
                      community_id=need.community_id, title=need.title, category=need.category)
    uow.session.add(project)
    for other in uow.session.scalars(select(Claim).where(Claim.need_id == need.id, Claim.id != claim.id,
                                                         Claim.status == ClaimStatus.PENDING.value)):
        _decline(uow, actor, other, reason or "已选定其他组织承接 / another organization was chosen", now)
    try:
        uow.session.flush()
    except IntegrityError as exc:  # the unique need_id on projects: a racing approval won
        uow.rollback()
        raise Conflict("need.has_project") from exc
    uow.emit(topic=Topics.PROJECTS, key=f"need-{need.id}", type=Types.CLAIM_DECIDED,
             subject=f"claim/{claim.id}", data={"claim": claim_record(claim)})
    _emit_project(uow, project, Types.PROJECT_CREATED)
    announce_provider(uow, "organization", uow.session.get(Organization, claim.organization_id))
    uow.commit()
    return claim


def _decline(uow: UnitOfWork, actor: Actor, claim: Claim, reason: str, now: datetime) -> None:
    claim.status, claim.decline_reason = ClaimStatus.DECLINED.value, reason.strip()[:200]
    claim.decided_by, claim.decided_at = actor.user_id, now
    uow.session.flush()
    uow.emit(topic=Topics.PROJECTS, key=f"need-{claim.need_id}", type=Types.CLAIM_DECIDED,
             subject=f"claim/{claim.id}", data={"claim": claim_record(claim)})


def project_for_claim(session: Session, claim_id: int) -> Project | None:
    return session.scalars(select(Project).where(Project.claim_id == claim_id)).first()


def transition_project(uow: UnitOfWork, actor: Actor, project_id: int, target: str,
                       reason: str = "") -> Project:
    project = uow.session.scalars(select(Project).where(Project.id == project_id).with_for_update()).first()
    if project is None:
        raise NotFound("project.not_found", id=project_id)
    _require_viewer_party(actor, project)
    parties = check_transition(project.status, target)
    require_project_party(actor, project, parties)
    if target == ProjectStatus.CANCELLED.value and not reason.strip():
        raise InvalidInput("project.cancel_reason", {"reason": ["field.required_cancelling"]})
    previous, now = project.status, utcnow()
    project.status = target
    if target == ProjectStatus.IN_PROGRESS.value:
        project.started_at = now
    elif target == ProjectStatus.COMPLETED.value:
        project.completed_at = now
    elif target in (ProjectStatus.EVALUATED.value, ProjectStatus.CANCELLED.value):
        project.closed_at = now
        project.cancel_reason = reason.strip()[:200] if target == ProjectStatus.CANCELLED.value else ""
    need = uow.get_or_404(Need, project.need_id)  # a project's need is always there
    if target == ProjectStatus.COMPLETED.value:
        need.status = NeedStatus.COMPLETED.value
    elif target == ProjectStatus.CANCELLED.value:
        need.status = NeedStatus.CANCELLED.value
    uow.session.flush()
    _emit_project(uow, project, Types.PROJECT_TRANSITIONED, **{"from": previous, "to": target,
                                                              "reason": reason})
    if target in (ProjectStatus.COMPLETED.value, ProjectStatus.CANCELLED.value):
        # Nobody waits for a finished project: its future sign-ups and waitlists are cancelled.
        release_future(uow, list(uow.session.scalars(select(Activity).where(Activity.project_id == project.id))))
        announce_provider(uow, "organization", uow.session.get(Organization, project.organization_id))
    uow.commit()
    return project


def _require_viewer_party(actor: Actor, project: Project) -> None:
    """Anyone outside the project learns 403 before learning whether a move is legal."""
    require_project_party(actor, project, frozenset({"organization", "community"}))


def assign_lead(uow: UnitOfWork, actor: Actor, project_id: int, social_worker_id: int) -> Project:
    """社工+义工: a professional social worker leads the project's volunteers."""
    project = get_project(uow.session, project_id)
    require_project_party(actor, project, frozenset({"organization"}))
    if project.status not in (ProjectStatus.APPROVED.value, ProjectStatus.IN_PROGRESS.value):
        raise Conflict("project.lead_locked", status=project.status)
    worker = uow.session.get(SocialWorker, social_worker_id)
    if worker is None or not worker.active:
        raise InvalidInput("social_worker.inactive", {"social_worker_id": ["field.not_active"]})
    require_lead_of_own_organization(actor, worker, project)
    project.lead_social_worker_id = worker.id
    uow.session.flush()
    _emit_project(uow, project, Types.PROJECT_LEAD_ASSIGNED, social_worker_id=worker.id)
    uow.commit()
    return project


def list_projects(session: Session, *, status: str | None = None, organization_id: int | None = None,
                  community_id: int | None = None, page: int = 1, page_size: int = 20) -> tuple[list[Project], int]:
    from sqlalchemy import func
    query = where_given(select(Project), (Project.status, status), (Project.organization_id, organization_id),
                        (Project.community_id, community_id))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Project.id.desc()).limit(page_size).offset((page - 1) * page_size))
    return list(rows), total


def claims_for_need(session: Session, need_id: int) -> list[Claim]:
    return list(session.scalars(select(Claim).where(Claim.need_id == need_id).order_by(Claim.id)))
