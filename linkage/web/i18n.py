"""A dict-based `t(key)`: Chinese by default, English on request (stored in the session)."""
from __future__ import annotations

from flask import session

from linkage.taxonomy import CATEGORIES, TARGET_GROUPS, URGENCY

LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}

TEXT: dict[str, tuple[str, str]] = {
    "app": ("五社联动服务平台", "Five-Society Linkage"),
    "home": ("首页", "Home"), "login": ("登录", "Log in"), "logout": ("退出", "Log out"),
    "username": ("用户名", "Username"), "password": ("密码", "Password"),
    "login_failed": ("用户名或密码错误", "Wrong username or password"),
    "welcome": ("您好，{name}", "Hello, {name}"),
    "switch_lang": ("English", "中文"),
    "skip": ("跳到正文", "Skip to content"),
    "needs": ("需求", "Needs"), "my_needs": ("本社区需求", "Our community's needs"),
    "needs_near": ("附近的需求", "Needs near us"), "all_needs": ("全部需求", "All needs"),
    "post_need": ("发布需求", "Post a need"),
    "projects": ("服务项目", "Projects"), "activities": ("活动", "Activities"),
    "activities_near": ("附近的活动", "Activities near me"), "my_hours": ("我的服务时长", "My hours"),
    "evaluate": ("居民评价", "Evaluate"), "dashboard": ("联动指标", "Dashboard"),
    "funding": ("公益创投", "Funding"),
    "title": ("标题", "Title"), "description": ("详细说明", "Description"),
    "category": ("服务类别", "Category"), "skills": ("所需技能（用逗号分隔）", "Skills (comma separated)"),
    "target_groups": ("服务对象", "Target groups"), "starts_at": ("开始时间", "Starts"),
    "ends_at": ("结束时间", "Ends"), "volunteers_needed": ("需要志愿者人数", "Volunteers needed"),
    "hours_estimate": ("预计时长（小时）", "Estimated hours"), "budget_yuan": ("预算（元）", "Budget (yuan)"),
    "urgency": ("紧急程度", "Urgency"), "lat": ("纬度（可不填）", "Latitude (optional)"),
    "lon": ("经度（可不填）", "Longitude (optional)"), "community": ("社区", "Community"),
    "place_hint": ("不填则以社区所在地为服务地点", "Leave empty to serve at the community's centre"),
    "submit": ("提交", "Submit"), "save": ("保存", "Save"), "cancel": ("取消", "Cancel"),
    "fix_errors": ("请修改标出的内容后再提交", "Please fix the marked fields"),
    "status": ("状态", "Status"), "matches": ("推荐匹配", "Ranked matches"),
    "matching": ("正在匹配…", "Matching…"), "matching_hint": ("匹配结果出来后会自动显示，无需刷新",
                                                       "The lists appear here by themselves when ready"),
    "no_matches": ("暂无", "None"), "score": ("匹配度", "Score"), "distance": ("距离", "Distance"),
    "km": ("公里", "km"), "reasons": ("推荐理由", "Why"),
    "kind_organization": ("社会组织", "Organizations"), "kind_social_worker": ("社会工作者", "Social workers"),
    "kind_volunteer": ("社区志愿者", "Volunteers"), "kind_resource": ("社会慈善资源", "Charitable resources"),
    "claims": ("认领", "Claims"), "claim": ("认领这个需求", "Claim this need"),
    "plan": ("服务方案", "Service plan"), "approve": ("同意", "Approve"), "decline": ("不同意", "Decline"),
    "reason": ("理由", "Reason"), "ranked_at": ("推荐第{n}位", "ranked #{n}"), "not_ranked": ("未在推荐中", "not ranked"),
    "your_claim": ("本组织的认领", "Our claim"), "no_claims": ("还没有组织认领", "No claims yet"),
    "project": ("项目", "Project"), "go_project": ("查看项目", "Open the project"),
    "organization": ("承接组织", "Organization"),
    "transitions": ("推进项目", "Move the project"), "to_in_progress": ("开始实施", "Start"),
    "to_completed": ("完成项目", "Complete"), "to_evaluated": ("结项", "Close after evaluation"),
    "to_cancelled": ("取消项目", "Cancel the project"),
    "schedule": ("安排活动", "Schedule an activity"), "place": ("地点", "Place"), "slots": ("名额", "Slots"),
    "taken": ("已报名", "Signed up"), "sign_up": ("报名", "Sign up"), "cancel_signup": ("取消报名", "Cancel sign-up"),
    "signups": ("报名名单", "Sign-ups"), "check_in": ("签到", "Check in"), "check_out": ("签退", "Check out"),
    "at_optional": ("时间（不填为现在）", "Time (empty = now)"), "volunteer": ("志愿者", "Volunteer"),
    "hours": ("服务时长", "Hours"), "verify": ("核实", "Verify"), "reject": ("驳回", "Reject"),
    "note": ("说明", "Note"), "minutes": ("分钟", "minutes"), "records": ("服务记录", "Records"),
    "total_hours": ("累计时长", "Total"), "verified_hours": ("已核实时长", "Verified"),
    "star_level": ("星级", "Stars"), "certificate": ("志愿服务记录证明", "Service certificate"),
    "download_certificate": ("生成并下载证明（PDF）", "Issue and download a certificate (PDF)"),
    "certificates": ("已出具的证明", "Certificates issued"), "download": ("下载", "Download"),
    "codes": ("评价码", "Evaluation codes"), "households": ("户数", "Households"),
    "issue_codes": ("生成评价码", "Issue codes"),
    "codes_once": ("评价码只显示这一次，请抄写或打印后发给居民", "Codes are shown only once: print or copy them now"),
    "evaluations": ("居民评价", "Evaluations"), "satisfaction": ("满意度（1–5）", "Satisfaction (1–5)"),
    "comment": ("意见建议", "Comment"), "code": ("评价码", "Code"),
    "thanks": ("感谢您的评价！", "Thank you for your evaluation!"),
    "mean_satisfaction": ("平均满意度", "Mean satisfaction"),
    "none_yet": ("暂无", "Nothing yet"), "back": ("返回", "Back"), "details": ("详情", "Details"),
    "within_km": ("范围（公里）", "Within (km)"), "filter": ("筛选", "Filter"),
    "saved": ("已保存", "Saved"), "done": ("已完成", "Done"),
    "error": ("出错了", "Something went wrong"), "forbidden": ("没有权限", "Not allowed"),
    "not_found": ("找不到", "Not found"), "conflict": ("无法完成", "Cannot do that now"),
    "bad_request": ("请求无效，请刷新页面后重试", "Invalid request: reload the page and try again"),
    "all": ("全部", "All"), "district": ("区", "District"), "street": ("街道", "Street"),
    "targets": ("目标", "Target"), "met": ("达标", "met"), "not_met": ("未达标", "not met"),
    "map": ("需求与服务力量分布", "Needs and providers"), "legend_needs": ("需求", "Needs"),
    "ind_orgs_per_10k": ("每万人社会组织数", "Social organizations per 10,000 residents"),
    "ind_sw_per_community": ("每社区社工数", "Social workers per community"),
    "ind_corgs_per_community": ("每社区社区社会组织数", "Community organizations per community"),
    "ind_volunteers": ("注册志愿者", "Volunteers"), "ind_hours": ("已核实服务时长（小时）", "Verified hours"),
    "ind_needs": ("需求：发布 / 匹配 / 认领 / 完成", "Needs: posted / matched / claimed / completed"),
    "ind_to_match": ("发布到匹配（中位数）", "Posting to match (median)"),
    "ind_to_claim": ("发布到认领（中位数）", "Posting to claim (median)"),
    "ind_satisfaction": ("居民满意度", "Satisfaction"),
    "ind_funds": ("资金：立项 / 拨付 / 支出（元）", "Funds: awarded / disbursed / spent (yuan)"),
    "funding_na": ("公益创投模块尚未启用，资金数据为0", "Funding is not available yet: funds show zero"),
    "population": ("常住人口", "Residents"), "communities": ("社区数", "Communities"),
    "as_json": ("JSON数据", "As JSON"),
    "status_open": ("待匹配", "open"), "status_matched": ("已匹配", "matched"), "status_claimed": ("已认领", "claimed"),
    "status_completed": ("已完成", "completed"), "status_cancelled": ("已取消", "cancelled"),
    "status_approved": ("已立项", "approved"), "status_in_progress": ("实施中", "in progress"),
    "status_evaluated": ("已结项", "evaluated"), "status_pending": ("待审核", "pending"),
    "status_declined": ("未通过", "declined"), "status_signed_up": ("已报名", "signed up"),
    "status_checked_in": ("已签到", "checked in"), "status_checked_out": ("已签退", "checked out"),
    "status_verified": ("已核实", "verified"), "status_rejected": ("已驳回", "rejected"),
    "status_disputed": ("有异议", "disputed"), "status_superseded": ("已更正", "superseded"),
    "status_reversed": ("已撤销", "reversed"),
    "role_admin": ("区民政局", "District staff"), "role_community_staff": ("社区工作者", "Community staff"),
    "role_org_staff": ("社会组织", "Organization staff"), "role_social_worker": ("社会工作者", "Social worker"),
    "role_volunteer": ("志愿者", "Volunteer"), "role_auditor": ("审计", "Auditor"),
}


