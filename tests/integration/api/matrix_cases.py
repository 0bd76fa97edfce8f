"""The role matrix's data: every write operation of the API, how to build the object it acts on,
a valid body, who may do it (MATRIX), and the mass-assignment probes (OWASP API1, API3, API6).

Read MATRIX (matrix_table.py) first: it is the contract the tests hold the services to. The object each operation
acts on always belongs to the *first* party of each pair — community A (`community_staff`),
organization A (`org_staff`), volunteer A (`volunteer`), social worker A (`social_worker`, employed
by organization A); `other_*` is the other party of the same role.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable

from linkage.notice import current_version
from linkage.signing import Signer
from tests.factories_filings import filing_body
from tests.integration.api import transfer_world
from tests.integration.api.conftest import (
    PASSWORD,
    community_body,
    need_body,
    org_body,
    resource_body,
    social_worker_body,
    valid_uscc,
    volunteer_body,
)
from tests.integration.api.matrix_scene import API, Scene, now, scores  # noqa: F401  (re-exported)
from tests.integration.api.matrix_table import CALLERS, MATRIX, parse_matrix  # noqa: F401  (re-exported)

# --- the operations ------------------------------------------------------------------------------

Body = Callable[[dict, "str | None"], "dict | None"]


@dataclass(frozen=True)
class Probe:
    """One mass-assignment probe: `field` set to `value(scene, params)` in an otherwise valid body.

    expect: 422/403/404/409 — refused, the field named in `errors` for 409/422, nothing changed;
            "accepted" — 2xx, and `check(scene, params, response)` proves what was stored.
    """
    expect: int | str
    value: Callable[[Scene, dict], Any] | None = None
    check: Callable[[Scene, dict, Any], None] | None = None
    who: str | None = "owner"
    query: bool = False  # the probe goes into the query string (DELETE sign-ups)


LEGIT = Probe(expect="legit")  # the field is part of this body's contract for its owner: not a probe


@dataclass(frozen=True)
class Case:
    method: str
    path: str                                   # exactly as in the OpenAPI document
    setup: Callable[[Scene], dict]              # -> the path parameters (and whatever the body needs)
    body: Body = lambda p, who: None
    query: Body | None = None
    success: int = 200
    fresh: bool = True                          # every allowed caller after the first gets a new object
    public: bool = False
    owner: str | None = None                    # who sends the mass-assignment probes; default below
    first: str | None = None                    # the allowed caller that acts on the setup's own object
    probes: dict[str, Probe] = field(default_factory=dict)


QUALIFICATION = {"kind": "first_aid", "number": "JJ2024-000123", "issued_on": "2024-03-01",
                 "expires_on": "2027-02-28"}


def _qualification(s: Scene) -> int:
    return s.must("POST", f"/volunteers/{s.ids['volunteer']}/qualifications", "volunteer", QUALIFICATION)["id"]


def _filing(s: Scene, accepted: bool = False) -> dict:
    """A filing (备案) of community A by a group of residents (no account); accepted by community A's staff."""
    fid = s.must("POST", "/filings", None, filing_body(s.ids["community"], name=f"舞蹈队{uuid.uuid4().hex[:8]}"))["id"]
    if accepted:
        s.must("POST", f"/filings/{fid}/review", "community_staff", {"decision": "accept"})
    return {"filing_id": fid}
# --- the incubation track (孵化) and annual reports (年报)
COHORT = {"name": "2026年第一期", "street": "新港街道", "starts_on": "2026-01-01", "ends_on": "2027-06-30"}
PASSING = {"governance": 80, "activity": 75, "finance": 60, "resources": 55, "resident_satisfaction": 90}


def _filed_cohort(s: Scene) -> dict:
    """A new cohort and organization A made filed (备案, no USCC), not yet admitted."""
    from linkage.models import Organization

    with s.world.platform.uow() as uow:
        org = uow.session.get(Organization, s.ids["organization"])
        org.registration, org.uscc = "filed", None
        uow.commit()
    return {"cohort_id": s.must("POST", "/cohorts", "admin", COHORT)["id"], "organization_id": s.ids["organization"]}


def _member(s: Scene, assessed: bool = False) -> dict:
    """Organization A in incubation in a new cohort (assessed: with a passing assessment)."""
    found = _filed_cohort(s)
    s.must("POST", f"/cohorts/{found['cohort_id']}/members", "admin", {"organization_id": found["organization_id"]})
    if assessed:
        s.must("POST", "/cohorts/{cohort_id}/members/{organization_id}/assessments".format(**found), "admin",
               {"assessed_on": now().date().isoformat(), "scores": PASSING})
    return found
