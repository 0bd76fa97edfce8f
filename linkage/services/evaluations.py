"""Residents' verdict (居民满意度): one-time codes per household, and evaluations made with them."""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from linkage.catalogue import Topics, Types
from linkage.errors import Conflict, InvalidInput
from linkage.models import Evaluation, EvaluationCode, Organization, Project, ProjectStatus, utcnow
from linkage.permissions import Actor
from linkage.policy.projects import require_code_issuer
from linkage.services.one_time_codes import digest as _digest
from linkage.services.one_time_codes import new_codes, wanted_codes
from linkage.services.providers import announce_provider
from linkage.uow import UnitOfWork, get_or_404

MAX_CODES = 2000  # households in one issue (schemas.projects.CodesRequestSchema), so cards on one sheet
EVALUABLE = (ProjectStatus.COMPLETED.value, ProjectStatus.EVALUATED.value)


def issue_codes(uow: UnitOfWork, actor: Actor, project_id: int, households: int) -> list[str]:
    """Community staff hand one code to each household the project reached; only hashes are kept."""
    project = uow.get_or_404(Project, project_id)
    require_code_issuer(actor, project)
    if project.status != ProjectStatus.COMPLETED.value:
        raise Conflict("evaluation.codes_not_completed")
    codes = new_codes(households)
    for code in codes:
        uow.session.add(EvaluationCode(project_id=project.id, code_digest=_digest(code),
                                       issued_by=actor.user_id))
    uow.commit()
    return codes


def printable_codes(session: Session, actor: Actor, project_id: int, codes: list[str]) -> dict[str, Any]:
    """The cards its community prints: of `codes` (from the page that showed them once; only hashes are
    stored), those that are this project's and still unused, in the order given, and how many were not."""
    project = get_or_404(session, Project, project_id)
    require_code_issuer(actor, project)
    wanted = wanted_codes(codes, MAX_CODES)
    unused = set(session.scalars(select(EvaluationCode.code_digest).where(
        EvaluationCode.project_id == project.id, EvaluationCode.used_at.is_(None),
        EvaluationCode.code_digest.in_([_digest(code) for code in wanted]))))
    printable = [code for code in wanted if _digest(code) in unused]
    return {"project": project, "codes": printable, "skipped": len(wanted) - len(printable)}


def evaluate_project(uow: UnitOfWork, project_id: int, code: str, satisfaction: int, comment: str) -> Evaluation:
    """No login: the code is the resident's right to speak once about this project."""
    project = uow.get_or_404(Project, project_id)
    if project.status not in EVALUABLE:
        raise Conflict("evaluation.not_open")
    row = uow.session.scalars(select(EvaluationCode).where(
        EvaluationCode.code_digest == _digest(code), EvaluationCode.project_id == project_id)).first()
    if row is None:
        raise InvalidInput("evaluation.unknown_code", {"code": ["evaluation.code_invalid"]})
    # Compare-and-set: of two racing requests with one code, exactly one wins.
    claimed = cast("CursorResult[*tuple[Any, ...]]", uow.session.execute(update(EvaluationCode).where(
        EvaluationCode.id == row.id, EvaluationCode.used_at.is_(None)).values(used_at=utcnow())))
    if claimed.rowcount != 1:
        raise Conflict("evaluation.code_used", {"code": ["field.already_used"]})
    evaluation = Evaluation(project_id=project.id, code_id=row.id, satisfaction=satisfaction,
                            comment=comment.strip())
    uow.session.add(evaluation)
    uow.session.flush()
    summary = evaluation_summary(uow.session, project.id)
    uow.emit(topic=Topics.PROJECTS, key=str(project.id), type=Types.PROJECT_EVALUATED,
             subject=f"project/{project.id}", data={"project_id": project.id,
                                                    "organization_id": project.organization_id,
                                                    **summary})
    # The organization's reputation changed: the matcher learns it from the providers topic.
    announce_provider(uow, "organization", uow.session.get(Organization, project.organization_id))
    uow.commit()
    return evaluation


def evaluation_summary(session: Session, project_id: int) -> dict[str, Any]:
    count, total = session.execute(select(func.count(Evaluation.id), func.coalesce(func.sum(Evaluation.satisfaction), 0))
                                   .where(Evaluation.project_id == project_id)).one()
    issued = session.execute(select(func.count()).select_from(EvaluationCode)
                             .where(EvaluationCode.project_id == project_id)).scalar_one()
    return {"evaluations": int(count), "codes_issued": int(issued),
            "mean_satisfaction": round(total / count, 2) if count else None}


def evaluable_projects(session: Session, limit: int = 200) -> list[Project]:
    """The newest `limit` finished projects, the choice a resident picks theirs from (no login)."""
    return list(session.scalars(select(Project).where(Project.status.in_((ProjectStatus.COMPLETED.value, ProjectStatus.EVALUATED.value)))
                                .order_by(Project.id.desc()).limit(limit)))
