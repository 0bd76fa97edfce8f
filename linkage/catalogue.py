"""The event catalogue: every event type once, with its topic, key, payload fields and version (DESIGN §3).

Pure Python: services, `events/` and `matching/` all import it, and it imports nothing of
theirs. docs/events.md is checked against it (tests/unit/test_event_catalogue.py).
"""
from __future__ import annotations

import enum
import re
from typing import Any

# The four kinds of provider a need is matched with; a provider's key is "<kind>:<id>".
PROVIDER_KINDS = ("organization", "social_worker", "volunteer", "resource")


class Topics:
    NEEDS = "linkage.needs"
    PROVIDERS = "linkage.providers"
    MATCHES = "linkage.matches"
    PROJECTS = "linkage.projects"
    HOURS = "linkage.hours"
    FUNDING = "linkage.funding"
    DLQ = "linkage.dlq"

    ALL = (NEEDS, PROVIDERS, MATCHES, PROJECTS, HOURS, FUNDING, DLQ)


# How each topic's record key is formed (every type on a topic shares it).
KEYS = {
    Topics.NEEDS: "need id",
    Topics.PROVIDERS: "<kind>:<id>",
    Topics.MATCHES: "need id",
    Topics.PROJECTS: "project id, or need-<need id> for a claim",
    Topics.HOURS: "volunteer id",
    Topics.FUNDING: "round id",
    Topics.DLQ: "original key",
}

NEED = ("id", "community_id", "title", "description", "category", "skills", "target_groups", "lat",
        "lon", "starts_at", "ends_at", "volunteers_needed", "hours_estimate", "budget_fen", "urgency",
        "status")
HOUR_ENTRY = ("id", "volunteer_id", "seq", "action", "target_id", "project_id", "activity_id",
              "organization_id", "starts_at", "ends_at", "minutes", "content", "source", "reason",
              "status", "hash")
FUND_ENTRY = ("id", "round_id", "seq", "kind", "grant_id", "tranche", "source", "destination",
              "amount_fen", "lines", "budget_line", "receipt_ref", "note", "target_id",
              "resource_id", "reversed", "created_at", "prev_hash", "hash")
FUNDING_ROUND = ("id", "name", "description", "budget_fen", "cap_fen", "priority_categories",
                 "cofunding_pct", "pass_score", "min_partial_pct", "rubric_weights", "status",
                 "created_at", "reviewing_at", "awarded_at", "closed_at")


