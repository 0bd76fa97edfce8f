"""Every role check lives in the policy (linkage.permissions, linkage.policy); pages ask its can_* rules."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("linkage", "events", "schemas", "matching", "app.py")
HOME = ("linkage/permissions.py", "linkage/policy/")
# The funding slice of issue 16 moves funding's role checks into the policy on its own branch; these
# files are exempt only until that branch is merged: drop the exemption then.
ROLE_NAMES = {"admin", "community_staff", "org_staff", "social_worker", "volunteer", "auditor", "system"}
TEMPLATE_ROLE_CHECK = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot\s+in\b)|\.is_admin\b|\.is_staff\b")


def _is_role_attribute(node) -> bool:
    """`x.role`, `x.role.value`, `Role.ADMIN`, `Role.ADMIN.value`."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    if not isinstance(node, ast.Attribute):
        return False
    return node.attr == "role" or (isinstance(node.value, ast.Name) and node.value.id == "Role")


def _is_role_literal(node) -> bool:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_is_role_literal(e) for e in node.elts)
    return isinstance(node, ast.Constant) and node.value in ROLE_NAMES


def _is_role_name(node) -> bool:
    return isinstance(node, ast.Name) and (node.id == "role" or node.id.endswith("_role"))


def role_checks(source: str) -> list[int]:
    """The lines of `source` that test a role: a comparison of a role (attribute, Role member, or a
    variable named role against a role's name), or an ad hoc is_admin/is_staff flag."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            named = any(_is_role_name(o) for o in operands) and any(_is_role_literal(o) for o in operands)
            if named or any(_is_role_attribute(o) for o in operands):
                lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr in ("is_admin", "is_staff"):
            lines.append(node.lineno)
    return sorted(set(lines))


def _outside_home(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return not relative.startswith(HOME)


def _python_files():
    for name in SOURCES:
        target = ROOT / name
        yield from ([target] if target.is_file() else sorted(target.rglob("*.py")))


def test_no_role_check_outside_the_policy():
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in _python_files() if _outside_home(path)
                 for line in role_checks(path.read_text(encoding="utf-8"))]
    assert offenders == [], "role checks belong in linkage.permissions / linkage.policy: " + ", ".join(offenders)


def test_templates_ask_can_rules_not_roles():
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in sorted((ROOT / "linkage/web/templates").rglob("*.html")) if _outside_home(path)
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if TEMPLATE_ROLE_CHECK.search(line)]
    assert offenders == [], "templates ask the policy's can_* helpers: " + ", ".join(offenders)


def test_the_finder_finds_each_kind_of_role_check():
    snippet = "\n".join([
        'if actor.role == "org_staff": pass',                # 1
        'ok = who.role in ("admin", "auditor")',             # 2
        'ok = current_actor().role != "volunteer"',          # 3
        'ok = user.role == Role.AUDITOR.value',              # 4
        'ok = actor.is_admin or False',                      # 5
        'ok = role not in ("admin",)',                       # 6
        'ok = "admin" == actor_role',                        # 7
        'ok = x.kind == Role.ADMIN',                         # 8
        'ok = person.is_staff',                              # 9
    ])
    assert role_checks(snippet) == list(range(1, 10))


def test_the_finder_leaves_other_comparisons_alone():
    snippet = "\n".join([
        'ok = kind == "volunteer"',                          # a provider kind, not a role
        'ok = role not in {r.value for r in Role}',          # validating a role's name, not checking one
        'ok = may_organize(actor, project)',                 # asking the policy
        'row = {"role": actor.role}',                        # carrying a role, not testing it
        'ok = t("role_" + me_role)',
    ])
    assert role_checks(snippet) == []


def test_the_template_check_finds_role_tests():
    assert TEMPLATE_ROLE_CHECK.search('{% if me.role == "admin" %}')
    assert TEMPLATE_ROLE_CHECK.search('{% if me.role in ("admin", "auditor") %}')
    assert not TEMPLATE_ROLE_CHECK.search('{{ t("role_" ~ me.role) }}')
    assert not TEMPLATE_ROLE_CHECK.search('{% if can_open("needs") %}')
