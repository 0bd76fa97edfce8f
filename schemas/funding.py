"""Venture philanthropy (公益创投): rounds, applications, reviews, awards, grants, ledger, supervision."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.models.funding import RoundStatus
from linkage.taxonomy import CATEGORIES
from schemas.common import LocalDateTime, Money, Name, Tags, WholeNumber

Percent = validate.Range(min=0, max=100)


def PositiveMoney(**kw):
    return WholeNumber(validate=validate.Range(min=1, max=10**12, error="field.positive_fen"), **kw)


class RoundRequestSchema(Schema):
    name = Name(required=True)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    budget_fen = PositiveMoney(required=True, metadata={"description": "总预算 in fen"})
    cap_fen = PositiveMoney(required=True, metadata={"description": "单项资助上限: per-project cap in fen"})
    priority_categories = Tags(choices=list(CATEGORIES), load_default=list)
    cofunding_pct = WholeNumber(load_default=0, validate=validate.Range(min=0, max=90),
                                   metadata={"description": "配套资金: co-funding, % of each project's budget"})
    pass_score = WholeNumber(validate=Percent, metadata={"description": "below this mean score, no award"})
    min_partial_pct = WholeNumber(validate=Percent)
    rubric_weights = fields.Dict(keys=fields.String(), values=WholeNumber(validate=Percent),
                                 metadata={"description": "criterion -> weight %, adding up to 100"})


class RoundSchema(Schema):
    id = WholeNumber()
    name = fields.String()
    description = fields.String()
    budget_fen = WholeNumber()
    cap_fen = WholeNumber()
    priority_categories = fields.List(fields.String())
    cofunding_pct = WholeNumber()
    pass_score = WholeNumber()
    min_partial_pct = WholeNumber()
    rubric_weights = fields.Dict(keys=fields.String(), values=WholeNumber())
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


class IsoDate(fields.Date):
    """A date loaded from and kept as YYYY-MM-DD text (the application's milestones are JSON)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).isoformat()

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) or value is None else super()._serialize(value, attr, obj, **kwargs)


class MilestonePlanSchema(Schema):
    title = Name(required=True)
    share_pct = WholeNumber(required=True, validate=validate.Range(min=1, max=100),
                               metadata={"description": "share of the money paid when it is accepted"})
    description = fields.String(load_default="", validate=validate.Length(max=500))
    due_on = IsoDate(load_default=None, allow_none=True,
                     metadata={"description": "when it is due; the grantee is reminded 7 days before"})


class ApplicationRequestSchema(Schema):
    need_id = WholeNumber(validate=validate.Range(min=1))
    project_id = WholeNumber(validate=validate.Range(min=1))
    title = Name()
    summary = fields.String(load_default="", validate=validate.Length(max=4000))
    requested_fen = PositiveMoney(required=True)
    budget_lines = fields.List(fields.Nested(BudgetLineSchema), required=True, validate=validate.Length(min=1, max=20))
    milestones = fields.List(fields.Nested(MilestonePlanSchema), required=True, validate=validate.Length(min=1, max=10))
    cofunding_resource_id = WholeNumber(validate=validate.Range(min=1), allow_none=True)
    cofunding_own = fields.Boolean(load_default=False)  # 自筹: the organization's own funds, any category
    cofunding_fen = Money(load_default=0)


class ApplicationSchema(Schema):
    id = WholeNumber()
    round_id = WholeNumber()
    organization_id = WholeNumber()
    need_id = WholeNumber()
    project_id = WholeNumber(allow_none=True)
    community_id = WholeNumber()
    title = fields.String()
    category = fields.String()
    summary = fields.String()
    requested_fen = WholeNumber()
    budget_lines = fields.List(fields.Nested(BudgetLineSchema))
    milestones = fields.List(fields.Nested(MilestonePlanSchema))
    cofunding_resource_id = WholeNumber(allow_none=True)
    cofunding_fen = WholeNumber()
    status = fields.String()
    score = fields.Float(allow_none=True)
    awarded_fen = WholeNumber(allow_none=True)
    award_reasons = fields.List(fields.String())
    override_reason = fields.String()
    created_at = LocalDateTime()


class ReviewerRequestSchema(Schema):
    user_id = WholeNumber(required=True, validate=validate.Range(min=1))


class ReviewerSchema(Schema):
    id = WholeNumber()
    application_id = WholeNumber()
    reviewer_user_id = WholeNumber()
    assigned_at = LocalDateTime()


class FundingReviewRequestSchema(Schema):
    scores = fields.Dict(keys=fields.String(), values=WholeNumber(validate=validate.Range(min=0, max=100)),
                         required=True, metadata={"description": "criterion -> 0..100: necessity, feasibility, "
                                                  "professional_capacity, budget_reasonableness, sustainability"})
    comments = fields.String(load_default="", validate=validate.Length(max=4000))