SUP_SESSION = {"held_on": "2026-01-05", "form": "individual", "topics": "个案督导", "hours": 1.5,
               "follow_ups": "", "confirmed": True}
TRAINING = {"title": "社会工作伦理", "provider": "区社工协会", "held_on": "2026-01-05", "hours": 6}


def _new_social_worker(s: Scene) -> int:
    n = s.n()
    return s.must("POST", "/social-workers", "admin", social_worker_body(s.ids["organization"], name=f"社工{n}"))["id"]


def _assigned(s: Scene, social_worker_id: int) -> int:
    """other_social_worker (社会工作师) becomes the supervisor (督导) of `social_worker_id`."""
    return s.must("POST", "/supervision/assignments", "admin",
                  {"social_worker_id": social_worker_id, "supervisor_id": s.ids["other_social_worker"],
                   "starts_on": "2026-01-01"})["id"]


def _supervision_session(s: Scene) -> int:
    """A session other_social_worker recorded for social worker A, awaiting A's answer."""
    if not s.cache.get("supervising:A"):
        s.cache["supervising:A"] = _assigned(s, s.ids["social_worker"])
    return s.must("POST", "/supervision/sessions", "other_social_worker",
                  {**SUP_SESSION, "social_worker_id": s.ids["social_worker"]})["id"]


def _idx(who: str | None) -> int:
    return CALLERS.index(who) if who in CALLERS else len(CALLERS)


def _import_upload(n: int, community: str = "") -> dict:
    import base64

    from tests.imports_files import VOLUNTEER_HEADERS, volunteer_row, xlsx
    file = xlsx(VOLUNTEER_HEADERS, [volunteer_row(2000 + n, community)])
    return {"kind": "volunteer", "filename": "名册.xlsx", "content": base64.b64encode(file).decode()}


def _import_batch(s: Scene) -> int:
    """A previewed batch of one volunteer of community A, uploaded by its staff."""
    from linkage.models import Community
    with s.world.platform.read_session() as session:
        name = session.get(Community, s.ids["community"]).name
    return s.must("POST", "/imports", "community_staff", _import_upload(s.n(), name))["id"]


def _const(value):
    return lambda p, who: value


def _other(key: str):
    return lambda s, p: s.ids[key]


def _stored_community_of_org(s: Scene, p: dict, response) -> None:
    shown = s.call("GET", f"/organizations/{p['provider_id']}", "admin").get_json()
    assert shown["community_id"] == s.ids["other_community"], shown


