"""公益创投 pages: rounds, applications, reviews, grants and oversight, on the web blueprint."""
from linkage.web.funding import applications, grants, oversight, reviews, rounds  # noqa: F401
