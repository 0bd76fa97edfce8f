"""A funding (公益创投) scene at the service: a district, a community, rounds, applicants and their grants."""

from __future__ import annotations

from sqlalchemy import select

from linkage.models import OutboxEvent
from linkage.models.funding import FundEntry, Milestone
from linkage.permissions import Actor
from linkage.services.funding.awards import award_round
from linkage.services.funding.reviews import assign_reviewer, review_application
from linkage.services.funding.rounds import apply_for_funding, open_round, transition_round

RUBRIC = ("necessity", "feasibility", "professional_capacity", "budget_reasonableness", "sustainability")
MILESTONES = [
    {"title": "项目启动", "share_pct": 40},
    {"title": "中期评估", "share_pct": 40},
    {"title": "结项评估", "share_pct": 20},
]
# The funding events (type without prefix and version) of a round's whole life, from opening to closing,
# whichever way its co-funding and closings go.
ROUND_LIFE_EVENTS = (
    "round.opened",
    "application.submitted",
    "reviewer.assigned",
    "application.reviewed",
    "round.awarded",
    "milestone.accepted",
    "ledger.disbursement",
    "ledger.expenditure",
    "grant.closed",
    "ledger.refund",
    "ledger.return",
)


def scores(value: int, **over: int) -> dict[str, int]:
    """The same score on every criterion of the rubric, except those named."""
    return {**dict.fromkeys(RUBRIC, value), **over}


def plan(requested: int = 300_000, **over) -> dict:
    """An application's plan: 3/5 of the request on staff, the rest on activities; milestones 40/40/20."""
    staff = requested * 3 // 5
    data = {
        "summary": "为辖区独居老人提供陪诊与探访服务",
        "requested_fen": requested,
        "budget_lines": [{"name": "人员费", "amount_fen": staff}, {"name": "活动费", "amount_fen": requested - staff}],
        "milestones": [dict(m) for m in MILESTONES],
    }
    data.update(over)
    return data


class Applicant:
    """An organization that applies, and one of its staff."""

    def __init__(self, organization, staff: Actor):
        self.organization, self.staff = organization, staff

    @property
    def id(self) -> int:
        return self.organization.id


class FundingScene:
    """The district (a real admin user, who also reviews), one community with its staff, and builders."""

    def __init__(self, build, act, read):
        self.build, self.act, self.read = build, act, read
        self.admin = build.admin()
        self.community = build.community()
        self.community_staff = build.community_staff(self.community)

    def round(self, **over):
        data = {"name": "2026年滨海新区社区公益创投", "budget_fen": 1_000_000, "cap_fen": 400_000}
        data["priority_categories"] = ["养老"]
        return self.act(open_round, self.admin, {**data, **over})

    def applicant(self) -> Applicant:
        organization = self.build.organization()
        return Applicant(organization, self.build.org_staff(organization))

    def need(self, category: str = "养老", community=None):
        return self.build.need(community or self.community, category=category, title=f"{category}服务项目")

    def apply(self, found, applicant: Applicant, category: str = "养老", requested: int = 300_000, **over):
        """`applicant` applies in round `found` for a new need of the scene's community (or `need_id=`)."""
        target = {} if ("need_id" in over or "project_id" in over) else {"need_id": self.need(category).id}
        return self.act(apply_for_funding, applicant.staff, found.id, {**target, **plan(requested, **over)})

    def review(self, found, scored: dict, reviewer: Actor | None = None) -> None:
        """Assign `reviewer` (the district by default) to each application, start the review, score them."""
        reviewer = reviewer or self.admin
        for application in scored:
            self.act(assign_reviewer, self.admin, application.id, reviewer.user_id)
        self.act(transition_round, self.admin, found.id, "reviewing")
        for application, value in scored.items():
            self.act(review_application, reviewer, application.id, scores(value), "需求明确，方案可行")

    def award(self, found, overrides=None) -> dict:
        return self.act(award_round, self.admin, found.id, overrides)

    def grant(self, requested: int = 300_000, **over) -> dict:
        """One round, one applicant, one application scored 80 and awarded in full: its grant's id."""
        found = self.round(**over)
        applicant = self.applicant()
        application = self.apply(found, applicant, requested=requested)
        self.review(found, {application: 80})
        awarded = self.award(found)
        grant_id = next(a["grant_id"] for a in awarded["allocations"] if a["application_id"] == application.id)
        return {"round": found, "applicant": applicant, "application": application, "grant_id": grant_id}

    # reads
    def entries(self, round_id: int) -> list[tuple[str, int]]:
        """The round's ledger as (kind, amount) in chain order."""
        with self.read() as s:
            rows = s.scalars(select(FundEntry).where(FundEntry.round_id == round_id).order_by(FundEntry.seq))
            return [(e.kind, e.amount_fen) for e in rows]

    def milestones(self, grant_id: int) -> list[Milestone]:
        with self.read() as s:
            return list(s.scalars(select(Milestone).where(Milestone.grant_id == grant_id).order_by(Milestone.n)))

    def events(self, round_id: int) -> list[str]:
        """The funding event types on the outbox for this round, oldest first, without prefix and version."""
        with self.read() as s:
            rows = s.scalars(
                select(OutboxEvent.type)
                .where(OutboxEvent.topic == "linkage.funding", OutboxEvent.key == str(round_id))
                .order_by(OutboxEvent.id)
            )
            return [t.removeprefix("linkage.funding.").removesuffix(".v1") for t in rows]