CASES: dict[str, Case] = {
    # --- log in and out
    "auth.token": Case("POST", "/auth/token", lambda s: {},
                       _const({"username": "volunteer", "password": PASSWORD}), fresh=False, public=True),
    "auth.revoke": Case("POST", "/auth/revoke", lambda s: {}, success=204, fresh=False),
    # --- communities and needs
    "community.create": Case("POST", "/communities", lambda s: {"n": s.n()},
                             lambda p, who: community_body(code=f"C{p['n']:06d}", name=f"新社区{p['n']}"),
                             success=201, probes={"code": LEGIT}),
    "community.update": Case("PATCH", "/communities/{community_id}",
                             lambda s: {"community_id": s.ids["community"]}, lambda p, who: {"households": 1300 + _idx(who)},
                             fresh=False, probes={"code": Probe(409)}),  # read-only for community staff
    "need.create": Case("POST", "/needs", lambda s: {},
                        lambda p, who: need_body(_ids_of(p)["community"]),
                        success=201, probes={"community_id": Probe(403, _other("other_community"))}),
    "need.update": Case("PATCH", "/needs/{need_id}", lambda s: {"need_id": s.need()},
                        lambda p, who: {"volunteers_needed": 3 + _idx(who)}, fresh=False),
    "need.cancel": Case("PATCH", "/needs/{need_id}", lambda s: {"need_id": s.need()}, _const({"cancel": True})),
    # --- providers
    "organization.create": Case("POST", "/organizations", lambda s: {"n": s.n()},
                                lambda p, who: org_body(100 + p["n"]), success=201,
                                probes={"community_id": LEGIT}),  # the district places an organization
    "organization.update": Case(
        "PATCH", "/organizations/{provider_id}", lambda s: {"provider_id": s.ids["organization"]},
        lambda p, who: {"capacity": 6 + _idx(who)}, fresh=False,
        # QUESTIONABLE (see the report): org staff may re-home their organization in any community.
        probes={"community_id": Probe("accepted", _other("other_community"), _stored_community_of_org),
                # only the district changes an organization's legal identity (separation of duties)
                "uscc": Probe(403, lambda s, p: valid_uscc(880)),
                "registration": Probe(403, lambda s, p: "filed")}),
    "organization.deactivate": Case("DELETE", "/organizations/{provider_id}",
                                    lambda s: {"provider_id": s.first_or_new("organization")}),
    "social_worker.create": Case("POST", "/social-workers", lambda s: {},
                                 lambda p, who: social_worker_body(_ids_of(p)["organization"], name="新社工"),
                                 success=201, probes={"organization_id": Probe(403, _other("other_organization"))}),
    "social_worker.update": Case(
        "PATCH", "/social-workers/{provider_id}", lambda s: {"provider_id": s.ids["social_worker"]},
        lambda p, who: {"specialties": [f"助残{_idx(who)}"]}, fresh=False, owner="social_worker",
        probes={"organization_id": Probe(403, _other("other_organization")),
                "organization_id (org staff)": Probe(403, _other("other_organization"), who="org_staff")}),
    "social_worker.deactivate": Case("DELETE", "/social-workers/{provider_id}",
                                     lambda s: {"provider_id": s.first_or_new("social_worker")},
                                     first="social_worker"),  # then org staff on another of its workers
    "volunteer.create": Case("POST", "/volunteers", lambda s: {"n": s.n()},
                             lambda p, who: volunteer_body(100 + p["n"], _ids_of(p)["community"], name="新志愿者"),
                             success=201, probes={"community_id": Probe(403, _other("other_community"))}),
    "volunteer.update": Case("PATCH", "/volunteers/{provider_id}", lambda s: {"provider_id": s.ids["volunteer"]},
                             lambda p, who: {"skills": [f"理发{_idx(who)}"]}, fresh=False,
                             probes={"community_id": Probe(403, _other("other_community"))}),
    "volunteer.deactivate": Case("DELETE", "/volunteers/{provider_id}",
                                 lambda s: {"provider_id": s.first_or_new("volunteer")}),
    "volunteer.reveal": Case("POST", "/volunteers/{volunteer_id}/reveal",
                             lambda s: {"volunteer_id": s.ids["volunteer"], "record": s.verified_record()},
                             _const({"field": "phone", "reason": "核实志愿者联系方式"}), fresh=False),
    "resource.create": Case("POST", "/resources", lambda s: {"n": s.n()},
                            lambda p, who: resource_body(name=f"助老物资{p['n']}"), success=201),
    "resource.update": Case("PATCH", "/resources/{provider_id}", lambda s: {"provider_id": s.ids["resource"]},
                            lambda p, who: {"tags": [f"冬衣{_idx(who)}"]}, fresh=False),
    "resource.deactivate": Case("DELETE", "/resources/{provider_id}",
                                lambda s: {"provider_id": s.first_or_new("resource")}),
    # --- imports (the batch is community A's staff's; each row goes through volunteer.create's rules)
    "import.upload": Case("POST", "/imports", lambda s: {"n": s.n()},
                          lambda p, who: _import_upload(p["n"]), success=202),
    "import.commit": Case("POST", "/imports/{batch_id}/commit", lambda s: {"batch_id": _import_batch(s)},
                          _const({"mode": "valid_rows", "paper_consents_held": True}), first="community_staff"),
    # --- claims and projects
    "claim.create": Case("POST", "/needs/{need_id}/claims", lambda s: {"need_id": s.need()},
                         lambda p, who: {"plan": "派两名志愿者陪同复诊",
                                         **({"organization_id": _ids_of(p)["organization"]} if who == "admin" else {})},
                         success=201, probes={"organization_id": Probe(403, _other("other_organization"))}),
    "invitation.create": Case("POST", "/needs/{need_id}/invitations", lambda s: {"need_id": s.ranked_need()},
                              lambda p, who: {"kind": "claim", "invitee_kind": "organization",
                                              "invitee_id": _ids_of(p)["organization"], "message": "欢迎认领"},
                              success=201),
    "invitation.answer": Case("POST", "/invitations/{invitation_id}/answer", lambda s: s.invitation(),
                              _const({"answer": "decline"})),
    "claim.approve": Case("POST", "/claims/{claim_id}/decision", lambda s: s.claim(), _const({"decision": "approve"})),
    "claim.decline": Case("POST", "/claims/{claim_id}/decision", lambda s: s.claim(),
                          _const({"decision": "decline", "reason": "方案不完整"})),
    "project.start": Case("POST", "/projects/{project_id}/transitions", lambda s: {"project_id": s.project()},
                          _const({"to": "in_progress"})),
    "project.cancel": Case("POST", "/projects/{project_id}/transitions", lambda s: {"project_id": s.project()},
                           _const({"to": "cancelled", "reason": "老人已入住养老院"})),
    "project.mark_evaluated": Case("POST", "/projects/{project_id}/transitions",
                                   lambda s: {"project_id": s.project("completed")}, _const({"to": "evaluated"})),
    "project.lead": Case("POST", "/projects/{project_id}/lead", lambda s: {"project_id": s.project()},
                         lambda p, who: {"social_worker_id": _ids_of(p)["social_worker"]},
                         probes={"social_worker_id": Probe(403, _other("other_social_worker"))}),
    "project.evaluation_codes": Case("POST", "/projects/{project_id}/evaluation-codes",
                                     lambda s: {"project_id": s.project("completed")}, _const({"households": 2}),
                                     success=201, fresh=False),
    "project.evaluate": Case("POST", "/projects/{project_id}/evaluations", lambda s: _evaluation_codes(s),
                             lambda p, who: {"code": p["codes"][CALLERS.index(who) if who else -1],
                                             "satisfaction": 4, "comment": "很满意"},
                             success=201, fresh=False, public=True),
    # --- venture philanthropy
    "round.create": Case("POST", "/funding-rounds", lambda s: {"n": s.n()},
                         lambda p, who: {"name": f"公益创投{p['n']}", "budget_fen": 1_000_000, "cap_fen": 400_000},
                         success=201),
    "round.transition": Case("POST", "/funding-rounds/{round_id}/transitions", lambda s: {"round_id": s.round()},
                             _const({"to": "reviewing"})),
    "application.for_need": Case("POST", "/funding-rounds/{round_id}/applications",
                                 lambda s: {"round_id": s.round(), "need_id": s.need()},
                                 lambda p, who: Scene.application_body(need_id=p["need_id"]),
                                 success=201, fresh=False),
    "application.for_project": Case("POST", "/funding-rounds/{round_id}/applications",
                                    lambda s: {"round_id": s.round(), "project_id": s.project()},
                                    lambda p, who: Scene.application_body(project_id=p["project_id"]), success=201),
    "application.reviewer": Case("POST", "/applications/{application_id}/reviewers",
                                 lambda s: {"application_id": s.application(s.round()),
                                            "reviewer": s.uid("other_social_worker"),
                                            "tied": s.uid("social_worker")},
                                 lambda p, who: {"user_id": p["reviewer"]}, success=201,
                                 # social_worker is employed by the applicant: a conflict of interest;
                                 # an auditor is never a reviewer (separation of duties)
                                 probes={"user_id": Probe(403, lambda s, p: p["tied"]),
                                         "user_id (auditor)": Probe(422, lambda s, p: s.uid("auditor"))}),
    "application.review": Case("POST", "/applications/{application_id}/reviews",
                               lambda s: s.reviewing(reviewers=("other_social_worker",)),
                               _const({"scores": scores(80), "comments": "方案可行"}), success=201, fresh=False,
                               owner="other_social_worker",
                               probes={"reviewer_user_id": Probe(422, lambda s, p: s.uid("auditor"))}),
    "round.award": Case("POST", "/funding-rounds/{round_id}/awards", lambda s: s.reviewing(reviewed=True),
                        _const({}), success=201),
    "grant.accept_milestone": Case("POST", "/grants/{grant_id}/milestones/{n}/acceptance",
                                   lambda s: {**s.grant(), "n": 1}, _const({"note": "验收合格"})),
    "grant.disburse": Case("POST", "/grants/{grant_id}/disbursements", lambda s: s.grant(accepted=1), success=201),
    "grant.expenditure": Case("POST", "/grants/{grant_id}/expenditures", lambda s: s.grant(accepted=1, disbursed=1),
                              _const({"budget_line": "人员费", "amount_fen": 1_000, "receipt_ref": "FP-2027-001"}),
                              success=201),
    "grant.correction": Case("POST", "/grants/{grant_id}/corrections", lambda s: s.grant(accepted=1, disbursed=1),
                             lambda p, who: {"entry_id": p["entries"][0], "reason": "银行退票"}, success=201,
                             # the round's opening budget entry is not this grant's: 404
                             probes={"entry_id": Probe(404, lambda s, p: _budget_entry(s, p))}),
    "grant.closing_report": Case("POST", "/grants/{grant_id}/closing-report", lambda s: s.grant(),
                                 _const({"summary": "项目顺利结项"})),
    # --- activities and sign-ups
    "activity.create": Case("POST", "/projects/{project_id}/activities",
                            lambda s: {"project_id": s.running_project()},
                            lambda p, who: {"title": "助老陪诊", "place": "社区服务站",
                                            "starts_at": (now() + timedelta(days=90)).isoformat(),
                                            "ends_at": (now() + timedelta(days=90, hours=2)).isoformat(),
                                            "slots": 5}, success=201, fresh=False),
    "signup.create": Case("POST", "/activities/{activity_id}/signups", lambda s: s.activity(),
                          lambda p, who: {"volunteer_id": _ids_of(p)["volunteer"]}, success=201,
                          owner="volunteer", probes={"volunteer_id": Probe(403, _other("other_volunteer"))}),
    "signup.cancel": Case("DELETE", "/activities/{activity_id}/signups", lambda s: _two_signups(s),
                          query=lambda p, who: {"volunteer_id": _ids_of(p)["volunteer"]},
                          probes={"volunteer_id": Probe(403, _other("other_volunteer"), who="volunteer", query=True)}),
    "signup.check_in": Case("POST", "/signups/{signup_id}/check-in", lambda s: _signed_up_past(s),
                            lambda p, who: {"at": (p["start"] + timedelta(minutes=10)).isoformat()}),
    "signup.check_out": Case("POST", "/signups/{signup_id}/check-out", lambda s: _checked_in(s),
                             lambda p, who: {"at": (p["start"] + timedelta(minutes=130)).isoformat(),
                                             "content": "陪老人复诊"}),
    "activity.cancel": Case("POST", "/activities/{activity_id}/cancellation", lambda s: s.activity()),
    "signup.no_show": Case("POST", "/signups/{signup_id}/no-show",
                           lambda s: {"signup_id": s.signup(s.activity()["activity_id"])}),
    "series.create": Case("POST", "/projects/{project_id}/series", lambda s: {"project_id": s.running_project()},
                          lambda p, who: Scene.series_body(now() + timedelta(days=30)), success=201, fresh=False),
    "series.cancel_occurrence": Case("POST", "/series/{series_id}/cancellations", lambda s: s.series(),
                                     lambda p, who: {"occurrence_start": p["occurrence_start"]}),
    "series.change_occurrence": Case("PATCH", "/series/{series_id}/occurrences", lambda s: s.series(),
                                     lambda p, who: {"occurrence_start": p["occurrence_start"], "place": "新址"}),
    # --- hours and certificates
    "hours.log": Case("POST", "/hours", lambda s: _signed_past_activity(s),
                      lambda p, who: p["body"], success=201, owner="volunteer",
                      probes={"volunteer_id": Probe(403, _other("other_volunteer")),
                              "minutes": Probe(422, lambda s, p: 6000), "source": Probe(422, lambda s, p: "checkin")}),
    "hours.verify": Case("POST", "/hours/{entry_id}/verification", lambda s: {"entry_id": s.record()},
                         _const({"decision": "verify"})),
    "hours.reject": Case("POST", "/hours/{entry_id}/verification", lambda s: {"entry_id": s.record()},
                         _const({"decision": "reject", "note": "当天未到岗"})),
    "hours.dispute": Case("POST", "/hours/{entry_id}/disputes", lambda s: {"entry_id": s.record()},
                          _const({"reason": "服务时长记录有误"})),
    "hours.correct": Case("POST", "/hours/{entry_id}/corrections", lambda s: {"entry_id": s.record()},
                          _const({"reason": "内容填写有误", "content": "陪老人复诊并取药"}), success=201,
                          probes={"minutes": Probe(422, lambda s, p: 6000)}),
    "certificate.issue": Case("POST", "/volunteers/{volunteer_id}/certificates",
                              lambda s: {"volunteer_id": s.ids["volunteer"], "record": s.verified_record()},
                              _const({}), success=201, fresh=False,
                              probes={"organization_id": Probe(403, _other("other_organization")),
                                      # the volunteer may name any issuer; with no hours there: nothing issued
                                      "organization_id (volunteer)": Probe(409, _other("other_organization"),
                                                                           who="volunteer")}),
    "certificate.revoke": Case("POST", "/certificates/{code}/revocation", lambda s: {"code": s.certificate()},
                               _const({"reason": "服务记录有误"})),
    # --- personal-information rights
    "consent.record": Case("POST", "/volunteers/{volunteer_id}/consents",
                           lambda s: {"volunteer_id": s.ids["volunteer"]},
                           _const({"notice_version": current_version(), "method": "self"}), success=201,
                           fresh=False),
    "volunteer.erase": Case("POST", "/volunteers/{volunteer_id}/erasure",
                            lambda s: {"volunteer_id": s.must("POST", "/volunteers", "admin",
                                                              volunteer_body(600 + s.n(), s.ids["community"]))["id"]},
                            _const({"confirm": True, "reason": "本人书面申请"})),
    "me.erase": Case("POST", "/me/erasure", lambda s: {}, _const({"confirm": True}), fresh=False),
    # --- volunteers' qualifications (资质): the volunteer's own, or the district's to keep
    "qualification.create": Case("POST", "/volunteers/{volunteer_id}/qualifications",
                                 lambda s: {"volunteer_id": s.ids["volunteer"]}, _const(QUALIFICATION),
                                 success=201, fresh=False),
    "qualification.update": Case("PATCH", "/qualifications/{qualification_id}",
                                 lambda s: {"qualification_id": _qualification(s)}, _const({"number": "JJ2025-1"})),
    "qualification.delete": Case("DELETE", "/qualifications/{qualification_id}",
                                 lambda s: {"qualification_id": _qualification(s)}, success=204),
    # --- notifications
    "notification.read": Case("POST", "/notifications/{notification_id}/read",
                              lambda s: {"notification_id": s.notification_of("volunteer")}, fresh=False),
    # --- record transfer (转移接续) and safety at sign-up
    "transfer.trust": Case("POST", "/trusted-platforms", lambda s: {},
                           lambda p, who: {"name": "外区平台", "public_key": Signer("", uuid.uuid4().hex).public_key_text},
                           success=201),
    "transfer.import": Case("POST", "/volunteers/{volunteer_id}/imported-hours",
                            lambda s: (transfer_world.trust(s), {"volunteer_id": s.ids["volunteer"]})[1],
                            lambda p, who: transfer_world.signed()),
    "safety.insurance": Case("PUT", "/volunteers/{volunteer_id}/insurance", lambda s: {"volunteer_id": s.ids["volunteer"]},
                             _const({"insurer": "中国人寿", "policy_number": "P-2026-01", "starts_on": "2026-01-01",
                                     "ends_on": "2027-12-31"}), fresh=False),
    # --- social workers' supervision (督导) and continuing education (继续教育)
    "supervision.assign": Case("POST", "/supervision/assignments",
                               lambda s: {"supervisee": _new_social_worker(s)},
                               lambda p, who: {"social_worker_id": p["supervisee"],
                                               "supervisor_id": p[_IDS_KEY]["other_social_worker"]},
                               success=201),
    "supervision.end": Case("POST", "/supervision/assignments/{assignment_id}/end",
                            lambda s: {"assignment_id": _assigned(s, _new_social_worker(s))},
                            _const({"ends_on": "2026-06-30"})),
    "supervision.record": Case("POST", "/supervision/sessions",
                               lambda s: {"supervisee": (sw := _new_social_worker(s)), "_a": _assigned(s, sw)},
                               lambda p, who: {**SUP_SESSION, "social_worker_id": p["supervisee"]}, success=201),
    "supervision.answer": Case("POST", "/supervision/sessions/{session_id}/answer",
                               lambda s: {"session_id": _supervision_session(s)},
                               _const({"decision": "confirm", "reason": ""})),
    "training.create": Case("POST", "/social-workers/{social_worker_id}/trainings",
                            lambda s: {"social_worker_id": s.ids["social_worker"]}, _const(TRAINING),
                            success=201, fresh=False),
    "safety.guardian": Case("PUT", "/volunteers/{volunteer_id}/guardian-consent",
                            lambda s: {"volunteer_id": s.ids["volunteer"]},
                            _const({"guardian_name": "李强", "relation": "父亲", "phone": "13900001111",
                                    "given_on": "2026-01-01"}), fresh=False),
    # --- filings (备案) of community social organizations: public filing, community review, street confirmation
    "filing.create": Case("POST", "/filings", lambda s: {"community": s.ids["community"]},
                          lambda p, who: filing_body(p["community"], name=f"舞蹈队{uuid.uuid4().hex[:8]}"),
                          success=201, fresh=False, public=True, probes={"community_id": LEGIT}),
    "filing.review": Case("POST", "/filings/{filing_id}/review", lambda s: _filing(s), _const({"decision": "accept"})),
    "filing.confirm": Case("POST", "/filings/{filing_id}/confirmation", lambda s: _filing(s, accepted=True),
                           _const({"decision": "confirm"})),
    # --- the incubation track (孵化) and annual reports (年报)
    "cohort.create": Case("POST", "/cohorts", lambda s: {}, _const(COHORT), success=201),
    "cohort.admit": Case("POST", "/cohorts/{cohort_id}/members", _filed_cohort,
                         lambda p, who: {"organization_id": p["organization_id"]}, success=201,
                         probes={"organization_id": Probe(409, _other("other_organization"))}),
    "cohort.close": Case("POST", "/cohorts/{cohort_id}/close", lambda s: _member(s)),
    "cohort.record": Case("POST", "/cohorts/{cohort_id}/members/{organization_id}/records", lambda s: _member(s),
                          _const({"kind": "mentoring", "held_on": "2026-01-05", "title": "章程辅导", "hours": 2}),
                          success=201),
    "cohort.assess": Case("POST", "/cohorts/{cohort_id}/members/{organization_id}/assessments", lambda s: _member(s),
                          lambda p, who: {"assessed_on": now().date().isoformat(), "scores": PASSING}, success=201),
    "cohort.graduate": Case("POST", "/cohorts/{cohort_id}/members/{organization_id}/graduate",
                            lambda s: _member(s, assessed=True)),
    "cohort.upgrade": Case("POST", "/cohorts/{cohort_id}/members/{organization_id}/upgrade", lambda s: _member(s),
                           lambda p, who: {"uscc": valid_uscc(8800 + _idx(who))}),
    "annual_report.submit": Case("POST", "/annual-reports", lambda s: {},
                                 lambda p, who: {"organization_id": _ids_of(p)["organization"],
                                                 "year": now().year - 1, "activities_count": 12, "members": 30,
                                                 "income_fen": 100000, "spending_fen": 80000},
                                 success=201, probes={"organization_id": Probe(403, _other("other_organization"))}),
    # --- growth records (培育发展): brand organizations, social workers placed into organizations
    "brand.create": Case("POST", "/growth/brands", lambda s: {"organization_id": _new_organization(s)},
                         lambda p, who: {"organization_id": p["organization_id"], "year": _today().year,
                                         "reason": "服务成效突出"},
                         success=201, probes={"organization_id": LEGIT}),
    "brand.revoke": Case("POST", "/growth/brands/{designation_id}/revocation", lambda s: {"designation_id": _brand(s)},
                         _const({"reason": "年度考核不合格"})),
    "placement.create": Case("POST", "/growth/placements", lambda s: {"day": _placement_day(s)},
                             lambda p, who: {"social_worker_id": p[_IDS_KEY]["other_social_worker"],
                                             "organization_id": p[_IDS_KEY]["organization"], "placed_on": p["day"]},
                             success=201,
                             # staff record into their own organization only; another's is refused (403)
                             probes={"organization_id": Probe(403, _other("other_organization"))}),
    "placement.delete": Case("DELETE", "/growth/placements/{placement_id}",
                             lambda s: {"placement_id": _placement(s)}, success=204),
    # --- residents' voice (议事协商): community A's consultation; residents take part with a one-time code
    "consultation.open": Case("POST", "/consultations", lambda s: {},
                              lambda p, who: _consultation_body(_ids_of(p)["community"]), success=201,
                              probes={"community_id": Probe(403, _other("other_community"))}),
    "consultation.codes": Case("POST", "/consultations/{consultation_id}/codes",
                               lambda s: {"consultation_id": _consultation(s)}, _const({"count": 2}), success=201),
    "consultation.close": Case("POST", "/consultations/{consultation_id}/closure",
                               lambda s: {"consultation_id": _consultation(s)}),
    "consultation.to_need": Case("POST", "/consultation-items/{item_id}/need", lambda s: _closed_item(s),
                                 _const({"category": "养老"}), success=201),
    "consultation.propose": Case("POST", "/consultations/{consultation_id}/proposals", lambda s: _consultation_codes(s),
                                 lambda p, who: {"code": p["codes"][_idx(who) if who else -1], "title": "老年餐桌"},
                                 success=201, fresh=False, public=True, probes={"code": LEGIT}),
    "consultation.vote": Case("POST", "/consultations/{consultation_id}/votes",
                              lambda s: _consultation_codes(s, with_item=True),
                              lambda p, who: {"code": p["codes"][_idx(who) if who else -1], "item_id": p["item_id"]},
                              success=201, fresh=False, public=True, probes={"code": LEGIT}),
}


