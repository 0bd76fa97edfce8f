"""The role matrix itself: who may do each write operation of the API (read it first: it is the
contract the tests hold the services to; matrix_cases.py says how each operation is made)."""
from __future__ import annotations

CALLERS = ("admin", "community_staff", "other_community_staff", "org_staff", "other_org_staff",
           "volunteer", "other_volunteer", "social_worker", "other_social_worker", "auditor")

# ok = allowed (the exact success status of the case is expected);  - = 403, nothing changes;
# a number = allowed by the rules but refused by the state with that status, nothing changes.
#
# case                       adm  cs   ocs  os   oos  vol  ovol sw   osw  aud
MATRIX = """
auth.token                   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
auth.revoke                  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
community.create             ok   -    -    -    -    -    -    -    -    -
community.update             ok   ok   -    -    -    -    -    -    -    -
need.create                  ok   ok   -    -    -    -    -    -    -    -
need.update                  ok   ok   -    -    -    -    -    -    -    -
need.cancel                  ok   ok   -    -    -    -    -    -    -    -
organization.create          ok   -    -    -    -    -    -    -    -    -
organization.update          ok   -    -    ok   -    -    -    -    -    -
organization.deactivate      ok   -    -    ok   -    -    -    -    -    -
social_worker.create         ok   -    -    ok   -    -    -    -    -    -
social_worker.update         ok   -    -    ok   -    -    -    ok   -    -
social_worker.deactivate     ok   -    -    ok   -    -    -    ok   -    -
volunteer.create             ok   ok   -    -    -    -    -    -    -    -
volunteer.update             ok   -    -    -    -    ok   -    -    -    -
volunteer.deactivate         ok   -    -    -    -    ok   -    -    -    -
volunteer.reveal             ok   -    404  -    404  -    404  404  404  ok
resource.create              ok   -    -    -    -    -    -    -    -    -
resource.update              ok   -    -    -    -    -    -    -    -    -
resource.deactivate          ok   -    -    -    -    -    -    -    -    -
import.upload                ok   ok   ok   -    -    -    -    -    -    -
import.commit                ok   ok   404  404  404  404  404  404  404  404
claim.create                 ok   -    -    ok   ok   -    -    -    -    -
claim.approve                ok   ok   -    -    -    -    -    -    -    -
invitation.create            ok   ok   -    -    -    -    -    -    -    -
invitation.answer            404  404  404  ok   404  404  404  404  404  404
claim.decline                ok   ok   -    -    -    -    -    -    -    -
project.start                ok   -    -    ok   -    -    -    -    -    -
project.cancel               ok   ok   -    ok   -    -    -    -    -    -
project.mark_evaluated       ok   ok   -    -    -    -    -    -    -    -
project.lead                 ok   -    -    ok   -    -    -    -    -    -
project.evaluation_codes     ok   ok   -    -    -    -    -    -    -    -
project.evaluate             ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
round.create                 ok   -    -    -    -    -    -    -    -    -
round.transition             ok   -    -    -    -    -    -    -    -    -
application.for_need         -    -    -    ok   ok   -    -    -    -    -
application.for_project      -    -    -    ok   -    -    -    -    -    -
application.reviewer         ok   -    -    -    -    -    -    -    -    -
application.review           -    -    -    -    -    -    -    -    ok   -
round.award                  ok   -    -    -    -    -    -    -    -    -
grant.accept_milestone       ok   ok   -    -    -    -    -    -    -    -
grant.disburse               ok   -    -    -    -    -    -    -    -    -
grant.expenditure            -    -    -    ok   -    -    -    -    -    -
grant.correction             ok   -    -    -    -    -    -    -    -    -
grant.closing_report         ok   -    -    ok   -    -    -    -    -    -
activity.create              ok   -    -    ok   -    -    -    -    -    -
signup.create                ok   -    -    ok   -    ok   -    -    -    -
signup.cancel                ok   -    -    ok   -    ok   -    -    -    -
signup.check_in              ok   -    -    ok   -    -    -    -    -    -
signup.check_out             ok   -    -    ok   -    -    -    -    -    -
activity.cancel              ok   -    -    ok   -    -    -    -    -    -
signup.no_show               ok   -    -    ok   -    -    -    -    -    -
series.create                ok   -    -    ok   -    -    -    -    -    -
series.cancel_occurrence     ok   -    -    ok   -    -    -    -    -    -
series.change_occurrence     ok   -    -    ok   -    -    -    -    -    -
hours.log                    ok   -    -    ok   -    ok   -    -    -    -
hours.verify                 ok   ok   -    ok   -    -    -    -    -    -
hours.reject                 ok   ok   -    ok   -    -    -    -    -    -
hours.dispute                -    -    -    -    -    ok   -    -    -    -
hours.correct                ok   -    -    ok   -    -    -    -    -    -
certificate.issue            ok   -    -    ok   409  ok   -    -    -    -
certificate.revoke           ok   -    -    ok   -    -    -    -    -    -
consent.record               ok   ok   404  404  404  ok   404  404  404  -
volunteer.erase              ok   -    -    -    -    -    -    -    -    -
me.erase                     -    -    -    -    -    ok   ok   -    -    -
qualification.create         ok   404  404  404  404  ok   404  404  404  404
qualification.update         ok   404  404  404  404  ok   404  404  404  404
qualification.delete         ok   404  404  404  404  ok   404  404  404  404
notification.read            404  404  404  404  404  ok   404  404  404  404
transfer.trust               ok   -    -    -    -    -    -    -    -    -
transfer.import              ok   ok   404  404  404  -    404  404  404  -
safety.insurance             -    -    404  404  404  ok   404  404  404  -
safety.guardian              -    -    404  404  404  ok   404  404  404  -
filing.create                ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
filing.review                -    ok   404  404  404  404  404  404  404  -
filing.confirm               ok   -    404  404  404  404  404  404  404  -
cohort.create                ok   -    -    -    -    -    -    -    -    -
cohort.admit                 ok   404  404  404  404  404  404  404  404  -
cohort.close                 ok   404  404  -    404  404  404  404  404  -
cohort.record                ok   404  404  -    404  404  404  404  404  -
cohort.assess                ok   404  404  -    404  404  404  404  404  -
cohort.graduate              ok   404  404  -    404  404  404  404  404  -
cohort.upgrade               ok   404  404  -    404  404  404  404  404  -
annual_report.submit         -    -    -    ok   -    -    -    -    -    -
brand.create                 ok   -    -    -    -    -    -    -    -    -
brand.revoke                 ok   -    -    -    -    -    -    -    -    -
placement.create             ok   -    -    ok   -    -    -    -    -    -
placement.delete             ok   -    -    ok   404  -    -    404  -    -
supervision.assign           ok   -    -    -    -    -    -    -    -    -
supervision.end              ok   -    -    -    -    -    -    -    -    -
supervision.record           -    -    -    -    -    -    -    404  ok   -
supervision.answer           404  404  404  404  404  404  404  ok   404  404
training.create              ok   404  404  ok   404  404  404  ok   404  404
consultation.open            ok   ok   -    -    -    -    -    -    -    -
consultation.codes           ok   ok   404  404  404  404  404  404  404  -
consultation.close           ok   ok   404  404  404  404  404  404  404  -
consultation.to_need         ok   ok   404  404  404  404  404  404  404  -
consultation.propose         ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
consultation.vote            ok   ok   ok   ok   ok   ok   ok   ok   ok   ok
"""
# Notes on rows that are not obvious from the table alone:
# - transfer.import: the district or volunteer A's community imports hours A brings from a trusted
#   platform; who may see A but not import (A, an auditor) is refused, others are told nothing (404).
# - safety.*: a volunteer's insurance and guardian consent are entered by the volunteer alone.
# - volunteer.reveal: the district and auditors, with a reason; a caller who may see volunteer A (its
#   community's staff, the organization it served with, A itself) is refused (403), one who may not
#   is told nothing (404).
# - auth.token and project.evaluate are public: the bearer is ignored (a resident's one-time code
#   is the credential for an evaluation); each caller gets its own code.
# - auth.revoke: everyone may log themselves out (only themselves: see the mass-assignment test).
# - claim.create: any organization may claim an open need, for itself only (admin names one).
# - invitation.create: the need's community (or the district) invites a ranked organization to claim it.
#   invitation.answer: only the invitee (organization A's staff) answers; to anyone else the invitation is
#   not there (404), the district included.
# - application.*: organizations apply through their staff; the district itself does not apply.
#   A project may be applied for only by the organization that runs it (other_org_staff -> 403).
# - application.reviewer: reviewers are admins or social workers; an auditor is refused (422 naming
#   user_id: separation of duties), a social worker of the applicant too (403, conflict of interest).
# - application.review: only assigned, untied reviewers. other_social_worker is assigned;
#   social_worker works for the applicant (conflict of interest) and is not assigned; admin is not
#   assigned either; the auditor never reviews (separation of duties; see test_separation_of_duties).
# - grant.expenditure: only the grantee reports spending; grant.accept_milestone: never the grantee.
# - certificate.issue: other_org_staff may certify hours served with its own organization; volunteer
#   A has none there, so 409 (authorized, nothing to certify) and nothing changes.
# - signup.*, hours.log: the body names volunteer A, so other_volunteer acts on another's behalf.
# - qualification.*: volunteer A's qualifications exist only for them and the district: 404 to anyone else.
# - consent.record: volunteer A's consent; whoever may not see volunteer A gets a 404 (the
#   auditor sees everyone but records nothing: 403). me.erase: each volunteer erases themself.
# - notification.read: one's own notification only; anyone else's is not found (404), the district's too.
# - filing.*: filing (备案) is public (residents have no account; the bearer is ignored). A filing of
#   community A is reviewed by community A's staff alone and confirmed by the street (admin) alone;
#   who may see it but not act (the district reviewing, community staff confirming, the auditor) is
#   refused (403); who may not see it is told nothing (404).
# - cohort.*: the street's cultivation centre (admin) writes; a cohort exists for the district, auditors
#   and the staff of a member organization (organization A is the member: 403), for anyone else 404.
#   cohort.admit acts on a cohort without members yet: only the district and auditors see it.
# - annual_report.submit: an organization's own staff, for their organization (the body names A).
# - brand.*: brand organizations (品牌社会组织) are the district's to name and revoke.
# - placement.create: the district, or organization A's staff into organization A (a body naming another
#   organization is a 403: organizations are listed publicly). placement.delete: the same two; a placement
#   is seen by its organization's staff and the worker placed (social worker B here), who may not remove it
#   (403), and by auditors (403); other organizations' staff and other social workers are told nothing
#   (404); community staff and volunteers read no placements at all (403).
# - supervision.*: the district assigns and ends supervisors (督导). A session is recorded by the current
#   supervisor (other_social_worker supervises a fresh social worker): staff are refused (403), another
#   social worker is told nothing (404). Only the supervisee (social worker A) confirms or disputes.
# - training.create: continuing education (继续教育) of social worker A: A, organization A's staff or the
#   district; anyone else is told nothing (404).
# - consultation.*: community A's consultation (议事协商) is run by its staff and the district; to anyone else
#   it does not exist (404), but the auditor, who reads it, is refused (403). consultation.propose and
#   consultation.vote are public: a resident's one-time code is the credential; each caller gets its own code.


def parse_matrix(text: str = MATRIX) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for line in text.strip().splitlines():
        name, *cells = line.split()
        assert len(cells) == len(CALLERS), f"row {name} has {len(cells)} cells, not {len(CALLERS)}"
        assert name not in table, f"row {name} appears twice"
        table[name] = dict(zip(CALLERS, cells))
    return table


