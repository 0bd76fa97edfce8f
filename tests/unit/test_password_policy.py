"""Which passwords may be set: length, and zxcvbn's guessability score with the site's words."""
import pytest

from linkage.demo import DEMO_PASSWORD
from linkage.i18n import text
from linkage.password_policy import MIN_SCORE, password_problem


def _both(problem) -> tuple[str, str]:
    """The problem as the catalogues word it, in Chinese and in English."""
    return text(problem.code, problem.params, "zh_CN"), text(problem.code, problem.params, "en")


@pytest.mark.parametrize("password", ["password1", "12345678", "qwertyuiop", "P@ssw0rd", "88888888",
                                      "1qaz2wsx3edc", "iloveyou2", "password-123", "woaini1314",
                                      "abc12345", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"])
def test_common_passwords_are_refused_not_only_short_ones(password):
    problem = password_problem(password)
    assert problem is not None and problem.code == "password.guessable"
    zh, en = _both(problem)
    assert "too easy to guess" in en and "容易被猜到" in zh


def test_the_username_and_the_site_name_make_a_password_guessable():
    assert MIN_SCORE == 3
    assert password_problem("wangxiaoming88") is None
    assert password_problem("wangxiaoming88", username="wangxiaoming") is not None
    assert password_problem("linkage-demo") is not None  # the former demo password: the site's name


def test_length_limits_name_the_bound():
    assert _both(password_problem("a7#Kp")) == ("密码至少8个字符", "at least 8 characters")
    assert _both(password_problem("x9-" * 70)) == ("密码最多200个字符", "at most 200 characters")


@pytest.mark.parametrize("password", ["correct-horse-9", "long-enough-1", "lantern-river-42", "bench-password-1",
                                      DEMO_PASSWORD, "Tr0ub4dor&3 horse"])
def test_the_passwords_the_tests_and_the_demo_use_pass(password):
    assert password_problem(password, username="admin") is None