def _today():
    from linkage.services.qualifications import china_day

    return china_day()


def _new_organization(s: Scene) -> int:
    return s.must("POST", "/organizations", "admin", org_body(700 + s.n()))["id"]


def _brand(s: Scene) -> int:
    body = {"organization_id": _new_organization(s), "year": _today().year, "reason": "示范引领"}
    return s.must("POST", "/growth/brands", "admin", body)["id"]


def _placement_day(s: Scene) -> str:
    """A day of its own for each placement (the same worker, organization and day is recorded once)."""
    return (_today() - timedelta(days=s.n())).isoformat()


def _placement(s: Scene) -> int:
    body = {"social_worker_id": s.ids["other_social_worker"], "organization_id": s.ids["organization"],
            "placed_on": _placement_day(s)}
    return s.must("POST", "/growth/placements", "admin", body)["id"]

# Fields a client must never be able to set (or set for another party); each probe adds one to an
# otherwise valid body. Unless a case says otherwise, the answer is a 422 naming the field.
GENERIC_PROBES: dict[str, Callable[[Scene, dict], Any]] = {
    "id": lambda s, p: 987654,
    "status": lambda s, p: "completed",
    "role": lambda s, p: "admin",
    "verified_by": lambda s, p: s.uid("admin"),
    "created_by": lambda s, p: s.uid("admin"),
    "remaining_fen": lambda s, p: 1,
    "code": lambda s, p: "HACKED01",
    "active": lambda s, p: True,
    "organization_id": lambda s, p: s.ids["other_organization"],
    "community_id": lambda s, p: s.ids["other_community"],
    "volunteer_id": lambda s, p: s.ids["other_volunteer"],
}

