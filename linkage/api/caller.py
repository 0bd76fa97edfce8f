"""Running a use case or a query as the request's caller: the one shape every API route shares."""

from __future__ import annotations

from linkage.http.context import actor, platform, session


def write_as_caller(use_case, *args):
    """Run a use case as the caller in a unit of work of its own (the service commits)."""
    who = actor()
    with platform().uow() as uow:
        return use_case(uow, who, *args)


def read_as_caller(query, *args):
    """Answer a query as the caller, on the request's read session."""
    return query(session(), actor(), *args)
