"""The explainable allocation of a round's budget (资金分配): a pure function, no database."""
from __future__ import annotations

from typing import Any

from linkage.errors import FieldErrors, InvalidInput, Message
from linkage.formats import yuan


def _check_overrides(budget_fen: int, cap_fen: int, by_id: dict[int, dict[str, Any]],
                     overrides: dict[int, dict[str, Any]]) -> int:
    errors: FieldErrors = {}
    total = 0
    for app_id, override in overrides.items():
        app = by_id.get(app_id)
        amount = override["amount_fen"]
        if app is None:
            errors.setdefault("overrides", []).append(Message("override.not_in_round", id=app_id))
            continue
        limit = min(app["requested_fen"], cap_fen)
        if not 0 <= amount <= limit:
            errors.setdefault("overrides", []).append(
                Message("override.amount_range", id=app_id, low=yuan(0), limit=yuan(limit)))
        if not str(override.get("reason", "")).strip():
            errors.setdefault("overrides", []).append(Message("override.reason_required", id=app_id))
        total += amount
    if total > budget_fen:
        errors.setdefault("overrides", []).append(Message("override.over_budget", total=yuan(total), budget=yuan(budget_fen)))
    if errors:
        raise InvalidInput("override.rejected", errors)
    return total


def allocate(budget_fen: int, cap_fen: int, priority_categories: list[str],
             applications: list[dict[str, Any]], *, pass_score: float = 60, min_partial_pct: int = 50,
             overrides: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Fund applications in order — priority categories first, then by score, then the earlier one.

    Each application is `{id, requested_fen, category, score}` (score None = not reviewed;
    an optional `blocked_reason` keeps it out, e.g. its co-funding is gone). Each gets
    min(requested, cap, what is left); a partial award is made only if it is at least
    `min_partial_pct`% of that, otherwise the money stays for the next one. Admin overrides
    `{id: {amount_fen, reason}}` are taken off the budget first. Returns, in ranking order,
    `{application_id, amount_fen, rank, priority, score, reasons[]}`.
    """
    overrides = overrides or {}
    by_id = {a["id"]: a for a in applications}
    remaining = budget_fen - _check_overrides(budget_fen, cap_fen, by_id, overrides)
    priority = set(priority_categories)
    results: dict[int, dict[str, Any]] = {}
    ranked: list[dict[str, Any]] = []
    for app in applications:
        is_priority = app["category"] in priority
        reasons = [f"优先类别「{app['category']}」/ priority category {app['category']}" if is_priority
                   else f"非优先类别「{app['category']}」/ not a priority category"]
        results[app["id"]] = {"application_id": app["id"], "amount_fen": 0, "rank": None,
                              "priority": is_priority, "score": app.get("score"), "reasons": reasons}
        if app["id"] in overrides:
            amount, why = overrides[app["id"]]["amount_fen"], overrides[app["id"]]["reason"].strip()
            results[app["id"]]["amount_fen"] = amount
            reasons.append(f"管理员调整为{yuan(amount)}：{why} / admin override to {yuan(amount)}: {why}")
        elif app.get("blocked_reason"):
            reasons.append(app["blocked_reason"])
        elif app.get("score") is None:
            reasons.append("尚无评审，不予资助 / not reviewed, not funded")
        elif app["score"] < pass_score:
            reasons.append(f"评审均分{app['score']:.2f}低于及格分{pass_score} / score {app['score']:.2f} "
                           f"is below the pass mark {pass_score}")
        else:
            ranked.append(app)
    ranked.sort(key=lambda a: (a["category"] not in priority, -a["score"], a["id"]))
    previous = None
    for rank, app in enumerate(ranked, start=1):
        result = results[app["id"]]
        reasons = result["reasons"]
        result["rank"] = rank
        reasons.append(f"评审均分{app['score']:.2f}，排第{rank}位 / mean score {app['score']:.2f}, ranked {rank}")
        if previous is not None and (previous["category"] in priority) == (app["category"] in priority) \
                and previous["score"] == app["score"]:
            reasons.append(f"与申请#{previous['id']}同分，先申报者在前 / tied with application "
                           f"{previous['id']}: the earlier application goes first")
        previous = app
        want = min(app["requested_fen"], cap_fen)
        if remaining >= want:
            amount = want
            if want < app["requested_fen"]:
                reasons.append(f"受单项上限{yuan(cap_fen)}限制 / limited by the per-project cap of {yuan(cap_fen)}")
            else:
                reasons.append("按申请额全额资助 / funded in full as requested")
        elif remaining > 0 and remaining * 100 >= want * min_partial_pct:
            amount = remaining
            reasons.append(f"预算仅余{yuan(remaining)}，部分资助 / only {yuan(remaining)} of the budget "
                           f"was left: partly funded")
        else:
            amount = 0
            reasons.append(f"预算余额{yuan(remaining)}不足所需的{min_partial_pct}%，不予资助 / the "
                           f"{yuan(remaining)} left is under {min_partial_pct}% of {yuan(want)}: not funded")
        result["amount_fen"] = amount
        remaining -= amount
    order = [a["id"] for a in ranked] + [a["id"] for a in applications if results[a["id"]]["rank"] is None]
    return [results[i] for i in order]
