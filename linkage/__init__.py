"""Linkage domain: models, services, permissions, and the thin Flask adapters (api/, web/)."""