class EventType(str, enum.Enum):
    """One catalogued type: the value is the CloudEvents `type`; `fields` are the keys its `data` always has."""

    topic: str
    fields: tuple[str, ...]
    version: int

    def __new__(cls, type: str, topic: str, fields: tuple[str, ...]) -> EventType:
        entry = str.__new__(cls, type)
        entry._value_ = type
        entry.topic, entry.fields = topic, fields
        entry.version = int(type.rsplit(".v", 1)[1])
        return entry

    def __str__(self) -> str:
        return str(self.value)

    @property
    def key(self) -> str:
        """How the record key of this type is formed."""
        return KEYS[self.topic]

    NEED_POSTED = ("linkage.need.posted.v1", Topics.NEEDS, NEED)
    NEED_UPDATED = ("linkage.need.updated.v1", Topics.NEEDS, NEED)
    NEED_CANCELLED = ("linkage.need.cancelled.v1", Topics.NEEDS, NEED)
    PROVIDER_UPSERTED = ("linkage.provider.upserted.v1", Topics.PROVIDERS, ("kind", "provider", "version"))
    PROVIDER_REMOVED = ("linkage.provider.removed.v1", Topics.PROVIDERS, ("kind", "id", "version"))
    NEED_MATCHED = ("linkage.need.matched.v1", Topics.MATCHES,
                    ("need_id", "need_event_id", "ranked_at", "matches"))
    CLAIM_SUBMITTED = ("linkage.claim.submitted.v1", Topics.PROJECTS, ("claim",))
    CLAIM_DECIDED = ("linkage.claim.decided.v1", Topics.PROJECTS, ("claim",))
    PROJECT_CREATED = ("linkage.project.created.v1", Topics.PROJECTS, ("project",))
    PROJECT_TRANSITIONED = ("linkage.project.transitioned.v1", Topics.PROJECTS,
                            ("project", "from", "to", "reason"))
    PROJECT_LEAD_ASSIGNED = ("linkage.project.lead_assigned.v1", Topics.PROJECTS,
                             ("project", "social_worker_id"))
    ACTIVITY_SCHEDULED = ("linkage.activity.scheduled.v1", Topics.PROJECTS, ("activity",))
    ACTIVITY_CHANGED = ("linkage.activity.changed.v1", Topics.PROJECTS, ("activity", "change"))
    SIGNUP_CHANGED = ("linkage.signup.changed.v1", Topics.PROJECTS, ("signup",))
    INVITATION_SENT = ("linkage.invitation.sent.v1", Topics.PROJECTS, ("invitation",))
    INVITATION_ANSWERED = ("linkage.invitation.answered.v1", Topics.PROJECTS, ("invitation",))
    PROJECT_EVALUATED = ("linkage.project.evaluated.v1", Topics.PROJECTS,
                         ("project_id", "organization_id", "evaluations", "codes_issued",
                          "mean_satisfaction"))
    HOURS_RECORD = ("linkage.hours.record.v1", Topics.HOURS, HOUR_ENTRY)
    HOURS_VERIFY = ("linkage.hours.verify.v1", Topics.HOURS, HOUR_ENTRY)
    HOURS_REJECT = ("linkage.hours.reject.v1", Topics.HOURS, HOUR_ENTRY)
    HOURS_DISPUTE = ("linkage.hours.dispute.v1", Topics.HOURS, HOUR_ENTRY)
    HOURS_CORRECT = ("linkage.hours.correct.v1", Topics.HOURS, HOUR_ENTRY)
    FUNDING_ROUND_OPENED = ("linkage.funding.round.opened.v1", Topics.FUNDING, FUNDING_ROUND)
    FUNDING_ROUND_TRANSITIONED = ("linkage.funding.round.transitioned.v1", Topics.FUNDING,
                                  ("round", "from", "to"))
    FUNDING_APPLICATION_SUBMITTED = ("linkage.funding.application.submitted.v1", Topics.FUNDING,
                                     ("id", "round_id", "organization_id", "need_id", "project_id",
                                      "community_id", "title", "category", "summary",
                                      "requested_fen", "budget_lines", "milestones",
                                      "cofunding_resource_id", "cofunding_fen", "status",
                                      "created_at"))
    FUNDING_REVIEWER_ASSIGNED = ("linkage.funding.reviewer.assigned.v1", Topics.FUNDING,
                                 ("application_id", "reviewer_user_id"))
    FUNDING_APPLICATION_REVIEWED = ("linkage.funding.application.reviewed.v1", Topics.FUNDING,
                                    ("id", "application_id", "reviewer_user_id", "scores", "total",
                                     "comments", "created_at"))
    FUNDING_ROUND_AWARDED = ("linkage.funding.round.awarded.v1", Topics.FUNDING, ("round", "awards"))
    FUNDING_MILESTONE_ACCEPTED = ("linkage.funding.milestone.accepted.v1", Topics.FUNDING,
                                  ("grant_id", "n", "title", "tranche_fen"))
    FUNDING_GRANT_CLOSED = ("linkage.funding.grant.closed.v1", Topics.FUNDING, ("grant_id", "summary"))
    FUNDING_LEDGER_BUDGET = ("linkage.funding.ledger.budget.v1", Topics.FUNDING, FUND_ENTRY)
    FUNDING_LEDGER_AWARD = ("linkage.funding.ledger.award.v1", Topics.FUNDING, FUND_ENTRY)
    FUNDING_LEDGER_COFUNDING = ("linkage.funding.ledger.cofunding.v1", Topics.FUNDING, FUND_ENTRY)
    FUNDING_LEDGER_DISBURSEMENT = ("linkage.funding.ledger.disbursement.v1", Topics.FUNDING, FUND_ENTRY)
    FUNDING_LEDGER_EXPENDITURE = ("linkage.funding.ledger.expenditure.v1", Topics.FUNDING, FUND_ENTRY)
    FUNDING_LEDGER_RELEASE = ("linkage.funding.ledger.release.v1", Topics.FUNDING, FUND_ENTRY)
    FUNDING_LEDGER_REFUND = ("linkage.funding.ledger.refund.v1", Topics.FUNDING, FUND_ENTRY)
    FUNDING_LEDGER_RETURN = ("linkage.funding.ledger.return.v1", Topics.FUNDING, FUND_ENTRY)
    FUNDING_LEDGER_REVERSAL = ("linkage.funding.ledger.reversal.v1", Topics.FUNDING, FUND_ENTRY)
    EVENT_DEADLETTERED = ("linkage.event.deadlettered.v1", Topics.DLQ,
                          ("consumer", "topic", "partition", "offset", "key", "reason", "error"))


# Existing callers name the types `Types.X`; it is the same enum.
Types = EventType


class UncataloguedEvent(ValueError):
    """A programming error: an event whose type, topic or data the catalogue does not describe."""


def entry(type: str) -> EventType:
    """The catalogue entry of a type string, or UncataloguedEvent."""
    try:
        return EventType(type)
    except ValueError:
        raise UncataloguedEvent(f"event type {type!r} is not in linkage.catalogue") from None


def hours_type(action: str) -> EventType:
    return entry(f"linkage.hours.{action}.v1")


def funding_type(name: str) -> EventType:
    """`round.opened`, `ledger.award`, …: the funding event type of that name."""
    return entry(f"linkage.funding.{name}.v1")


def check_outgoing(type: str, topic: str, data: dict[str, Any]) -> EventType:
    """The entry of an event about to be written, after checking its topic and data fields."""
    found = entry(type)
    if found.topic != topic:
        raise UncataloguedEvent(f"{found.value} belongs on {found.topic}, not {topic}")
    missing = [name for name in found.fields if name not in data]
    if missing:
        raise UncataloguedEvent(f"{found.value} data lacks {', '.join(missing)}")
    return found


def of_topic(topic: str) -> tuple[EventType, ...]:
    return tuple(e for e in EventType if e.topic == topic)


def markdown_table() -> str:
    """The catalogue as the table docs/events.md carries (`python -m linkage.catalogue` prints it)."""
    lines = ["| type | version | topic | key | `data` always has |", "|---|---:|---|---|---|"]
    for found in EventType:
        key = re.sub(r"(\S*<[^>]*>\S*)", r"`\1`", found.key)  # <kind> is not an HTML tag
        lines.append(f"| `{found.value}` | {found.version} | `{found.topic}` | {key} | {', '.join(found.fields)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
