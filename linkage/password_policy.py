"""Which passwords may be set: long enough, short enough to type at login, and hard to guess (zxcvbn)."""

from __future__ import annotations

import threading

from zxcvbn import zxcvbn

from linkage.errors import Message

MIN_LENGTH = 8
MAX_LENGTH = 200  # the login form's limit (schemas.auth): a longer password could never be typed in
# zxcvbn's score, 0-4. 3 is "safely unguessable: moderate protection from an offline slow-hash
# attack" (under 10^10 guesses is 2 or less); it refuses the common-password lists it ships with
# (password1, 12345678, qwertyuiop, P@ssw0rd, ...), keyboard walks, repeats, dates, and names.
MIN_SCORE = 3
# zxcvbn refuses to score more than this many characters (its matching is quadratic); the rest of
# a longer password only adds to its strength, so the first 72 are scored.
SCORED_CHARACTERS = 72
# Words of this site that make a password guessable to someone who knows where it is used; the
# username is added per account (zxcvbn's `user_inputs`).
SITE_WORDS = ("linkage", "wushe", "liandong", "wushelian", "shequ", "minzheng", "zhiyuan", "shegong")

# zxcvbn keeps the user inputs in a module-level dictionary while it scores: one at a time.
_SCORING = threading.Lock()


def password_problem(password: str, username: str = "") -> Message | None:
    """Why `password` may not be set (a message code, for the `password` field), or None."""
    if len(password) < MIN_LENGTH:
        return Message("password.too_short", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return Message("password.too_long", n=MAX_LENGTH)
    with _SCORING:
        result = zxcvbn(password[:SCORED_CHARACTERS], user_inputs=[*SITE_WORDS, username])
    if result["score"] >= MIN_SCORE:
        return None
    why = result["feedback"]["warning"] or "a common word, name, date or pattern"
    return Message("password.guessable", why=why.rstrip("."))
