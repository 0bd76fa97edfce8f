"""Venture philanthropy (公益创投): rounds, applications, reviews, awards, grants, ledger, supervision."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.models.funding import RoundStatus
from linkage.taxonomy import CATEGORIES
from schemas.common import LocalDateTime, Money, Name, Tags

Percent = validate.Range(min=0, max=100)


def PositiveMoney(**kw):
    return fields.Integer(validate=validate.Range(min=1, max=10**12, error="金额须为正整数（分）/ a positive whole number of fen"), **kw)


class RoundRequestSchema(Schema):
    name = Name(required=True)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    budget_fen = PositiveMoney(required=True, metadata={"description": "总预算 in fen"})
    cap_fen = PositiveMoney(required=True, metadata={"description": "单项资助上限: per-project cap in fen"})
    priority_categories = Tags(choices=list(CATEGORIES), load_default=list)
    cofunding_pct = fields.Integer(load_default=0, validate=validate.Range(min=0, max=90),
                                   metadata={"description": "配套资金: co-funding, % of each project's budget"})
    pass_score = fields.Integer(validate=Percent, metadata={"description": "below this mean score, no award"})
    min_partial_pct = fields.Integer(validate=Percent)
    rubric_weights = fields.Dict(keys=fields.String(), values=fields.Integer(validate=Percent),
                                 metadata={"description": "criterion -> weight %, adding up to 100"})


class RoundSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    budget_fen = fields.Integer()
    cap_fen = fields.Integer()
    priority_categories = fields.List(fields.String())
    cofunding_pct = fields.Integer()
    pass_score = fields.Integer()
    min_partial_pct = fields.Integer()
    rubric_weights = fields.Dict(keys=fields.String(), values=fields.Integer())
    status = fields.String()
    created_at = LocalDateTime()
    reviewing_at = LocalDateTime(allow_none=True)
    awarded_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)


class RoundQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in RoundStatus]))


class RoundTransitionSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf([s.value for s in RoundStatus]))


class BudgetLineSchema(Schema):
    name = Name(max_len=50, required=True, metadata={"description": "预算科目, e.g. 人员费, 活动费"})
    amount_fen = PositiveMoney(required=True)
    description = fields.String(load_default="", validate=validate.Length(max=200))


class MilestonePlanSchema(Schema):
    title = Name(required=True)
    share_pct = fields.Integer(required=True, validate=validate.Range(min=1, max=100),
                               metadata={"description": "share of the money paid when it is accepted"})
    description = fields.String(load_default="", validate=validate.Length(max=500))


class ApplicationRequestSchema(Schema):
    need_id = fields.Integer(validate=validate.Range(min=1))
    project_id = fields.Integer(validate=validate.Range(min=1))
    title = Name()
    summary = fields.String(load_default="", validate=validate.Length(max=4000))
    requested_fen = PositiveMoney(required=True)
    budget_lines = fields.List(fields.Nested(BudgetLineSchema), required=True, validate=validate.Length(min=1, max=20))
    milestones = fields.List(fields.Nested(MilestonePlanSchema), required=True, validate=validate.Length(min=1, max=10))
    cofunding_resource_id = fields.Integer(validate=validate.Range(min=1), allow_none=True)
    cofunding_fen = Money(load_default=0)


class ApplicationSchema(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    organization_id = fields.Integer()
    need_id = fields.Integer()
    project_id = fields.Integer(allow_none=True)
    community_id = fields.Integer()
    title = fields.String()
    category = fields.String()
    summary = fields.String()
    requested_fen = fields.Integer()
    budget_lines = fields.List(fields.Nested(BudgetLineSchema))
    milestones = fields.List(fields.Nested(MilestonePlanSchema))
    cofunding_resource_id = fields.Integer(allow_none=True)
    cofunding_fen = fields.Integer()
    status = fields.String()
    score = fields.Float(allow_none=True)
    awarded_fen = fields.Integer(allow_none=True)
    award_reasons = fields.List(fields.String())
    override_reason = fields.String()
    created_at = LocalDateTime()


class ReviewerRequestSchema(Schema):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1))


class ReviewerSchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    reviewer_user_id = fields.Integer()
    assigned_at = LocalDateTime()


class FundingReviewRequestSchema(Schema):
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(validate=validate.Range(min=0, max=100)),
                         required=True, metadata={"description": "criterion -> 0..100: necessity, feasibility, "
                                                  "professional_capacity, budget_reasonableness, sustainability"})
    comments = fields.String(load_default="", validate=validate.Length(max=4000))


class FundingReviewSchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    reviewer_user_id = fields.Integer(allow_none=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Float()
    comments = fields.String()
    created_at = fields.String()


class OverrideSchema(Schema):
    application_id = fields.Integer(required=True, validate=validate.Range(min=1))
    amount_fen = Money(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=2, max=300))


class AwardRequestSchema(Schema):
    overrides = fields.List(fields.Nested(OverrideSchema), load_default=list)


class AllocationSchema(Schema):
    application_id = fields.Integer()
    title = fields.String()
    organization_id = fields.Integer()
    category = fields.String()
    requested_fen = fields.Integer()
    cofunding_fen = fields.Integer()
    amount_fen = fields.Integer()
    rank = fields.Integer(allow_none=True)
    priority = fields.Boolean()
    score = fields.Float(allow_none=True)
    reasons = fields.List(fields.String())
    grant_id = fields.Integer(allow_none=True)


class AwardsSchema(Schema):
    round_id = fields.Integer()
    status = fields.String(metadata={"description": "preview (not yet committed) or committed"})
    budget_fen = fields.Integer()
    cap_fen = fields.Integer()
    priority_categories = fields.List(fields.String())
    awarded_fen = fields.Integer()
    unallocated_fen = fields.Integer()
    allocations = fields.List(fields.Nested(AllocationSchema))


class LineFiguresSchema(Schema):
    name = fields.String()
    budget_fen = fields.Integer()
    disbursed_fen = fields.Integer()
    spent_fen = fields.Integer()


class MilestoneSchema(Schema):
    n = fields.Integer()
    title = fields.String()
    share_pct = fields.Integer()
    tranche_fen = fields.Integer()
    accepted = fields.Boolean()
    disbursed = fields.Boolean()


class GrantSchema(Schema):
    grant_id = fields.Integer()
    application_id = fields.Integer()
    organization_id = fields.Integer()
    community_id = fields.Integer()
    title = fields.String()
    category = fields.String()
    status = fields.String()
    awarded_fen = fields.Integer()
    disbursed_fen = fields.Integer()
    spent_fen = fields.Integer()
    refunded_fen = fields.Integer()
    released_fen = fields.Integer()
    cofunding_fen = fields.Integer()
    lines = fields.List(fields.Nested(LineFiguresSchema))
    milestones = fields.List(fields.Nested(MilestoneSchema))
    closing_summary = fields.String()


class AcceptanceSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=300))


class EntrySchema(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    seq = fields.Integer()
    kind = fields.String()
    grant_id = fields.Integer(allow_none=True)
    tranche = fields.Integer(allow_none=True)
    source = fields.String()
    destination = fields.String()
    amount_fen = fields.Integer()
    lines = fields.Dict(keys=fields.String(), values=fields.Integer())
    budget_line = fields.String()
    receipt_ref = fields.String()
    note = fields.String()
    target_id = fields.Integer(allow_none=True)
    resource_id = fields.Integer(allow_none=True)
    reversed = fields.Boolean()
    created_at = fields.String()
    prev_hash = fields.String()
    hash = fields.String()


class ExpenditureRequestSchema(Schema):
    amount_fen = PositiveMoney(required=True)
    budget_line = Name(max_len=50, required=True)
    receipt_ref = fields.String(required=True, validate=validate.Length(min=1, max=100),
                                metadata={"description": "票据号: invoice or receipt reference"})
    note = fields.String(load_default="", validate=validate.Length(max=300))


class CorrectionRequestSchema(Schema):
    entry_id = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=300))


class ClosingReportSchema(Schema):
    summary = fields.String(required=True, validate=validate.Length(min=5, max=4000),
                            metadata={"description": "结项报告: what the project achieved"})


class LedgerCheckSchema(Schema):
    valid = fields.Boolean()
    entries = fields.Integer()
    first_bad_entry_id = fields.Integer(allow_none=True)
    balanced = fields.Boolean()


class LedgerSchema(Schema):
    round_id = fields.Integer()
    valid = fields.Boolean()
    entries = fields.Integer()
    first_bad_entry_id = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(EntrySchema))


class SupervisionSchema(Schema):
    round_id = fields.Integer()
    name = fields.String()
    status = fields.String()
    budget_fen = fields.Integer()
    awarded_fen = fields.Integer()
    disbursed_fen = fields.Integer()
    spent_fen = fields.Integer()
    cofunding_fen = fields.Integer()
    unallocated_fen = fields.Integer()
    returned_fen = fields.Integer()
    lines = fields.List(fields.Nested(LineFiguresSchema))
    ledger = fields.Nested(LedgerCheckSchema)
    grants = fields.List(fields.Nested(GrantSchema))


class PublicGrantSchema(Schema):
    organization = fields.String()
    community = fields.String()
    title = fields.String()
    category = fields.String()
    status = fields.String()
    awarded_fen = fields.Integer()
    disbursed_fen = fields.Integer()
    spent_fen = fields.Integer()
    lines = fields.List(fields.Nested(LineFiguresSchema))
    milestones_accepted = fields.Integer()
    milestones = fields.Integer()


class PublicSummarySchema(Schema):
    round_id = fields.Integer()
    name = fields.String()
    description = fields.String()
    status = fields.String()
    priority_categories = fields.List(fields.String())
    budget_fen = fields.Integer()
    cap_fen = fields.Integer()
    awarded_fen = fields.Integer()
    disbursed_fen = fields.Integer()
    spent_fen = fields.Integer()
    cofunding_fen = fields.Integer()
    returned_fen = fields.Integer()
    applications = fields.Integer()
    grants_count = fields.Integer()
    lines = fields.List(fields.Nested(LineFiguresSchema))
    grants = fields.List(fields.Nested(PublicGrantSchema))
