"""Venture philanthropy (公益创投): rounds and applications, reviews, awards, grants, oversight."""
from linkage.services.funding import allocation, awards, grants, reviews, rounds, supervision  # noqa: F401
