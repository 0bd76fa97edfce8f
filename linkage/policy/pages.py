"""The pages: which sections a person's menu shows, who opens a page, and the can_* rules templates ask."""
from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.models import Role
from linkage.policy import projects, service, supervision
from linkage.policy.parties import has_role, is_community_staff, is_district, reads_everything

if TYPE_CHECKING:
    from linkage.permissions import Actor

# The main menu's sections, in their order, and the roles that see each (others reach a page by a link).
MENU = {
    "needs": (Role.COMMUNITY_STAFF.value, Role.ORG_STAFF.value, Role.ADMIN.value, Role.AUDITOR.value,
              Role.SOCIAL_WORKER.value),
    "projects": (Role.COMMUNITY_STAFF.value, Role.ORG_STAFF.value),
    "activities": (Role.ORG_STAFF.value, Role.VOLUNTEER.value),
    "my_signups": (Role.VOLUNTEER.value,),
    "my_hours": (Role.VOLUNTEER.value,),
    "invitations": (Role.ORG_STAFF.value, Role.VOLUNTEER.value, Role.SOCIAL_WORKER.value),
    "funding": tuple(r.value for r in Role if r is not Role.VOLUNTEER),
    "transfer": (Role.COMMUNITY_STAFF.value, Role.ADMIN.value),  # importing hours from another platform
    # the provider lists (志愿者名册 and the rest): staff who find and invite providers, and oversight
    "volunteers": (Role.COMMUNITY_STAFF.value, Role.ORG_STAFF.value, Role.ADMIN.value, Role.AUDITOR.value),
    "organizations": (Role.COMMUNITY_STAFF.value, Role.ORG_STAFF.value, Role.ADMIN.value, Role.AUDITOR.value,
                      Role.SOCIAL_WORKER.value),
    "social_workers": (Role.COMMUNITY_STAFF.value, Role.ORG_STAFF.value, Role.ADMIN.value, Role.AUDITOR.value,
                       Role.SOCIAL_WORKER.value),
    "resources": (Role.COMMUNITY_STAFF.value, Role.ORG_STAFF.value, Role.ADMIN.value, Role.AUDITOR.value),
    "reports": (Role.COMMUNITY_STAFF.value, Role.ADMIN.value, Role.AUDITOR.value),  # 报表: policy/reports.py
    "imports": (Role.COMMUNITY_STAFF.value, Role.ORG_STAFF.value, Role.ADMIN.value),  # spreadsheets (批量导入)
    # 社区社会组织备案: the community reviews, the street confirms (policy/filings.py)
    "filings": (Role.COMMUNITY_STAFF.value, Role.ADMIN.value, Role.AUDITOR.value),
    # the incubation track (孵化培育) and annual reports (年报): policy/cultivation.py
    "cultivation": (Role.ADMIN.value, Role.AUDITOR.value, Role.ORG_STAFF.value),
    "annual_reports": (Role.ADMIN.value, Role.AUDITOR.value, Role.ORG_STAFF.value),
    "growth": (Role.ADMIN.value, Role.ORG_STAFF.value),  # 培育发展: brand organizations, social workers' placements (policy/growth.py)
    # 社工督导: the district assigns supervisors, auditors read, social workers see their own
    "sw_supervision": (Role.ADMIN.value, Role.AUDITOR.value, Role.SOCIAL_WORKER.value),
    "consultations": (Role.COMMUNITY_STAFF.value, Role.ADMIN.value, Role.AUDITOR.value),  # 议事协商
}


def in_menu(actor: Actor, section: str) -> bool:
    return has_role(actor, MENU.get(section, ()))


def may_open_page(actor: Actor, roles: tuple[str, ...]) -> bool:
    """A page of one role's work (linkage.web.auth.roles): anyone else is told it is not theirs."""
    return has_role(actor, roles)


def may_choose_community(actor: Actor) -> bool:
    """Posting a need: the district picks the community; a community's staff post for their own."""
    return not is_community_staff(actor)


def may_scrape_metrics(actor: Actor | None) -> bool:
    """/metrics from off the host: district staff's token only."""
    return actor is not None and is_district(actor)


def template_rules(actor: Actor | None) -> dict:
    """The can_* helpers every page template gets, asked of the page's actor (no one: False)."""
    rules = {"can_open": in_menu, "can_post_needs": projects.may_post_needs,
             "can_choose_community": may_choose_community, "can_read_everything": reads_everything,
             "can_sign_up": service.may_sign_up,
             "can_see_supervision": lambda actor, worker: supervision.may_read_supervision(actor, worker, ())}

    def ask(rule):
        return lambda *args: actor is not None and rule(actor, *args)
    return {name: ask(rule) for name, rule in rules.items()}