def lang() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGS else "zh"


def t(key: str, **values) -> str:
    pair = TEXT.get(key)
    text = key if pair is None else pair[0 if lang() == "zh" else 1]
    return text.format(**values) if values else text


# marshmallow's own messages (English in the API too), by how they begin.
LIBRARY_MESSAGES = (
    ("Missing data for required field", "必填"),
    ("Field may not be null", "必填"),
    ("Not a valid integer", "请输入整数"),
    ("Not a valid number", "请输入数字"),
    ("Not a valid datetime", "请输入有效的日期和时间"),
    ("Not a valid date", "请输入有效的日期"),
    ("Must be one of", "请从列表中选择"),
    ("Length must be", "长度不符合要求"),
    ("Shorter than minimum length", "内容太短"),
    ("Longer than maximum length", "内容太长"),
    ("Must be greater than or equal to", "数值太小"),
    ("Must be less than or equal to", "数值太大"),
    ("Unknown field", "无法识别的字段"),
)


def localize(message: str) -> str:
    """Messages written "中文 / English" show the half in the reader's language."""
    if " / " in message:
        zh, _, en = message.partition(" / ")
        return zh if lang() == "zh" else en
    if lang() == "zh":
        for start, chinese in LIBRARY_MESSAGES:
            if message.startswith(start):
                return chinese
    return message


def status_label(status: str | None) -> str:
    return t(f"status_{status}") if status and f"status_{status}" in TEXT else (status or "")


def category_label(name: str) -> str:
    return name if lang() == "zh" else CATEGORIES.get(name, name)


def group_label(code: str) -> str:
    pair = TARGET_GROUPS.get(code)
    return code if pair is None else pair[0 if lang() == "zh" else 1]


def urgency_label(code: str) -> str:
    pair = URGENCY.get(code)
    return code if pair is None else pair[0 if lang() == "zh" else 1]
