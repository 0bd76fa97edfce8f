"""Deterministic demo data for the five seed districts, written through the services."""
from linkage.demo.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo


def demo_logins() -> list[dict]:
    """The demo accounts, for printing on later starts when the seed itself was skipped."""
    return [{"username": u, "role": r, "password": DEMO_PASSWORD, "bound_to": ""} for u, r in DEMO_LOGINS]


__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "demo_logins", "seed_demo"]
