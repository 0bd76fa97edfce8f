"""A dict-based `t(key)`: Chinese by default, English on request (stored in the session)."""
from __future__ import annotations

from flask import session

from linkage.privacy import DISTANCE_BANDS
from linkage.taxonomy import CATEGORIES, TARGET_GROUPS, URGENCY

LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}

TEXT: dict[str, tuple[str, str]] = {
    "app": ("五社联动服务平台", "Five-Society Linkage"),
    "home": ("首页", "Home"), "login": ("登录", "Log in"), "logout": ("退出", "Log out"),
    "username": ("用户名", "Username"), "password": ("密码", "Password"),
    "login_failed": ("用户名或密码错误", "Wrong username or password"),
    "login_locked": ("登录失败次数过多，为保护账户已暂停登录，请 {wait}后再试",
                     "Too many failed logins: logging in is paused to protect the account; try again in {wait}"),
    "session_idle": ("您已长时间未操作，为保护账户安全已自动退出，请重新登录",
                     "You were logged out after a period of inactivity; please log in again"),
    "too_many": ("请求过于频繁", "Too many requests"),
    "too_many_wait": ("请求过于频繁，请 {wait}后再试。", "Too many requests; try again in {wait}."),
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
    "none_yet": ("暂无", "Nothing yet"),
    "verified_by_another": ("本条由您录入，须由他人核实（职责分离）", "You logged this record: someone else verifies it"), "back": ("返回", "Back"), "details": ("详情", "Details"),
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
    # 公益创投 / venture philanthropy
    "funding_rounds": ("公益创投项目", "Funding rounds"), "new_round": ("发起创投活动", "Open a funding round"),
    "round_name": ("活动名称", "Round name"), "total_budget_yuan": ("总预算（元）", "Budget (yuan)"),
    "cap_yuan": ("单项资助上限（元）", "Per-project cap (yuan)"), "priority_categories": ("优先资助类别", "Priority categories"),
    "cofunding_pct": ("配套资金比例（%）", "Co-funding share (%)"),
    "cofunding_pct_hint": ("申报项目须自筹的配套资金占项目总预算的最低比例，0为不要求",
                           "The least share of each project's budget the applicant brings; 0 = none"),
    "pass_score": ("及格分", "Pass mark"), "min_partial_pct": ("部分资助最低比例（%）", "Least partial award (%)"),
    "rubric": ("评审标准与权重（%）", "Rubric and weights (%)"),
    "rubric_hint": ("各项权重为整数，合计100", "Whole percents adding up to 100"),
    "round_open": ("申报中", "open"), "round_reviewing": ("评审中", "reviewing"),
    "round_awarded": ("已立项", "awarded"), "round_closed": ("已结项", "closed"),
    "app_submitted": ("已申报", "submitted"), "app_awarded": ("获资助", "awarded"),
    "app_not_awarded": ("未获资助", "not awarded"),
    "grant_active": ("执行中", "active"), "grant_closed": ("已结项", "closed"),
    "to_reviewing": ("截止申报，进入评审", "Close applications and start reviewing"),
    "to_closed": ("结束本轮（结余退回）", "Close the round (return what is left)"),
    "timeline": ("进度", "Timeline"), "budget": ("预算", "Budget"), "cap": ("单项上限", "Cap"),
    "applications": ("申报", "Applications"), "apply": ("申报项目", "Apply"),
    "apply_for": ("申报：{name}", "Apply to {name}"), "target": ("申报的需求或项目", "Need or project"),
    "target_hint": ("本组织实施中的项目，或附近待匹配的需求", "Your running projects, or open needs near you"),
    "our_project": ("本组织项目", "Our projects"), "open_needs": ("附近的需求", "Needs near us"),
    "summary": ("项目概要", "Summary"), "requested_yuan": ("申请金额（元）", "Requested (yuan)"),
    "budget_lines": ("预算明细", "Budget lines"),
    "budget_lines_hint": ("各科目金额合计须等于申请金额；空行不计", "Lines add up to the requested amount; empty rows are ignored"),
    "line_name": ("科目", "Line"), "amount_yuan": ("金额（元）", "Amount (yuan)"),
    "milestones": ("实施节点与拨付比例", "Milestones and tranche shares"),
    "milestones_hint": ("节点验收后按比例拨付，比例合计100", "Each accepted milestone releases its share; shares add up to 100"),
    "milestone": ("节点", "Milestone"), "share_pct": ("比例（%）", "Share (%)"),
    "cofunding": ("配套资金", "Co-funding"), "cofunding_source": ("配套资金来源", "Co-funding source"),
    "cofunding_yuan": ("配套金额（元）", "Co-funding (yuan)"), "no_cofunding": ("无", "None"),
    "applicant": ("申报组织", "Applicant"), "requested": ("申请", "Requested"),
    "reviewers": ("评审专家", "Reviewers"), "assign_reviewer": ("指派评审", "Assign a reviewer"),
    "reviewer": ("评审人", "Reviewer"), "reviews": ("评审意见", "Reviews"), "review": ("评审打分", "Score it"),
    "review_hint": ("每项0–100分，按权重计算总分", "0–100 each; the total is the weighted mean"),
    "comments": ("评审意见", "Comments"), "total": ("总分", "Total"), "mean_score": ("评审均分", "Mean score"),
    "anonymous": ("匿名评审", "Reviewer"),
    "allocation": ("资金分配", "Allocation"),
    "allocation_preview": ("分配预览（尚未确定，仅区民政局可见）", "Preview (not committed, district only)"),
    "allocation_committed": ("立项结果公示", "Committed awards (published)"),
    "rank": ("排名", "Rank"), "awarded_amount": ("资助金额（元）", "Award (yuan)"),
    "override_yuan": ("调整金额（元）", "Override (yuan)"), "override_reason": ("调整理由", "Reason"),
    "override_hint": ("留空按规则分配；调整须写明理由", "Leave empty to follow the rules; an override needs a reason"),
    "commit_awards": ("确定立项", "Commit the awards"), "unallocated": ("未分配", "Unallocated"),
    "awarded": ("立项", "Awarded"), "disbursed": ("拨付", "Disbursed"), "spent": ("支出", "Spent"),
    "grant": ("资助协议", "Grant"), "open_grant": ("查看资助", "Open the grant"),
    "accept": ("验收通过", "Accept"), "accepted": ("已验收", "accepted"), "not_accepted": ("待验收", "to accept"),
    "tranche": ("拨付额", "Tranche"), "disburse_next": ("拨付下一期（第{n}期）", "Release tranche {n}"),
    "tranche_paid": ("已拨付", "paid"),
    "report_spending": ("报告支出", "Report spending"), "receipt_ref": ("票据号", "Receipt reference"),
    "expenditures": ("支出记录", "Expenditures"), "disbursements": ("拨付记录", "Disbursements"),
    "closing_report": ("结项报告", "Closing report"), "file_closing": ("提交结项报告", "File the closing report"),
    "supervision": ("资金监管", "Supervision"), "public_summary": ("公示（居民监督）", "Public summary"),
    "ledger_ok": ("资金台账校验通过、收支平衡", "The ledger verifies and balances"),
    "ledger_bad": ("资金台账校验未通过", "The ledger does not verify"),
    "per_line": ("按预算科目", "By budget line"), "per_grant": ("按项目", "By grant"),
    "returned": ("退回", "Returned"), "grants_count": ("资助项目数", "Grants"),
    "milestones_done": ("节点验收", "Milestones accepted"),
    "public_hint": ("无需登录：资助的组织、项目和资金去向向居民公开", "No login: organizations, projects and money, open to residents"),
    "yuan_invalid": ("请输入金额（元），最多两位小数，例如 2000 或 2000.50",
                     "Enter an amount in yuan with at most two decimals, e.g. 2000 or 2000.50"),
    "whole_number": ("请输入整数", "Enter a whole number"),
    "required": ("必填", "Required"),
    "ledger_entries": ("共{n}笔", "{n} entries"),
    "role_admin": ("区民政局", "District staff"), "role_community_staff": ("社区工作者", "Community staff"),
    "role_org_staff": ("社会组织", "Organization staff"), "role_social_worker": ("社会工作者", "Social worker"),
    "role_volunteer": ("志愿者", "Volunteer"), "role_auditor": ("审计", "Auditor"),
    "disclosures": ("个人信息查看记录", "Who saw your personal data"),
    "disclosures_none": ("暂无人查看您的完整手机号或身份证号", "Nobody has revealed your whole phone or ID number"),
    "disclosures_intro": ("区民政局或审计人员查看您的完整手机号或身份证号时，须说明理由，并在此留下记录。",
                          "District staff and auditors see your whole phone or ID number only with a stated "
                          "reason, recorded here."),
    "revealed_at": ("时间", "When"), "revealed_by": ("查看人", "By"), "revealed_field": ("查看内容", "What"),
    "field_phone": ("手机号", "Phone"), "field_id_number": ("身份证号", "ID number"),
    "my_data": ("我的个人信息", "My personal data"),
    "my_data_hint": ("可下载平台保存的与您有关的全部信息（JSON 文件）",
                     "Download everything the platform holds about you (a JSON file)"),
    "export_my_data": ("下载我的数据", "Download my data"),
    "privacy_notice": ("个人信息处理告知书", "Privacy notice"),
}
# A volunteer's distance in a match list is a band (linkage.privacy): its code is its key.
TEXT.update({code: (zh, code) for _, code, zh in DISTANCE_BANDS})
# Long lists come a page at a time (linkage.web.paging).
TEXT.update({"pages": ("分页", "Pages"), "prev_page": ("上一页", "Previous"), "next_page": ("下一页", "Next"),
             "page_of": ("第 {page}/{pages} 页，共 {total} 条", "Page {page} of {pages}, {total} in all")})


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
    # the funding services' English-only field messages
    ("greater than budget_fen", "单项上限不能超过总预算"),
    ("give need_id or project_id", "请选择申报的需求或项目"),
    ("no such need", "找不到这个需求"), ("no such project", "找不到这个项目"),
    ("required with cofunding_fen", "填写配套金额时须选择来源"),
    ("budget line names must differ", "预算科目名称不能重复"),
    ("not a line of grant", "不是本资助的预算科目"),
    ("exactly: ", "须为评审标准的全部各项"),
    ("no such active user", "找不到该用户"),
    ("reviewers are admins or social workers", "评审人须为区民政局工作人员或社会工作者"),
    ("already assigned", "已指派"),
    ("the resource has", "配套资金来源余额不足"),
    ("an application appears twice", "同一申报只能调整一次"),
    ("accept milestone", "请先验收上一个节点"),
    ("milestone", "该节点尚未验收，不能拨付下一期"),
    ("not allowed from", "当前阶段不能进行此操作"),
)


def localize(message: str) -> str:
    """Messages written "中文 / English" show the half in the reader's language."""
    if " / " in message or "」/ " in message:
        zh, _, en = message.partition(" / ") if " / " in message else message.partition("/ ")
        return zh.strip() if lang() == "zh" else en.strip()
    if lang() == "zh":
        for start, chinese in LIBRARY_MESSAGES:
            if message.startswith(start):
                return chinese
    return message


def wait_in_words(seconds: int) -> str:
    """A wait as a person reads it: seconds under a minute, else whole minutes (rounded up)."""
    minutes = -(-seconds // 60)
    if lang() == "zh":
        return f"{seconds} 秒" if seconds < 60 else f"{minutes} 分钟"
    return f"{seconds} seconds" if seconds < 60 else f"{minutes} minutes"


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
