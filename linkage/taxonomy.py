"""The need taxonomy drawn from the policy seeds: service categories, target groups, urgency."""

from __future__ import annotations

# 服务类别: the Chinese name is the stored value; the English label is for the API and the switch.
CATEGORIES: dict[str, str] = {
    "养老": "elderly care",
    "托幼": "childcare",
    "助残": "disability support",
    "帮困": "poverty relief",
    "助学": "education support",
    "医疗健康": "health",
    "就业": "employment",
    "矛盾调解": "mediation",
    "法律服务": "legal aid",
    "心理服务": "counselling",
    "文体": "culture and sports",
    "环境": "environment",
    "应急": "emergency",
    "社区治理": "community governance",
    "邻里互助": "neighbourly help",
}

# 服务对象: the groups the seeds single out for care.
TARGET_GROUPS: dict[str, tuple[str, str]] = {
    "elderly": ("老年人", "older people"),
    "empty_nest_elderly": ("空巢老人", "empty-nest elderly"),
    "minors": ("未成年人", "minors"),
    "left_behind_children": ("留守儿童", "left-behind children"),
    "disabled": ("残疾人", "people with disabilities"),
    "low_income": ("低收入家庭", "low-income households"),
    "veterans": ("退役军人", "veterans"),
    "migrants": ("流动人口", "migrants"),
    "women": ("妇女", "women"),
    "residents": ("全体居民", "all residents"),
}

URGENCY: dict[str, tuple[str, str]] = {
    "low": ("不急", "low"),
    "normal": ("一般", "normal"),
    "high": ("较急", "high"),
    "urgent": ("紧急", "urgent"),
}

CERTIFICATE_LEVELS: dict[str, tuple[str, str]] = {
    "assistant": ("助理社会工作师", "assistant social worker"),
    "intermediate": ("社会工作师", "social worker"),
    "senior": ("高级社会工作师", "senior social worker"),
}

REGISTRATION: dict[str, tuple[str, str]] = {"registered": ("登记", "registered"), "filed": ("备案", "filed")}

RESOURCE_KINDS: dict[str, tuple[str, str]] = {
    "fund": ("资金", "fund"),
    "material": ("物资", "material"),
    "venue": ("场地", "venue"),
    "service": ("服务", "service"),
}

# 资质: the closed catalogue of qualifications a volunteer records and a shift or a need may require.
QUALIFICATION_KINDS: dict[str, tuple[str, str]] = {
    "first_aid": ("急救证", "first-aid certificate"),
    "driving_licence": ("驾驶证", "driving licence"),
    "counsellor": ("心理咨询师", "counsellor"),
    "social_work": ("社工证", "social work certificate"),
    "health_certificate": ("健康证", "food handler's health certificate"),
    "nursing": ("护理员证", "care worker certificate"),
    "teacher": ("教师资格证", "teacher's certificate"),
    "lawyer": ("法律职业资格证", "legal professional certificate"),
}
# The one kind with levels: 社工证's levels are the social workers' (CERTIFICATE_LEVELS).
LEVELLED_QUALIFICATIONS = frozenset({"social_work"})

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_PARTS = ("am", "pm", "eve")  # 08-12, 12-18, 18-22 local time
AVAILABILITY_SLOTS = tuple(f"{d}_{p}" for d in WEEKDAYS for p in DAY_PARTS)
