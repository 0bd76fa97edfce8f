"""The district's linkage indicators (五社联动指标) per district, street and community, against the seeds' targets.

Pure queries returning plain dicts. Where things are counted:
- needs, projects, evaluations and volunteer hours belong to the community of their need/project;
- an organization or volunteer bound to a community belongs to it; every other provider (and
  every social worker, who has no community of their own) belongs to the nearest community.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage.clock import LOCAL_TZ, local_year_start
from linkage.geo import haversine_km
from linkage.models import (
    BrandDesignation,
    CharityResource,
    Claim,
    ClaimStatus,
    Community,
    Evaluation,
    HourEntry,
    Need,
    NeedStatus,
    Organization,
    Placement,
    Project,
    RecordStatus,
    SocialWorker,
    Volunteer,
    record_states,
    utcnow,
)
from linkage.models.hours import STANDING
from linkage.privacy import coarse
from linkage.services.queries import where_given

# Targets from the policy seeds (每万人20个社会组织, 每个社区2名社工, 每个社区10个社区社会组织).
TARGET_ORGS_PER_10K_RESIDENTS = 20
TARGET_SOCIAL_WORKERS_PER_COMMUNITY = 2
TARGET_COMMUNITY_ORGS_PER_COMMUNITY = 10
TARGETS = {"organizations_per_10k": TARGET_ORGS_PER_10K_RESIDENTS,
           "social_workers_per_community": TARGET_SOCIAL_WORKERS_PER_COMMUNITY,
           "community_organizations_per_community": TARGET_COMMUNITY_ORGS_PER_COMMUNITY}
# Growth targets (培育发展目标), each from seed 002_2c62b06a88ff33d5.txt (关于创建"全国社区治理和服务创新实验区"
# 实施方案): "每个社区每年至少培育4个以上社区社会组织", "全区三年内达到每万人拥有20个以上社会组织" (the one
# above, organizations_per_10k, reused), "全区重点培育和优先发展50个…品牌社会组织", "每个街道每年要至少在3个
# 社会组织中引入社工". Yearly ones count China's calendar year to date (to the report period's end).
TARGET_NEW_COMMUNITY_ORGS_PER_COMMUNITY_YEAR = 4
TARGET_BRAND_ORGS_PER_DISTRICT = 50
TARGET_ORGS_WITH_SOCIAL_WORKERS_PER_STREET_YEAR = 3
GROWTH_TARGETS = {"new_community_organizations_per_community": TARGET_NEW_COMMUNITY_ORGS_PER_COMMUNITY_YEAR,
                  "brand_organizations_per_district": TARGET_BRAND_ORGS_PER_DISTRICT,
                  "organizations_with_social_workers_per_street": TARGET_ORGS_WITH_SOCIAL_WORKERS_PER_STREET_YEAR}
# The four growth indicators in the order pages and reports show them (organizations_per_10k is TARGETS').
GROWTH_INDICATORS = ("new_community_organizations_per_community", "organizations_per_10k",
                     "brand_organizations_per_district", "organizations_with_social_workers_per_street")
ALL_TARGETS = {**TARGETS, **GROWTH_TARGETS}
FUNDING_NOT_AVAILABLE = "not available"
Window = tuple[datetime, datetime]  # a report's period as UTC instants [start, end): see services/periods.py
TO_MATCH_WINDOW_DAYS = 30  # the median time to match covers needs posted in these last days
PROVIDER_MODELS: dict[str, type[Any]] = {"organization": Organization, "social_worker": SocialWorker,
                   "volunteer": Volunteer, "resource": CharityResource}


@dataclass
class _Tally:
    """What one community contributes; indicators of a group are computed from the sum."""

    population: int = 0
    households: int = 0
    organizations: int = 0
    community_organizations: int = 0
    social_workers: int = 0
    volunteers: int = 0
    minutes_recorded: int = 0
    minutes_verified: int = 0
    needs_posted: int = 0
    needs_matched: int = 0
    needs_claimed: int = 0
    needs_completed: int = 0
    to_match: list[float] = field(default_factory=list)  # seconds, per matched need a person posted in the window
    to_claim: list[float] = field(default_factory=list)  # seconds, one per approved claim
    evaluations: int = 0
    satisfaction_sum: int = 0
    funds_awarded_fen: int = 0
    funds_disbursed_fen: int = 0
    funds_spent_fen: int = 0
    volunteers_active: set[int] = field(default_factory=set)  # who has standing hours here (a set: one person once)
    new_community_organizations: int = 0  # community organizations created this (China) year to date
    brand_organizations: int = 0  # active organizations with a standing brand designation (品牌社会组织)
    placed_organizations: set[int] = field(default_factory=set)  # organizations a social worker was placed into this year
    streets: set[tuple[str, str]] = field(default_factory=set)  # (district, street) of the communities summed
    districts: set[str] = field(default_factory=set)


def _nearest(communities: list[Community], lat: float, lon: float) -> int | None:
    best: int | None = None
    best_km: float | None = None
    for c in communities:
        km = haversine_km(lat, lon, c.lat, c.lon)
        if best_km is None or km < best_km or (km == best_km and best is not None and c.id < best):
            best, best_km = c.id, km
    return best


def home_community(communities: list[Community], obj: Any) -> int | None:
    """The community a provider is counted in: its own if bound, else the nearest one."""
    own = getattr(obj, "community_id", None)
    return own if own is not None else _nearest(communities, obj.lat, obj.lon)


def scope_communities(session: Session, *, district: str | None = None, street: str | None = None,
                      community_id: int | None = None) -> list[Community]:
    query = where_given(select(Community).order_by(Community.code, Community.id), (Community.district, district),
                        (Community.street, street), (Community.id, community_id))
    return list(session.scalars(query))


def _aware(moment: datetime) -> datetime:
    """A stored time as UTC-aware (SQLite gives it back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _in_window(moment: datetime | None, window: Window | None) -> bool:
    """No window: always; else the moment falls in [start, end)."""
    if window is None:
        return True
    return moment is not None and window[0] <= _aware(moment) < window[1]


def needs_in(wanted: set[int] | list[int], window: Window | None = None) -> Any:
    """The needs of these communities, posted in the window if one is given: the one definition of
    "needs posted" that the dashboard's counts, the report's categories and its totals all share."""
    query = select(Need).where(Need.community_id.in_(list(wanted)))
    if window is not None:
        query = query.where(Need.created_at >= window[0], Need.created_at < window[1])
    return query


def need_progress(need: Need) -> tuple[bool, bool, bool]:
    """(matched, claimed, completed) for a need: how far it went, as counted everywhere."""
    claimed = need.status in (NeedStatus.CLAIMED.value, NeedStatus.COMPLETED.value)
    return need.matched_at is not None, claimed, need.status == NeedStatus.COMPLETED.value


def _tallies(session: Session, all_communities: list[Community], wanted: set[int], since: datetime,
             window: Window | None = None, year: Window | None = None) -> dict[int, _Tally]:
    tallies = {c.id: _Tally(population=c.population, households=c.households, streets={(c.district, c.street)},
                            districts={c.district})
               for c in all_communities if c.id in wanted}
    obj: Any  # a provider: an organization, social worker or volunteer
    for model, counter in ((Organization, "organizations"), (SocialWorker, "social_workers"),
                           (Volunteer, "volunteers")):
        providers = select(model).where(model.active.is_(True))
        if window is not None:  # the stock at the period's end (of those still active)
            providers = providers.where(model.created_at < window[1])
        for obj in session.scalars(providers):
            home = home_community(all_communities, obj)
            if home in tallies:
                setattr(tallies[home], counter, getattr(tallies[home], counter) + 1)
                if model is Organization and obj.community_id is not None:
                    tallies[home].community_organizations += 1
    for need in session.scalars(needs_in(wanted, window)):
        tally = tallies[need.community_id]
        tally.needs_posted += 1
        matched, claimed, completed = need_progress(need)
        if matched:
            assert need.matched_at is not None
            tally.needs_matched += 1
            if need.created_by is not None and _aware(need.created_at) >= since:  # a person's, in the window
                tally.to_match.append((need.matched_at - need.created_at).total_seconds())
        tally.needs_claimed += claimed
        tally.needs_completed += completed
    approved = session.execute(select(Need.community_id, Need.created_at, Claim.decided_at)
                               .join(Claim, Claim.need_id == Need.id)
                               .where(Claim.status == ClaimStatus.APPROVED.value,
                                      Need.community_id.in_(wanted)))
    for community_id, created_at, decided_at in approved:
        assert decided_at is not None  # an approved claim was decided
        if not _in_window(decided_at, window):
            continue
        tallies[community_id].to_claim.append((decided_at - created_at).total_seconds())
    rows = session.execute(select(Project.community_id, Evaluation.satisfaction, Evaluation.created_at)
                           .join(Project, Project.id == Evaluation.project_id)
                           .where(Project.community_id.in_(wanted)))
    for community_id, satisfaction, created_at in rows:
        if not _in_window(created_at, window):
            continue
        tallies[community_id].evaluations += 1
        tallies[community_id].satisfaction_sum += satisfaction
    _add_hours(session, tallies, window)
    _add_funds(session, tallies, window)
    if year is not None:
        _add_growth(session, all_communities, tallies, year)
    return tallies


def growth_year(now: datetime | None = None, window: Window | None = None) -> Window:
    """The "this year" of the yearly targets: China's calendar year to date, i.e. from 1 January (Beijing
    time) of the year the moment falls in, up to now, or up to a report period's end."""
    end = window[1] if window is not None else (now or utcnow())
    return local_year_start(end - timedelta(microseconds=1)), end


def _local_day(moment: datetime) -> date:
    return _aware(moment).astimezone(LOCAL_TZ).date()


def _add_growth(session: Session, all_communities: list[Community], tallies: dict[int, _Tally], year: Window) -> None:
    """The growth indicators' counts (GROWTH_TARGETS): community organizations created in the year,
    brand organizations standing at its end, organizations given a social worker in it, each counted in
    the organization's community (its own, else the nearest, as every provider is)."""
    organizations = {o.id: o for o in session.scalars(select(Organization))}
    for org in organizations.values():
        if (org.active and org.community_id in tallies and org.registration in ("filed", "registered")
                and _in_window(org.created_at, year)):
            tallies[org.community_id].new_community_organizations += 1
    branded: set[int] = set()
    for designation in session.scalars(select(BrandDesignation)):
        if designation.standing_at(year[1]):
            branded.add(designation.organization_id)
    for org_id in branded:
        brand = organizations.get(org_id)
        if brand is not None and brand.active:
            home = home_community(all_communities, brand)
            if home in tallies:
                tallies[home].brand_organizations += 1
    first_day, last_day = _local_day(year[0]), _local_day(year[1] - timedelta(microseconds=1))
    placed = session.scalars(select(Placement.organization_id).where(Placement.placed_on >= first_day,
                                                                     Placement.placed_on <= last_day))
    for org_id in set(placed):
        receiving = organizations.get(org_id)
        if receiving is None:
            continue
        home = home_community(all_communities, receiving)
        if home in tallies:
            tallies[home].placed_organizations.add(org_id)


def served_at(record: HourEntry) -> datetime:
    """When an hour record's service happened: its start, else when it was recorded."""
    return record.starts_at or record.created_at


def hour_records(session: Session, wanted: set[int] | list[int]) -> list[tuple[int, HourEntry, RecordStatus]]:
    """Every hour record of a project in these communities, with its community and current status
    (the volunteer's chain replayed): what every count of hours is taken from."""
    project_community: dict[int | None, int] = dict(session.execute(select(Project.id, Project.community_id)
                                             .where(Project.community_id.in_(list(wanted)))).all())
    if not project_community:
        return []
    chains: dict[int, list[HourEntry]] = defaultdict(list)
    for entry in session.scalars(select(HourEntry).order_by(HourEntry.volunteer_id, HourEntry.seq)):
        chains[entry.volunteer_id].append(entry)
    found: list[tuple[int, HourEntry, RecordStatus]] = []
    for entries in chains.values():
        by_id = {e.id: e for e in entries}
        for record_id, status in record_states(entries).items():
            record = by_id[record_id]
            home = project_community.get(record.project_id)
            if home is not None:
                found.append((home, record, status))
    return found


def _add_hours(session: Session, tallies: dict[int, _Tally], window: Window | None = None) -> None:
    """Recorded (still standing) and verified minutes, by the community of the project served; the
    volunteers with standing hours there are its active volunteers."""
    for home, record, status in hour_records(session, list(tallies)):
        if not _in_window(served_at(record), window):
            continue
        if status in STANDING:
            tallies[home].minutes_recorded += record.minutes
            tallies[home].volunteers_active.add(record.volunteer_id)
        if status == RecordStatus.VERIFIED:
            tallies[home].minutes_verified += record.minutes


def funding_available() -> bool:
    try:
        import linkage.models.funding  # noqa: F401
    except ImportError:
        return False
    return True


def _add_funds(session: Session, tallies: dict[int, _Tally], window: Window | None = None) -> None:
    """From the funding ledger, by the grant's community: awards, and disbursements and
    expenditures that were not reversed. Zeros while the funding capability is absent."""
    if not funding_available():
        return
    from linkage.models.funding import FundEntry, Grant
    reversed_ids = set(session.scalars(select(FundEntry.target_id).where(
        FundEntry.kind == "reversal", FundEntry.target_id.is_not(None))))
    rows = session.execute(select(FundEntry.id, FundEntry.kind, FundEntry.amount_fen, Grant.community_id,
                                  FundEntry.created_at)
                           .join(Grant, Grant.id == FundEntry.grant_id)
                           .where(FundEntry.kind.in_(("award", "disbursement", "expenditure")),
                                  Grant.community_id.in_(list(tallies))))
    field_of = {"award": "funds_awarded_fen", "disbursement": "funds_disbursed_fen",
                "expenditure": "funds_spent_fen"}
    for entry_id, kind, amount, community_id, created_at in rows:
        if entry_id in reversed_ids or not _in_window(created_at, window):
            continue
        tally = tallies[community_id]
        setattr(tally, field_of[kind], getattr(tally, field_of[kind]) + amount)


def _ratio(numerator: float, denominator: float, digits: int = 2) -> float:
    return round(numerator / denominator, digits) if denominator else 0.0


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def indicators(parts: list[_Tally], communities: int) -> dict[str, Any]:
    total = _Tally()
    for part in parts:
        for name, value in vars(part).items():
            setattr(total, name, getattr(total, name) | value if isinstance(value, set) else getattr(total, name) + value)
    return {
        "communities": communities, "population": total.population, "households": total.households,
        "organizations": total.organizations,
        "organizations_per_10k": _ratio(total.organizations * 10000, total.population),
        "social_workers": total.social_workers,
        "social_workers_per_community": _ratio(total.social_workers, communities),
        "community_organizations": total.community_organizations,
        "community_organizations_per_community": _ratio(total.community_organizations, communities),
        "volunteers": total.volunteers,
        "volunteers_per_10k": _ratio(total.volunteers * 10000, total.population),
        "volunteers_active": len(total.volunteers_active),
        "volunteer_minutes_recorded": total.minutes_recorded,
        "volunteer_minutes_verified": total.minutes_verified,
        "volunteer_hours_verified": round(total.minutes_verified / 60, 1),
        "needs_posted": total.needs_posted, "needs_matched": total.needs_matched,
        "needs_claimed": total.needs_claimed, "needs_completed": total.needs_completed,
        "median_seconds_to_match": _median(total.to_match),
        "median_seconds_to_claim": _median(total.to_claim),
        "evaluations": total.evaluations,
        "mean_satisfaction": _ratio(total.satisfaction_sum, total.evaluations) if total.evaluations else None,
        "funds_awarded_fen": total.funds_awarded_fen, "funds_disbursed_fen": total.funds_disbursed_fen,
        "funds_spent_fen": total.funds_spent_fen,
        "streets": len(total.streets), "districts": len(total.districts),
        "new_community_organizations": total.new_community_organizations,
        "new_community_organizations_per_community": _ratio(total.new_community_organizations, communities),
        "brand_organizations": total.brand_organizations,
        "brand_organizations_per_district": _ratio(total.brand_organizations, len(total.districts)),
        "organizations_with_social_workers": len(total.placed_organizations),
        "organizations_with_social_workers_per_street": _ratio(len(total.placed_organizations), len(total.streets)),
    }


def _attainment(values: dict[str, Any]) -> dict[str, Any]:
    return {name: {"value": values[name], "target": target,
                   "ratio": _ratio(values[name], target), "met": values[name] >= target}
            for name, target in ALL_TARGETS.items()}


def _level(district: str | None, street: str | None, community_id: int | None) -> tuple[str, str | None]:
    """This scope's level and the level its breakdown rows are at."""
    if community_id:
        return "community", None
    if street:
        return "street", "community"
    if district:
        return "district", "street"
    return "all", "district"


def linkage_stats(session: Session, *, district: str | None = None, street: str | None = None,
                  community_id: int | None = None, now: datetime | None = None,
                  window: Window | None = None) -> dict[str, Any]:
    """The indicators for a scope, each target's attainment, and a row per child unit. The median
    time to match covers the needs people posted in the last TO_MATCH_WINDOW_DAYS (`windows`): the
    demo seeder's needs (posted by no account) are its start-up, not the service people get.

    With a `window` (a report's period) the flows are those of the period: needs posted in it (and how
    far they went since), claims decided, evaluations given, hours served and fund entries made in it;
    the stock of providers is those created before its end that are still active."""
    all_communities = list(session.scalars(select(Community).order_by(Community.id)))
    members = scope_communities(session, district=district, street=street, community_id=community_id)
    since = window[0] if window else (now or utcnow()) - timedelta(days=TO_MATCH_WINDOW_DAYS)
    year = growth_year(now, window)
    tallies = _tallies(session, all_communities, {c.id for c in members}, since, window, year)
    level, child = _level(district, street, community_id)
    values = indicators(list(tallies.values()), len(members))
    groups: dict[str, list[Community]] = {}
    if child:
        for c in members:
            key = {"district": c.district, "street": c.street, "community": str(c.id)}[child]
            groups.setdefault(key, []).append(c)
    breakdown: list[dict[str, Any]] = []
    for key, group in groups.items():
        row = indicators([tallies[c.id] for c in group], len(group))
        breakdown.append({"level": child, "key": key,
                          "name": group[0].name if child == "community" else key,
                          "district": group[0].district,
                          "street": group[0].street if child != "district" else None,
                          "indicators": row, "attainment": _attainment(row)})
    return {
        "scope": {"level": level, "district": district, "street": street,
                  "community_id": community_id, "communities": len(members)},
        "targets": dict(ALL_TARGETS),
        "growth_year": {"start": year[0].isoformat(), "end": year[1].isoformat()},
        "indicators": values,
        "attainment": _attainment(values),
        "funding": "available" if funding_available() else FUNDING_NOT_AVAILABLE,
        "windows": {"median_seconds_to_match": {"days": TO_MATCH_WINDOW_DAYS, "posted_by_people": True}}
        if window is None else {"period": {"start": window[0].isoformat(), "end": window[1].isoformat()}},
        "breakdown": breakdown,
    }


def scope_options(session: Session) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The districts, streets and communities a dashboard can be narrowed to, in statistical code order
    (统计用区划代码: a district or street comes where its first community's code does)."""
    rows = session.execute(select(Community.id, Community.name, Community.street, Community.district)
                           .order_by(Community.code, Community.id)).all()
    districts: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for cid, name, street, district in rows:
        districts.setdefault(district, {}).setdefault(street, []).append({"id": cid, "name": name})
    return districts


def map_layers(session: Session, *, district: str | None = None, street: str | None = None,
               community_id: int | None = None) -> list[dict[str, Any]]:
    """Per district in scope: its box (the communities' extent) and the needs and providers in it."""
    all_communities = list(session.scalars(select(Community).order_by(Community.id)))
    members = scope_communities(session, district=district, street=street, community_id=community_id)
    wanted = {c.id for c in members}
    by_district: dict[str, dict[str, Any]] = {}
    for c in members:
        layer = by_district.setdefault(c.district, {"district": c.district, "communities": [],
                                                    "needs": [], "providers": {k: [] for k in PROVIDER_MODELS}})
        layer["communities"].append({"id": c.id, "name": c.name, "lat": c.lat, "lon": c.lon})
    district_of = {c.id: c.district for c in members}
    for need in session.scalars(select(Need).where(Need.community_id.in_(wanted))):
        by_district[district_of[need.community_id]]["needs"].append(
            {"id": need.id, "lat": need.lat, "lon": need.lon, "status": need.status, "title": need.title})
    for kind, model in PROVIDER_MODELS.items():
        for obj in session.scalars(select(model).where(model.active.is_(True))):
            home = home_community(all_communities, obj)
            if home in wanted:
                # A volunteer is a private person: the map shows the neighbourhood, never the door.
                point = {"lat": coarse(obj.lat), "lon": coarse(obj.lon)} if kind == "volunteer" \
                    else {"lat": obj.lat, "lon": obj.lon}
                by_district[district_of[home]]["providers"][kind].append(point)
    return list(by_district.values())


def needs_by_category(session: Session, wanted: set[int] | list[int],
                      window: Window | None = None) -> dict[str, dict[str, int]]:
    """Per need category: posted, matched, claimed and completed (served), counted as the indicators
    count them (`needs_in`, `need_progress`), so the categories add up to the scope's totals."""
    counts: dict[str, dict[str, int]] = {}
    for need in session.scalars(needs_in(wanted, window)):
        row = counts.setdefault(need.category, {"posted": 0, "matched": 0, "claimed": 0, "completed": 0})
        matched, claimed, completed = need_progress(need)
        row["posted"] += 1
        row["matched"] += matched
        row["claimed"] += claimed
        row["completed"] += completed
    return counts


def projects_by_status(session: Session, wanted: set[int] | list[int],
                       window: Window | None = None) -> dict[str, int]:
    """Projects of these communities by their state now: those started (approved) before the
    window's end and not closed before its start, i.e. the projects the period saw."""
    query = select(Project.status, Project.closed_at).where(Project.community_id.in_(list(wanted)))
    if window is not None:
        query = query.where(Project.created_at < window[1])
    counts: dict[str, int] = {}
    for status, closed_at in session.execute(query):
        if window is not None and closed_at is not None and _aware(closed_at) < window[0]:
            continue
        counts[status] = counts.get(status, 0) + 1
    return counts


def hours_by_window(session: Session, wanted: set[int] | list[int],
                    windows: list[Window]) -> list[dict[str, int]]:
    """Per window (e.g. the months of a year): standing and verified minutes and active volunteers,
    counted as the indicators count them (`hour_records`, `served_at`)."""
    rows = [{"minutes_recorded": 0, "minutes_verified": 0, "volunteers_active": 0} for _ in windows]
    active: list[set[int]] = [set() for _ in windows]
    for _home, record, status in hour_records(session, wanted):
        for index, window in enumerate(windows):
            if not _in_window(served_at(record), window):
                continue
            if status in STANDING:
                rows[index]["minutes_recorded"] += record.minutes
                active[index].add(record.volunteer_id)
            if status == RecordStatus.VERIFIED:
                rows[index]["minutes_verified"] += record.minutes
    for row, people in zip(rows, active, strict=True):
        row["volunteers_active"] = len(people)
    return rows