class FundingReviewSchema(Schema):
    id = WholeNumber()
    application_id = WholeNumber()
    reviewer_user_id = WholeNumber(allow_none=True)
    scores = fields.Dict(keys=fields.String(), values=WholeNumber())
    total = fields.Float()
    comments = fields.String()
    created_at = fields.String()


class OverrideSchema(Schema):
    application_id = WholeNumber(required=True, validate=validate.Range(min=1))
    amount_fen = Money(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=2, max=300))


class AwardRequestSchema(Schema):
    overrides = fields.List(fields.Nested(OverrideSchema), load_default=list)


class AllocationSchema(Schema):
    application_id = WholeNumber()
    title = fields.String()
    organization_id = WholeNumber()
    category = fields.String()
    requested_fen = WholeNumber()
    cofunding_fen = WholeNumber()
    amount_fen = WholeNumber()
    rank = WholeNumber(allow_none=True)
    priority = fields.Boolean()
    score = fields.Float(allow_none=True)
    reasons = fields.List(fields.String())
    grant_id = WholeNumber(allow_none=True)


class AwardsSchema(Schema):
    round_id = WholeNumber()
    status = fields.String(metadata={"description": "preview (not yet committed) or committed"})
    budget_fen = WholeNumber()
    cap_fen = WholeNumber()
    priority_categories = fields.List(fields.String())
    awarded_fen = WholeNumber()
    unallocated_fen = WholeNumber()
    allocations = fields.List(fields.Nested(AllocationSchema))


class LineFiguresSchema(Schema):
    name = fields.String()
    budget_fen = WholeNumber()
    disbursed_fen = WholeNumber()
    spent_fen = WholeNumber()


class MilestoneSchema(Schema):
    n = WholeNumber()
    title = fields.String()
    due_on = fields.Date(allow_none=True)
    share_pct = WholeNumber()
    tranche_fen = WholeNumber()
    accepted = fields.Boolean()
    disbursed = fields.Boolean()


class _Flows(Schema):
    """The money's way through a grant or a round: awarded, disbursed, spent, per budget line too."""
    awarded_fen = WholeNumber()
    disbursed_fen = WholeNumber()
    spent_fen = WholeNumber()
    lines = fields.List(fields.Nested(LineFiguresSchema))


class _RoundFlows(_Flows):
    round_id = WholeNumber()
    name = fields.String()
    status = fields.String()
    budget_fen = WholeNumber()
    cofunding_fen = WholeNumber()
    returned_fen = WholeNumber()


class GrantSchema(_Flows):
    grant_id = WholeNumber()
    application_id = WholeNumber()
    organization_id = WholeNumber()
    community_id = WholeNumber()
    title = fields.String()
    category = fields.String()
    status = fields.String()
    refunded_fen = WholeNumber()
    released_fen = WholeNumber()
    cofunding_fen = WholeNumber()
    milestones = fields.List(fields.Nested(MilestoneSchema))
    closing_summary = fields.String()


class AcceptanceSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=300))


class EntrySchema(Schema):
    id = WholeNumber()
    round_id = WholeNumber()
    seq = WholeNumber()
    kind = fields.String()
    grant_id = WholeNumber(allow_none=True)
    tranche = WholeNumber(allow_none=True)
    source = fields.String()
    destination = fields.String()
    amount_fen = WholeNumber()
    lines = fields.Dict(keys=fields.String(), values=WholeNumber())
    budget_line = fields.String()
    receipt_ref = fields.String()
    note = fields.String()
    target_id = WholeNumber(allow_none=True)
    resource_id = WholeNumber(allow_none=True)
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
    entry_id = WholeNumber(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=300))


class ClosingReportSchema(Schema):
    summary = fields.String(required=True, validate=validate.Length(min=5, max=4000),
                            metadata={"description": "结项报告: what the project achieved"})


class _ChainVerdict(Schema):
    """What recomputing a round's ledger chain says."""
    valid = fields.Boolean()
    entries = WholeNumber()
    first_bad_entry_id = WholeNumber(allow_none=True)


class LedgerCheckSchema(_ChainVerdict):
    balanced = fields.Boolean()


class LedgerSchema(_ChainVerdict):
    round_id = WholeNumber()
    items = fields.List(fields.Nested(EntrySchema))


class SupervisionSchema(_RoundFlows):
    unallocated_fen = WholeNumber()
    ledger = fields.Nested(LedgerCheckSchema)
    grants = fields.List(fields.Nested(GrantSchema))


class PublicGrantSchema(_Flows):
    organization = fields.String()
    community = fields.String()
    title = fields.String()
    category = fields.String()
    status = fields.String()
    milestones_accepted = WholeNumber()
    milestones = WholeNumber()


class PublicSummarySchema(_RoundFlows):
    description = fields.String()
    priority_categories = fields.List(fields.String())
    cap_fen = WholeNumber()
    applications = WholeNumber()
    grants_count = WholeNumber()
    grants = fields.List(fields.Nested(PublicGrantSchema))