# The world's ids, reachable from a body builder through the params (set by the test per case).
_IDS_KEY = "_ids"


def _ids_of(p: dict) -> dict:
    return p[_IDS_KEY]


def _evaluation_codes(s: Scene) -> dict:
    project = s.project("completed")
    codes = s.must("POST", f"/projects/{project}/evaluation-codes", "community_staff",
                   {"households": len(CALLERS) + 4})["codes"]
    return {"project_id": project, "codes": codes}


def _consultation_body(community_id: int) -> dict:
    start = now()
    return {"community_id": community_id, "title": "楼道加装扶手还是办老年餐桌",
            "opens_at": (start - timedelta(hours=1)).isoformat(), "closes_at": (start + timedelta(days=7)).isoformat(),
            "max_proposals": 30}


def _consultation(s: Scene) -> int:
    return s.must("POST", "/consultations", "community_staff", _consultation_body(s.ids["community"]))["id"]


def _consultation_codes(s: Scene, with_item: bool = False) -> dict:
    consultation = _consultation(s)
    codes = s.must("POST", f"/consultations/{consultation}/codes", "community_staff",
                   {"count": len(CALLERS) + 4})["codes"]
    found = {"consultation_id": consultation, "codes": codes}
    if with_item:
        found["item_id"] = s.must("POST", f"/consultations/{consultation}/proposals", "community_staff",
                                  {"code": codes[-2], "title": "楼道加装扶手"})["id"]
    return found


