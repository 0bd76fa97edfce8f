"""The linkage dashboard's figures: GET /stats/linkage."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.services.periods import PATTERN
from schemas.common import WholeNumber

PERIOD_PATTERN = PATTERN.pattern  # a month 2026-11 or a year 2026 (linkage/services/periods.py)


class StatsQuerySchema(Schema):
    district = fields.String(validate=validate.Length(min=1, max=100))
    street = fields.String(validate=validate.Length(min=1, max=100))
    community_id = WholeNumber(validate=validate.Range(min=1))
    period = fields.String(
        validate=validate.Regexp(PERIOD_PATTERN, error="report.period_format"),
        metadata={"description": "a month YYYY-MM or a year YYYY in China's time; flows then count that period (报表)"},
    )


class IndicatorsSchema(Schema):
    communities = WholeNumber()
    population = WholeNumber()
    households = WholeNumber()
    organizations = WholeNumber(metadata={"description": "active social organizations counted here"})
    organizations_per_10k = fields.Float(metadata={"description": "target 20 (每万人20个社会组织)"})
    social_workers = WholeNumber()
    social_workers_per_community = fields.Float(metadata={"description": "target 2 (每个社区2名社工)"})
    community_organizations = WholeNumber(metadata={"description": "organizations bound to a community"})
    community_organizations_per_community = fields.Float(metadata={"description": "target 10"})
    volunteers = WholeNumber()
    volunteers_per_10k = fields.Float()
    volunteers_active = WholeNumber(metadata={"description": "volunteers with standing hours served here"})
    volunteer_minutes_recorded = WholeNumber()
    volunteer_minutes_verified = WholeNumber()
    volunteer_hours_verified = fields.Float()
    needs_posted = WholeNumber()
    needs_matched = WholeNumber()
    needs_claimed = WholeNumber()
    needs_completed = WholeNumber()
    median_seconds_to_match = fields.Float(allow_none=True)
    median_seconds_to_claim = fields.Float(allow_none=True, metadata={"description": "posting to claim approval"})
    evaluations = WholeNumber()
    mean_satisfaction = fields.Float(allow_none=True)
    funds_awarded_fen = WholeNumber()
    funds_disbursed_fen = WholeNumber()
    funds_spent_fen = WholeNumber()
    streets = WholeNumber(metadata={"description": "streets (街道) in scope"})
    districts = WholeNumber(metadata={"description": "districts in scope"})
    new_community_organizations = WholeNumber(
        metadata={"description": "community organizations (filed or registered) created this China calendar year"}
    )
    new_community_organizations_per_community = fields.Float(
        metadata={"description": "target 4 a year (每个社区每年至少培育4个社区社会组织)"}
    )
    brand_organizations = WholeNumber(metadata={"description": "organizations designated 品牌社会组织, not revoked"})
    brand_organizations_per_district = fields.Float(metadata={"description": "target 50 (50个品牌社会组织)"})
    organizations_with_social_workers = WholeNumber(
        metadata={"description": "organizations a social worker was placed into this year (distinct)"}
    )
    organizations_with_social_workers_per_street = fields.Float(
        metadata={"description": "target 3 a year (每个街道每年至少在3个社会组织中引入社工)"}
    )


class AttainmentSchema(Schema):
    value = fields.Float()
    target = fields.Float()
    ratio = fields.Float()
    met = fields.Boolean()


class ScopeSchema(Schema):
    level = fields.String(metadata={"description": "all, district, street or community"})
    district = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    community_id = WholeNumber(allow_none=True)
    communities = WholeNumber()


class _Figures(Schema):
    """The indicators of a place (or of all) and how far each meets its target."""

    indicators = fields.Nested(IndicatorsSchema)
    attainment = fields.Dict(keys=fields.String(), values=fields.Nested(AttainmentSchema))


class BreakdownRowSchema(_Figures):
    level = fields.String()
    key = fields.String()
    name = fields.String()
    district = fields.String()
    street = fields.String(allow_none=True)


class LinkageStatsSchema(_Figures):
    scope = fields.Nested(ScopeSchema)
    targets = fields.Dict(keys=fields.String(), values=fields.Float())
    growth_year = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "the yearly growth targets' year to date: start and end (UTC)"},
    )
    funding = fields.String(metadata={"description": '"available", or "not available" (funds are then zero)'})
    windows = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata={
            "description": "what a time indicator covers: median_seconds_to_match counts the needs people posted "
            "(not the demo seeder) in the last `days`"
        },
    )
    breakdown = fields.List(fields.Nested(BreakdownRowSchema))
