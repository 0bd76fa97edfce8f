"""Use cases, one module per capability: each function takes a unit of work and an actor."""