def _closed_item(s: Scene) -> dict:
    scene = _consultation_codes(s, with_item=True)
    s.must("POST", f"/consultations/{scene['consultation_id']}/closure", "community_staff")
    return {"item_id": scene["item_id"]}


def _budget_entry(s: Scene, p: dict) -> int:
    ledger = s.must("GET", f"/funding-rounds/{p['round_id']}/ledger", "admin")
    return next(e["id"] for e in ledger["items"] if e["kind"] == "budget")


def _two_signups(s: Scene) -> dict:
    activity = s.activity()
    s.signup(activity["activity_id"], "volunteer")
    s.signup(activity["activity_id"], "other_volunteer")
    return activity


def _signed_up_past(s: Scene) -> dict:
    """A walk-in added by the organization to an activity that took place (attendance is recorded
    within the activity's time)."""
    activity = s.activity(future=False)
    return {"signup_id": s.signup(activity["activity_id"]), "start": activity["start"]}


def _checked_in(s: Scene) -> dict:
    scene = _signed_up_past(s)
    s.must("POST", f"/signups/{scene['signup_id']}/check-in", "org_staff",
           {"at": (scene["start"] + timedelta(minutes=10)).isoformat()})
    return scene


def _signed_past_activity(s: Scene) -> dict:
    activity = s.activity(future=False)
    s.signup(activity["activity_id"])
    return {"body": s.hours_body(activity)}


def owner_of(name: str, table: dict[str, dict[str, str]]) -> str | None:
    """Who sends a case's probes: its declared owner, else the first allowed non-admin, else admin."""
    case = CASES[name]
    if case.owner is not None:
        return case.owner
    if case.public:
        return None
    allowed = [who for who, cell in table[name].items() if cell == "ok"]
    return next((who for who in allowed if who != "admin"), allowed[0] if allowed else None)
